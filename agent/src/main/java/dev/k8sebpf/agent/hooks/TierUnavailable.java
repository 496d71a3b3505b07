package dev.k8sebpf.agent.hooks;

import dev.k8sebpf.agent.loader.BpfException;
import dev.k8sebpf.agent.loader.MissingFeature;
import java.util.List;

/**
 * One hook tier cannot be used here; {@link #reason()} is short, e.g. {@code load EPERM}, and names the
 * missing kernel feature when it is known ({@link MissingFeature}).
 */
public final class TierUnavailable extends Exception {
    private final boolean misconfigured;
    private final boolean knownCause;
    private final String step;

    public TierUnavailable(String reason) {
        this(reason, false);
    }

    /** @param misconfigured the pod's settings are at fault (worth a warning), not the kernel */
    public TierUnavailable(String reason, boolean misconfigured) {
        super(reason);
        this.misconfigured = misconfigured;
        this.knownCause = true;
        this.step = "";
    }

    /** @param step what was being done, e.g. {@code load} or {@code attach cgroup_connect4} */
    public TierUnavailable(String step, BpfException failure) {
        super(MissingFeature.describe(step, failure), failure);
        this.misconfigured = false;
        this.knownCause = MissingFeature.of(step, failure).isPresent();
        this.step = step;
    }

    boolean misconfigured() {
        return misconfigured;
    }

    /** Whether the reason says it all; if not, libbpf's own words (the verifier log) are worth a warning. */
    boolean knownCause() {
        return knownCause;
    }

    String reason() {
        return getMessage();
    }

    /** What libbpf printed while failing, e.g. the verifier log. */
    public List<String> libbpfLog() {
        return getCause() instanceof BpfException failure ? failure.libbpfLog() : List.of();
    }

    /** The object was opened but loading it got ENOSYS: no bpf() here, e.g. under QEMU user mode. */
    boolean loadNotImplemented() {
        return step.equals("load") && getCause() instanceof BpfException failure && failure.errnoName().equals("ENOSYS");
    }

    boolean permissionDenied() {
        return getCause() instanceof BpfException failure && failure.errnoName().equals("EPERM");
    }
}
