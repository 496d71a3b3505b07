package dev.k8sebpf.agent.l7;

import dev.k8sebpf.agent.bpf.HttpSkeleton;
import dev.k8sebpf.agent.hooks.Tier;
import dev.k8sebpf.agent.loader.BpfProgram;

/**
 * How the HTTP hooks learn of a receive (and, with responses, of a send), in the order auto mode tries
 * them; all four are programs of bpf/http.bpf.c, and each loads with the tracepoint that forgets closed
 * connections. The sock tracepoints (Linux 6.3+) fire for socket receives and sends only. fentry and
 * kprobe on inet_recvmsg and inet6_recvmsg (inet_sendmsg, inet6_sendmsg) serve kernels 5.15 to 6.2
 * (bpf_task_pt_regs) without the syscall tracepoints' cost: those, the last resort, slow down every
 * syscall on the node while attached. {@link #hooks()} names the receive hooks; the send hooks are the
 * same kind on the send side.
 */
public enum L7HookTier implements Tier {
    SOCK_TRACEPOINT("sock_tracepoint", "raw tracepoint sock_recv_length", "raw_tracepoint/sock_recv_length",
            "raw_tracepoint/sock_send_length"),
    FENTRY("fentry", "fexit inet_recvmsg, inet6_recvmsg", "fexit/", "fentry/"),
    KPROBE("kprobe", "kprobe+kretprobe inet_recvmsg, inet6_recvmsg", "kprobe/", "kretprobe/"),
    SYSCALL_TRACEPOINT("syscall_tracepoint", "tracepoints syscalls/sys_enter|exit_read|readv|recvfrom|recvmsg",
            "tracepoint/syscalls/");

    /** Every tier's: a closed connection's socket address is reused, so its mark must go. */
    private static final String CONNECTION_STATE = "raw_tracepoint/inet_sock_set_state";

    private final String label;
    private final String hooks;
    private final String[] sectionPrefixes;

    L7HookTier(String label, String hooks, String... sectionPrefixes) {
        this.label = label;
        this.hooks = hooks + ", raw tracepoint inet_sock_set_state";
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
        return HttpSkeleton.OBJECT_FILE;
    }

    @Override
    public byte[] objectBytes(String arch) {
        return HttpSkeleton.objectBytes(arch);
    }

    /** A program on the send side (its hook's name says send or write), loaded only when responses are followed. */
    static boolean sends(BpfProgram program) {
        String hook = program.section().substring(program.section().lastIndexOf('/') + 1);
        return hook.contains("send") || hook.contains("write");
    }

    @Override
    public boolean owns(BpfProgram program) {
        return program.section().equals(CONNECTION_STATE) || Tier.inSections(program.section(), sectionPrefixes);
    }
}
