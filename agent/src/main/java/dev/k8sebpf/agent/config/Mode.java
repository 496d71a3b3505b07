package dev.k8sebpf.agent.config;

/** Where IP→Service mappings come from: the Kubernetes API, or an optional local YAML file. */
public enum Mode {
    CLUSTER,
    LOCAL
}
