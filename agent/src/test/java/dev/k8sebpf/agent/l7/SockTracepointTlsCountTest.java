package dev.k8sebpf.agent.l7;

/** The TLS handshake suite on raw tracepoint sock_recv_length (Linux 6.3+). */
class SockTracepointTlsCountTest extends TlsHandshakeCountSuite {
    @Override
    L7HookTier tier() {
        return L7HookTier.SOCK_TRACEPOINT;
    }
}
