package dev.k8sebpf.e2e;

import java.time.Duration;

/**
 * The per-Service activation query that deploy/keda/*.yaml give KEDA: attempts to any IP of the Service
 * within the window. The window must cover KEDA's pollingInterval plus one scrape interval, or an
 * attempt can fall between two polls unseen; 30 s covers the examples' 15 s polling with 5 s scrapes.
 */
final class ActivationQuery {
    static final Duration WINDOW = Duration.ofSeconds(30);

    private ActivationQuery() {
    }

    static String forService(String namespace, String service) {
        return "sum(increase(internal_tcp_service_attempts_total{destination_namespace=\"%s\",destination_service=\"%s\"}[%ds]))"
                .formatted(namespace, service, WINDOW.toSeconds());
    }
}
