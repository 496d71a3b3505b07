package dev.k8sebpf.agent.l7;

/** The HTTP/2 count suite on the sock_recv_length raw tracepoint (6.3+). */
class SockTracepointHttp2CountTest extends Http2RequestCountSuite {
    @Override
    L7HookTier tier() {
        return L7HookTier.SOCK_TRACEPOINT;
    }
}
