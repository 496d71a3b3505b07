package dev.k8sebpf.agent.l7;

/** The response suite on raw tracepoints sock_send_length and sock_recv_length (Linux 6.3+). */
class SockTracepointResponseCountTest extends HttpResponseCountSuite {
    @Override
    L7HookTier tier() {
        return L7HookTier.SOCK_TRACEPOINT;
    }
}
