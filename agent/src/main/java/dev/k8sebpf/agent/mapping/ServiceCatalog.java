package dev.k8sebpf.agent.mapping;

/** Told about every Service the agent knows, so per-Service series can exist before the first attempt. */
public interface ServiceCatalog {
    void serviceAdded(String namespace, String service);

    void serviceRemoved(String namespace, String service);
}
