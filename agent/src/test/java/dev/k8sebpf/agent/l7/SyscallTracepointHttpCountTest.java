package dev.k8sebpf.agent.l7;

/** The count suite on the fallback for kernels before 6.3: the receive syscalls' tracepoints. */
class SyscallTracepointHttpCountTest extends HttpRequestCountSuite {
    @Override
    L7HookTier tier() {
        return L7HookTier.SYSCALL_TRACEPOINT;
    }
}
