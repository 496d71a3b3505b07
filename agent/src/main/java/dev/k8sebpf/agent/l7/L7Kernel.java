package dev.k8sebpf.agent.l7;

import dev.k8sebpf.agent.hooks.AttachedTier;
import dev.k8sebpf.agent.hooks.KernelException;
import dev.k8sebpf.agent.hooks.OneTier;
import dev.k8sebpf.agent.hooks.OwnProcess;
import dev.k8sebpf.agent.hooks.TierChoice;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The kernel side of L7 counting: the programs of the best {@link L7HookTier} that works here
 * (bpf/http.bpf.c; {@link TierChoice}), their ring buffer drained on demand.
 */
public final class L7Kernel implements AutoCloseable {
    private final AttachedTier<L7HookTier, HttpEventView> attached;

    private L7Kernel(AttachedTier<L7HookTier, HttpEventView> attached) {
        this.attached = attached;
    }

    /**
     * Loads and attaches the HTTP hooks on the best tier that works here, or on the forced one.
     *
     * @param forced      the tier L7_HOOK_TIER names; empty: the best that works
     * @param skipped the process whose receives the kernel skips (the agent itself, so its own /metrics
     *                scrapes are never counted), or {@link OwnProcess#NOBODY}
     * @param tlsHellos also report the receives of accepted connections' TLS ClientHellos
     * @param responses also load the tier's send programs, which report responses
     */
    public static L7Kernel open(Optional<L7HookTier> forced, OwnProcess skipped, boolean tlsHellos, boolean responses)
            throws KernelException {
        return open(forced.map(List::of).orElse(List.of(L7HookTier.values())), forced.isPresent(), skipped, tlsHellos, responses);
    }

    /** The first of candidates that works; forced: its failure is the caller's error, not a reason to go on. */
    static L7Kernel open(List<L7HookTier> candidates, boolean forced, OwnProcess skipped, boolean tlsHellos, boolean responses)
            throws KernelException {
        return new L7Kernel(TierChoice.attach(new HttpLayer(skipped, tlsHellos, responses), candidates,
                forced ? Optional.of(OneTier.FORCED) : Optional.empty()));
    }

    /** The tier the hooks run on. */
    public L7HookTier tier() {
        return attached.tier();
    }

    /** Why this tier: {@code sock_tracepoint: preferred}, {@code kprobe: forced}, or the fallbacks taken to get here. */
    public String tierReason() {
        return attached.reason();
    }

    /**
     * Hands every event in the ring buffer to the sink now, without blocking; returns how many; 0 once
     * closed. The sink sees one reused view: it must not keep it past its call.
     */
    public int poll(Consumer<HttpEventView> sink) {
        return attached.poll(sink);
    }

    /** Events the kernel dropped because the ring buffer was full. */
    public long lostEvents() {
        return attached.lostEvents();
    }

    /** Detaches the hooks and unloads the object. Idempotent; lostEvents keeps its last value. */
    @Override
    public void close() {
        attached.close();
    }
}
