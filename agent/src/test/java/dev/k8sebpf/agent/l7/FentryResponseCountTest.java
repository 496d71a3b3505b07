package dev.k8sebpf.agent.l7;

/** The response suite on fentry on inet_sendmsg/inet6_sendmsg (and fexit on the receives). */
class FentryResponseCountTest extends HttpResponseCountSuite {
    @Override
    L7HookTier tier() {
        return L7HookTier.FENTRY;
    }
}
