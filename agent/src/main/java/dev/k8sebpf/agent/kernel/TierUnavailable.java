package dev.k8sebpf.agent.kernel;

import dev.k8sebpf.agent.loader.BpfException;
import java.util.List;
import java.util.Optional;

/** One hook tier cannot be used here; {@link #reason()} is short, e.g. {@code load EPERM}. */
final class TierUnavailable extends Exception {
    private final String reason;
    private final transient Optional<BpfException> failure;

    TierUnavailable(String reason) {
        super(reason);
        this.reason = reason;
        this.failure = Optional.empty();
    }

    /** @param step what was being done, e.g. {@code load} or {@code attach cgroup_connect4} */
    TierUnavailable(String step, BpfException failure) {
        super(step + " " + failure.errnoName(), failure);
        this.reason = step + " " + failure.errnoName();
        this.failure = Optional.of(failure);
    }

    String reason() {
        return reason;
    }

    /** What libbpf printed while failing, e.g. the verifier log. */
    List<String> libbpfLog() {
        return failure.map(BpfException::libbpfLog).orElse(List.of());
    }

    boolean permissionDenied() {
        return failure.map(f -> f.errnoName().equals("EPERM")).orElse(false);
    }
}
