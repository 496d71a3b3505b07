package dev.k8sebpf.agent.kernel;

import dev.k8sebpf.agent.loader.BpfException;
import dev.k8sebpf.agent.loader.MissingFeature;
import java.util.List;

/**
 * One hook tier cannot be used here; {@link #reason()} is short, e.g. {@code load EPERM}, and names the
 * missing kernel feature when it is known ({@link MissingFeature}).
 */
final class TierUnavailable extends Exception {
    TierUnavailable(String reason) {
        super(reason);
    }

    /** @param step what was being done, e.g. {@code load} or {@code attach cgroup_connect4} */
    TierUnavailable(String step, BpfException failure) {
        super(MissingFeature.describe(step, failure), failure);
    }

    String reason() {
        return getMessage();
    }

    /** What libbpf printed while failing, e.g. the verifier log. */
    List<String> libbpfLog() {
        return getCause() instanceof BpfException failure ? failure.libbpfLog() : List.of();
    }

    boolean permissionDenied() {
        return getCause() instanceof BpfException failure && failure.errnoName().equals("EPERM");
    }
}
