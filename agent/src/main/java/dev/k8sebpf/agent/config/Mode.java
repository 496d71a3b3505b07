package dev.k8sebpf.agent.config;

/**
 * What this process is: a node agent with IP→Service mappings from the Kubernetes API ({@code CLUSTER})
 * or from an optional local YAML file ({@code LOCAL}), or the cluster scaler ({@code SCALER}: no kernel
 * hooks; KEDA's ExternalScaler served from every agent's attempt stream).
 */
public enum Mode {
    CLUSTER,
    LOCAL,
    SCALER
}
