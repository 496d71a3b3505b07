package dev.k8sebpf.agent.scaler;

import dev.k8sebpf.agent.config.GoDuration;
import dev.k8sebpf.agent.scaler.externalscaler.ScaledObjectRef;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.Map;
import java.util.Set;

/**
 * A ScaledObject's trigger metadata, the user-facing contract (README, deploy/keda/):
 * {@code service} (required), {@code namespace} (default: the ScaledObject's), {@code window} (Go
 * duration, default 60s: how long after the last attempt the Service stays active),
 * {@code activationThreshold} (attempts in the window, default 0) and {@code targetAttemptsPerSecond}
 * (for 1→N, default 1). KEDA passes every key of the trigger, {@code scalerAddress} and its TLS keys too.
 */
record Trigger(ServiceActivity.ServiceKey service, Duration window, long activationThreshold,
               double targetAttemptsPerSecond) {
    private static final Set<String> KEDA_KEYS = Set.of("scalerAddress", "caCert", "tlsClientCert", "tlsClientKey",
            "tlsCertFile", "enableTLS", "unsafeSsl");
    private static final Set<String> OURS = Set.of("service", "namespace", "window", "activationThreshold",
            "targetAttemptsPerSecond");

    /** @throws StatusRuntimeException INVALID_ARGUMENT naming the key that is wrong */
    static Trigger of(ScaledObjectRef ref) {
        Map<String, String> metadata = ref.getScalerMetadataMap();
        for (String key : metadata.keySet()) {
            if (!OURS.contains(key) && !KEDA_KEYS.contains(key)) {
                throw invalid(key, metadata.get(key), "an unknown key; expected one of " + String.join(", ", OURS));
            }
        }
        String service = metadata.getOrDefault("service", "").strip();
        if (service.isEmpty()) {
            throw invalid("service", service, "required: the name of the Service whose attempts wake the target");
        }
        String namespace = metadata.getOrDefault("namespace", "").strip();
        if (namespace.isEmpty()) {
            namespace = ref.getNamespace();
        }
        String windowText = metadata.getOrDefault("window", "60s").strip();
        Duration window = GoDuration.parse(windowText)
                .filter(w -> !w.isZero() && w.compareTo(ServiceActivity.MAX_WINDOW) <= 0)
                .orElseThrow(() -> invalid("window", windowText, "a Go duration above 0 and at most 1h, e.g. 60s or 5m"));
        String thresholdText = metadata.getOrDefault("activationThreshold", "0").strip();
        long threshold;
        try {
            threshold = Long.parseLong(thresholdText);
        } catch (NumberFormatException e) {
            threshold = -1;
        }
        if (threshold < 0) {
            throw invalid("activationThreshold", thresholdText, "a whole number of attempts, 0 or more");
        }
        String targetText = metadata.getOrDefault("targetAttemptsPerSecond", "1").strip();
        double target;
        try {
            target = Double.parseDouble(targetText);
        } catch (NumberFormatException e) {
            target = Double.NaN;
        }
        if (!(target > 0) || Double.isInfinite(target)) {
            throw invalid("targetAttemptsPerSecond", targetText, "a number above 0, e.g. 1 or 0.5");
        }
        return new Trigger(new ServiceActivity.ServiceKey(namespace, service), window, threshold, target);
    }

    private static StatusRuntimeException invalid(String key, String value, String expected) {
        return Status.INVALID_ARGUMENT.withDescription("scalerMetadata." + key + "=\"" + value + "\" is not valid: " + expected)
                .asRuntimeException();
    }

    /** The metric KEDA's HPA reads for this trigger. */
    String metricName() {
        return "attempts-per-second-" + service.namespace() + "-" + service.service();
    }

    boolean active(ServiceActivity activity) {
        return activity.attemptsWithin(service, window) > activationThreshold;
    }

    /** Attempts per second over the window. */
    double rate(ServiceActivity activity) {
        return activity.attemptsWithin(service, window) / (window.toNanos() / 1e9);
    }
}
