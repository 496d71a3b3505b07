package dev.k8sebpf.agent.kernel;

import dev.k8sebpf.agent.bpf.ConnectSkeleton;
import dev.k8sebpf.agent.hooks.Tier;
import dev.k8sebpf.agent.loader.BpfProgram;

/**
 * Where the connect hooks attach, in order of preference; all four are programs of bpf/connect.bpf.c.
 * cgroup hooks see the ClusterIP the application asked for, even under Cilium's socket-LB (which fails a
 * connect to a Service without endpoints before tcp_v4_connect runs), and cost nothing off the connect
 * path. fentry and kprobe miss that Cilium case. Syscall tracepoints work everywhere but slow down every
 * syscall on the node while attached.
 */
public enum HookTier implements Tier {
    CGROUP("cgroup", "cgroup connect4, connect6", "cgroup/connect"),
    FENTRY("fentry", "fexit tcp_v4_connect, tcp_v6_connect", "fexit/", "fentry/"),
    KPROBE("kprobe", "kprobe+kretprobe tcp_v4_connect, tcp_v6_connect", "kprobe/", "kretprobe/"),
    SYSCALL_TRACEPOINT("syscall_tracepoint", "tracepoints syscalls/sys_enter|exit_connect", "tracepoint/syscalls/");

    private final String label;
    private final String hooks;
    private final String[] sectionPrefixes;

    HookTier(String label, String hooks, String... sectionPrefixes) {
        this.label = label;
        this.hooks = hooks;
        this.sectionPrefixes = sectionPrefixes;
    }

    @Override
    public String label() {
        return label;
    }

    @Override
    public String hooks() {
        return hooks;
    }

    @Override
    public String objectFile() {
        return ConnectSkeleton.OBJECT_FILE;
    }

    @Override
    public byte[] objectBytes(String arch) {
        return ConnectSkeleton.objectBytes(arch);
    }

    @Override
    public boolean owns(BpfProgram program) {
        return owns(program.section());
    }

    /** Whether a program in this ELF section belongs to this tier. */
    boolean owns(String section) {
        return Tier.inSections(section, sectionPrefixes);
    }
}
