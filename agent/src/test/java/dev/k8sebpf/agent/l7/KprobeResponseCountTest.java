package dev.k8sebpf.agent.l7;

/** The response suite on kprobes on inet_sendmsg/inet6_sendmsg (and on the receives). */
class KprobeResponseCountTest extends HttpResponseCountSuite {
    @Override
    L7HookTier tier() {
        return L7HookTier.KPROBE;
    }
}
