package dev.k8sebpf.agent.config;

/** A listen address from the environment: host (0.0.0.0 for Go's ":port") and port. */
public record HostPort(String host, int port) {
}
