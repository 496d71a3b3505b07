package dev.k8sebpf.agent.l7;

/** The TLS handshake suite on the read/recv syscall tracepoints. */
class SyscallTracepointTlsCountTest extends TlsHandshakeCountSuite {
    @Override
    L7HookTier tier() {
        return L7HookTier.SYSCALL_TRACEPOINT;
    }
}
