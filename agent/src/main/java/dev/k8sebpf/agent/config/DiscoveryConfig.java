package dev.k8sebpf.agent.config;

import java.util.Optional;

/**
 * MODE=scaler: where the agents are. Their Pods are listed and watched in {@code namespace} (empty: the
 * scaler's own, from its service account) by {@code labelSelector}; each serves its attempt stream on
 * the container port named {@code portName}; with TLS their certificates must name {@code tlsServerName}.
 */
public record DiscoveryConfig(Optional<String> namespace, String labelSelector, String portName, String tlsServerName) {
}
