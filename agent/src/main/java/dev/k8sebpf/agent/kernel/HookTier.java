package dev.k8sebpf.agent.kernel;

/**
 * Where the connect hooks attach, in order of preference. cgroup hooks see the ClusterIP the application
 * asked for, even under Cilium's socket-LB (which fails a connect to a Service without endpoints before
 * tcp_v4_connect runs), and cost nothing off the connect path. fentry and kprobe miss that Cilium case.
 * Syscall tracepoints work everywhere but slow down every syscall on the node while attached.
 */
public enum HookTier {
    CGROUP("cgroup", "cgroup/connect"),
    FENTRY("fentry", "fexit/", "fentry/"),
    KPROBE("kprobe", "kprobe/", "kretprobe/"),
    SYSCALL_TRACEPOINT("syscall_tracepoint", "tracepoint/syscalls/");

    private final String label;
    private final String[] sectionPrefixes;

    HookTier(String label, String... sectionPrefixes) {
        this.label = label;
        this.sectionPrefixes = sectionPrefixes;
    }

    public String label() {
        return label;
    }

    /** Whether a program in this ELF section belongs to this tier. */
    boolean owns(String section) {
        for (String prefix : sectionPrefixes) {
            if (section.startsWith(prefix)) {
                return true;
            }
        }
        return false;
    }
}
