package dev.k8sebpf.agent.l7;

/** The HTTP/2 count suite on kprobes, where tracing programs cannot load. */
class KprobeHttp2CountTest extends Http2RequestCountSuite {
    @Override
    L7HookTier tier() {
        return L7HookTier.KPROBE;
    }
}
