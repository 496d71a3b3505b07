package dev.k8sebpf.agent.l7;

import dev.k8sebpf.agent.bpf.HttpSkeleton;
import dev.k8sebpf.agent.hooks.AttachedTier;
import dev.k8sebpf.agent.hooks.KernelException;
import dev.k8sebpf.agent.hooks.OneTier;
import dev.k8sebpf.agent.hooks.TierChoice;
import dev.k8sebpf.agent.loader.BpfException;
import dev.k8sebpf.agent.loader.BpfMap;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The kernel side of L7 counting: the object of the best {@link L7HookTier} that works here
 * (bpf/http.bpf.c, bpf/http_kernel_functions.bpf.c or bpf/http_syscalls.bpf.c; {@link TierChoice}), its
 * ring buffer drained on demand, and the repeat arms it shares with the pipelines ({@link KernelRepeats}).
 */
public final class L7Kernel implements AutoCloseable {
    /** Reads of the ring after the first in one poll, at most: under a steady flood, each one is short. */
    private static final int MAX_EXTRA_READS = 4;

    private final AttachedTier<L7HookTier, HttpEventView> attached;
    private final MemorySegment arms;
    private final KernelRepeats repeats;
    private boolean closed;

    private L7Kernel(AttachedTier<L7HookTier, HttpEventView> attached, MemorySegment arms, KernelRepeats repeats) {
        this.attached = attached;
        this.arms = arms;
        this.repeats = repeats;
    }

    /**
     * Loads and attaches the HTTP hooks on the best tier that works here, or on the forced one.
     *
     * @param forced      the tier L7_HOOK_TIER names; empty: the best that works
     * @param ignoredTgid a process whose receives the kernel skips (the agent itself, so its own
     *                    /metrics scrapes are never counted); 0 skips none
     */
    public static L7Kernel open(Optional<L7HookTier> forced, long ignoredTgid) throws KernelException {
        return open(forced.map(List::of).orElse(List.of(L7HookTier.values())), forced.isPresent(), ignoredTgid);
    }

    /** The first of candidates that works; forced: its failure is the caller's error, not a reason to go on. */
    static L7Kernel open(List<L7HookTier> candidates, boolean forced, long ignoredTgid) throws KernelException {
        AttachedTier<L7HookTier, HttpEventView> attached = TierChoice.attach(new HttpLayer(ignoredTgid), candidates,
                forced ? Optional.of(OneTier.FORCED) : Optional.empty());
        try {
            // every object defines the same maps (bpf/include/http_capture.h)
            BpfMap armsMap = attached.map(HttpSkeleton.BpfMap.REPEAT_ARMS.mapName());
            MemorySegment arms = armsMap.mmapArray();
            return new L7Kernel(attached, arms, new KernelRepeats(arms, (int) armsMap.maxEntries()));
        } catch (BpfException e) {
            attached.close();
            throw new KernelException("HTTP hooks: map repeat_arms " + e.errnoName(), e);
        }
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
     * Hands every event in the ring buffer to the sink now, without blocking, then what the kernel
     * counted itself (repeated requests, to the pipeline that offered them); returns how many events; 0
     * once closed. The sink sees one reused view: it must not keep it past its call.
     */
    public synchronized int poll(Consumer<HttpEventView> sink) {
        if (closed) {
            return 0;
        }
        // Read again while events keep coming in: an arm is published with the seq of the last event
        // read, and one the kernel sent in the meantime would void it at the connection's next read.
        int events = 0;
        int read;
        int extraReads = 0;
        do {
            read = attached.poll(sink);
            events += read;
        } while (read > 0 && extraReads++ < MAX_EXTRA_READS);
        repeats.endDrain(System.nanoTime());
        return events;
    }

    /** Where pipelines offer connections for the kernel to count repeated requests on. */
    KernelRepeats repeats() {
        return repeats;
    }

    /** Requests the kernel counted itself as repeats of an armed request ({@link KernelRepeats}). */
    public synchronized long repeatsCountedInKernel() {
        return repeats.counted();
    }

    /** Events the kernel dropped because the ring buffer was full. */
    public long lostEvents() {
        return attached.lostEvents();
    }

    /** Detaches the hooks and unloads the object. Idempotent; lostEvents keeps its last value. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            attached.close();
        } finally {
            BpfMap.unmap(arms); // after the ring: no poll can run (closed), and the map outlives the object's close
        }
    }
}
