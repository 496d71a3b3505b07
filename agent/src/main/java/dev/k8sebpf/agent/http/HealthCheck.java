package dev.k8sebpf.agent.http;

import java.util.Optional;

/** A probe answer: empty when healthy, else the reason shown in the 503 body. */
@FunctionalInterface
public interface HealthCheck {
    Optional<String> problem();
}
