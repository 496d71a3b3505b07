package dev.k8sebpf.agent.l7;

/** The count suite on fexit on inet_recvmsg and inet6_recvmsg (Linux 5.15+ with BPF trampolines). */
class FentryHttpCountTest extends HttpRequestCountSuite {
    @Override
    L7HookTier tier() {
        return L7HookTier.FENTRY;
    }
}
