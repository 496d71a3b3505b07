package dev.k8sebpf.agent.l7;

/** The response suite on the write/send and read/recv syscall tracepoints. */
class SyscallTracepointResponseCountTest extends HttpResponseCountSuite {
    @Override
    L7HookTier tier() {
        return L7HookTier.SYSCALL_TRACEPOINT;
    }
}
