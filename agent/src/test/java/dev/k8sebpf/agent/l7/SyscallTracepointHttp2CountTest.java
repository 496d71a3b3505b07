package dev.k8sebpf.agent.l7;

/** The HTTP/2 count suite on the receive syscalls' tracepoints. */
class SyscallTracepointHttp2CountTest extends Http2RequestCountSuite {
    @Override
    L7HookTier tier() {
        return L7HookTier.SYSCALL_TRACEPOINT;
    }
}
