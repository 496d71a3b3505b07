package dev.k8sebpf.agent.loader;

import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The kernel feature a failed load or attach lacked, read from what the verifier and libbpf said, so
 * a tier that cannot work on a kernel is skipped with one line naming the cause instead of an errno
 * and a verifier dump. Empty when the failure is not one of the known shapes.
 */
public final class MissingFeature {
    /** "invalid func unknown#158": a helper id the kernel does not have (ids from bpf_helper_defs.h). */
    private static final Pattern UNKNOWN_HELPER = Pattern.compile("invalid func unknown#(\\d+)");
    private static final Map<String, String> HELPERS = Map.of(
            "158", "helper bpf_get_current_task_btf (Linux 5.11+)",
            "175", "helper bpf_task_pt_regs (Linux 5.15+)");
    /** ENOTSUPP: the kernel's own "not supported", which an fentry attach returns without BPF trampolines. */
    private static final int ENOTSUPP = 524;

    private MissingFeature() {
    }

    /** @param step what failed, e.g. {@code load} or {@code attach fexit_tcp_v4_connect} */
    public static Optional<String> of(String step, BpfException failure) {
        for (String line : failure.libbpfLog()) {
            Matcher helper = UNKNOWN_HELPER.matcher(line);
            if (helper.find()) {
                return Optional.of(HELPERS.getOrDefault(helper.group(1), "BPF helper #" + helper.group(1)));
            }
        }
        if (step.startsWith("attach f") && failure.errno() == ENOTSUPP) {
            return Optional.of("BPF trampolines (arm64: Linux 6.0+ built with CONFIG_DYNAMIC_FTRACE_WITH_DIRECT_CALLS)");
        }
        return Optional.empty();
    }

    /** {@code step errno}, and the missing feature when it is known: one line for logs and errors. */
    public static String describe(String step, BpfException failure) {
        return step + " " + failure.errnoName() + of(step, failure).map(f -> " (the kernel lacks " + f + ")").orElse("");
    }
}
