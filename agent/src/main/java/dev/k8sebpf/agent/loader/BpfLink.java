package dev.k8sebpf.agent.loader;

import java.lang.foreign.MemorySegment;

/** An attached program. Closing it detaches the program (bpf_link__destroy). */
public final class BpfLink implements AutoCloseable {
    private MemorySegment link;

    BpfLink(MemorySegment link) {
        this.link = link;
    }

    @Override
    public void close() {
        if (link == null) {
            return;
        }
        try {
            int rc = (int) Libbpf.LINK_DESTROY.invokeExact(link);
            assert rc == 0 : "bpf_link__destroy: " + rc;
        } catch (Throwable t) {
            throw new AssertionError(t);
        } finally {
            link = null;
        }
    }
}
