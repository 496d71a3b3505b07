package dev.k8sebpf.agent.l7;

import dev.k8sebpf.agent.bpf.HttpEvent;
import dev.k8sebpf.agent.bpf.HttpSkeleton;
import dev.k8sebpf.agent.hooks.Layer;
import dev.k8sebpf.agent.hooks.OwnProcess;
import dev.k8sebpf.agent.loader.BpfProgram;
import dev.k8sebpf.agent.loader.EventRing;

/** The HTTP hooks' part in bringing up a tier: their event, read in place, and the process to skip. */
final class HttpLayer implements Layer<L7HookTier, HttpEventView> {
    private final byte[] rodata;
    private final HttpEventView view = new HttpEventView();
    private final boolean responses;

    /**
     * @param skipped   the process whose receives the kernel skips (the agent itself)
     * @param tlsHellos also report accepted connections' TLS ClientHellos
     * @param responses also load the send programs: without them no send on the node pays for a lookup
     */
    HttpLayer(OwnProcess skipped, boolean tlsHellos, boolean responses) {
        this.responses = responses;
        this.rodata = new HttpSkeleton.Rodata().agentNsTgid(skipped.nsTgid()).agentPidnsInum(skipped.pidNamespaceInode())
                .captureTls(tlsHellos ? 1 : 0).toBytes();
    }

    @Override
    public String hooksName() {
        return responses ? "HTTP request and response" : "HTTP";
    }

    @Override
    public String tierName() {
        return "HTTP hook tier";
    }

    @Override
    public long eventSize() {
        return HttpEvent.SIZE;
    }

    @Override
    public String eventStruct() {
        return "an http_event";
    }

    /** One reused view: the pipeline must not keep it past its call. */
    @Override
    public EventRing.Decoder<HttpEventView> decoder() {
        return view::at;
    }

    @Override
    public boolean wants(BpfProgram program) {
        return responses || !L7HookTier.sends(program);
    }

    @Override
    public byte[] rodata(L7HookTier tier) {
        return rodata;
    }
}
