package dev.k8sebpf.agent.l7;

/** The HTTP/2 count suite on fexit on inet_recvmsg (before 6.3). */
class FentryHttp2CountTest extends Http2RequestCountSuite {
    @Override
    L7HookTier tier() {
        return L7HookTier.FENTRY;
    }
}
