package dev.k8sebpf.agent.l7;

/** The TLS handshake suite on fexit on inet_recvmsg/inet6_recvmsg. */
class FentryTlsCountTest extends TlsHandshakeCountSuite {
    @Override
    L7HookTier tier() {
        return L7HookTier.FENTRY;
    }
}
