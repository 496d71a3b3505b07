package dev.k8sebpf.agent.hooks;

/**
 * Why a layer tries one tier only, so its failure ends the start instead of falling back; how the
 * log and the error say it.
 *
 * @param reason  after the tier's label when it attached, e.g. {@code cgroup: forced}
 * @param failure between the label and "does not work here", e.g. {@code was forced but}
 */
public record OneTier(String reason, String failure) {
    /** L4_HOOK_TIER / L7_HOOK_TIER named it. */
    public static final OneTier FORCED = new OneTier("forced", "was forced but");
}
