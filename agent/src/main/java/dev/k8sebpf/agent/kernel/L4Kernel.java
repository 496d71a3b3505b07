package dev.k8sebpf.agent.kernel;

import dev.k8sebpf.agent.bpf.ConnectEvent;
import dev.k8sebpf.agent.bpf.ConnectSkeleton;
import dev.k8sebpf.agent.bpf.HookStat;
import dev.k8sebpf.agent.hooks.AttachedTier;
import dev.k8sebpf.agent.hooks.KernelException;
import dev.k8sebpf.agent.hooks.OneTier;
import dev.k8sebpf.agent.hooks.TierChoice;
import dev.k8sebpf.agent.loader.LibbpfProbe;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The kernel side of L4 counting: bpf/connect.bpf.c on the best hook tier that works on this node
 * ({@link TierChoice}), its ring buffer drained on demand.
 */
public final class L4Kernel implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(L4Kernel.class);
    private static final OneTier SUBTREE_ONLY = new OneTier("CGROUP_SUBTREE, this subtree only", "(CGROUP_SUBTREE)");

    private final AttachedTier<HookTier, ConnectEvent> attached;

    private L4Kernel(AttachedTier<HookTier, ConnectEvent> attached) {
        this.attached = attached;
    }

    /** Loads and attaches the forced tier, or else the first of {@link HookTier}'s order that works. */
    public static L4Kernel open(L4Options options) throws KernelException {
        LOG.info("{}: {}", LibbpfProbe.libraryName(), LibbpfProbe.origin());
        var layer = new ConnectLayer(options, excludedComms(options));
        Optional<OneTier> only = options.cgroupSubtree().isPresent() ? Optional.of(SUBTREE_ONLY)
                : options.forcedTier().map(tier -> OneTier.FORCED);
        var kernel = new L4Kernel(TierChoice.attach(layer, options.candidates(), only));
        options.cgroupSubtree().ifPresent(subtree -> LOG.warn("CGROUP_SUBTREE={}: counting only the connects of processes"
                + " in this cgroup subtree, not the whole node", subtree));
        return kernel;
    }

    private static ExcludedComms excludedComms(L4Options options) throws KernelException {
        ExcludedComms excluded = ExcludedComms.of(options.excludeComms());
        long capacity = ConnectSkeleton.BpfMap.EXCLUDED_COMMS.maxEntries();
        if (excluded.names().size() > capacity) {
            throw new KernelException("EXCLUDE_COMMS lists " + excluded.names().size() + " process names; at most "
                    + capacity + " are supported");
        }
        return excluded;
    }

    public HookTier tier() {
        return attached.tier();
    }

    /** The cgroup2 directory the hooks are attached to, in this process's mount namespace (cgroup tier only). */
    public Optional<String> cgroup() {
        return attached.cgroup();
    }

    /** Why this tier: {@code cgroup: preferred}, {@code kprobe: forced}, or the fallbacks taken to get here. */
    public String tierReason() {
        return attached.reason();
    }

    /** Hands every event in the ring buffer to the sink now, without blocking; 0 once closed. */
    public int poll(ConnectEventSink sink) {
        return attached.poll(sink::accept);
    }

    /** Events the kernel dropped because the ring buffer was full. */
    public long lostEvents() {
        return attached.lostEvents();
    }

    /** Attempts by processes in EXCLUDE_COMMS (counted in the kernel). */
    public long excludedAttempts() {
        return attached.stat(HookStat.STAT_EXCLUDED);
    }

    /** Detaches every hook and unloads the programs. Idempotent; the counters keep their last values. */
    @Override
    public void close() {
        attached.close();
    }
}
