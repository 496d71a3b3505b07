package dev.k8sebpf.agent.l7;

/** The count suite on kprobe+kretprobe on inet_recvmsg and inet6_recvmsg (Linux 5.15+ with kprobes). */
class KprobeHttpCountTest extends HttpRequestCountSuite {
    @Override
    L7HookTier tier() {
        return L7HookTier.KPROBE;
    }
}
