package dev.k8sebpf.agent.l7;

/** The count suite on the tier Linux 6.3+ uses: raw tracepoint sock_recv_length. */
class SockTracepointHttpCountTest extends HttpRequestCountSuite {
    @Override
    L7HookTier tier() {
        return L7HookTier.SOCK_TRACEPOINT;
    }
}
