package dev.k8sebpf.agent.l7;

/** The TLS handshake suite on kprobes on inet_recvmsg/inet6_recvmsg. */
class KprobeTlsCountTest extends TlsHandshakeCountSuite {
    @Override
    L7HookTier tier() {
        return L7HookTier.KPROBE;
    }
}
