package dev.k8sebpf.agent.hooks;

import dev.k8sebpf.agent.bpf.HookStat;
import dev.k8sebpf.agent.loader.BpfException;
import dev.k8sebpf.agent.loader.BpfLink;
import dev.k8sebpf.agent.loader.BpfMap;
import dev.k8sebpf.agent.loader.BpfObject;
import dev.k8sebpf.agent.loader.BpfProgram;
import dev.k8sebpf.agent.loader.EventRing;
import dev.k8sebpf.agent.loader.Libc;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One tier loaded and attached: its object, links, the mapped ring buffer {@code events} and the per-CPU
 * array {@code stats} (index 0: events lost to a full ring, in every object). poll, stat and close may run
 * on different threads (the poller, a scrape, a shutdown hook); they are serialised so the ring is never
 * unmapped under a reader, and the stats keep their last values once closed.
 */
public final class AttachedTier<T extends Tier, E> implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AttachedTier.class);
    private static final String EVENTS = "events";
    private static final String STATS = "stats";

    private final String hooksName;
    private final T tier;
    private final String reason;
    private final Optional<String> cgroup;
    private final BpfObject object;
    private final List<BpfLink> links;
    private final EventRing<E> ring;
    private final BpfMap stats;
    private final int cpus;
    private long[] finalStats;

    private AttachedTier(String hooksName, T tier, String reason, Optional<String> cgroup, BpfObject object, List<BpfLink> links,
                         EventRing<E> ring, int cpus) {
        this.hooksName = hooksName;
        this.tier = tier;
        this.reason = reason;
        this.cgroup = cgroup;
        this.object = object;
        this.links = links;
        this.ring = ring;
        this.stats = object.map(STATS);
        this.cpus = cpus;
    }

    /** Loads the tier, lets the layer fill its maps, maps the ring and attaches; on any failure leaves nothing behind. */
    static <T extends Tier, E> AttachedTier<T, E> attach(Layer<T, E> layer, T tier, byte[] elf, String reason)
            throws TierUnavailable {
        Predicate<BpfProgram> wanted = program -> tier.owns(program) && layer.wants(program);
        BpfObject object = TierObject.load(tier, wanted, elf, layer.rodata(tier));
        List<BpfLink> links = new ArrayList<>();
        EventRing<E> ring = null;
        String step = "fill maps";
        try {
            layer.loaded(tier, object);
            step = "map ring buffer";
            ring = EventRing.open(object.map(EVENTS), layer.eventSize(), layer.eventStruct(), layer.decoder());
            step = "count CPUs";
            int cpus = BpfMap.possibleCpus();
            List<BpfProgram> programs = object.programs().stream().filter(wanted).toList();
            Optional<String> cgroup = programs.stream().anyMatch(p -> p.section().startsWith("cgroup/"))
                    ? Optional.of(layer.cgroup()) : Optional.empty();
            Integer cgroupFd = cgroup.isPresent() ? openDirectory(cgroup.get()) : null;
            try {
                for (BpfProgram program : programs) {
                    step = "attach " + program.name();
                    links.add(program.section().startsWith("cgroup/") ? program.attachCgroup(cgroupFd) : program.attach());
                }
            } finally {
                if (cgroupFd != null) {
                    Libc.close(cgroupFd); // the links keep the cgroup
                }
            }
            return new AttachedTier<>(layer.hooksName(), tier, reason, cgroup, object, links, ring, cpus);
        } catch (BpfException e) {
            release(object, links, ring);
            throw new TierUnavailable(step, e);
        } catch (TierUnavailable | RuntimeException e) {
            release(object, links, ring);
            throw e;
        }
    }

    private static int openDirectory(String path) throws TierUnavailable {
        try {
            return Libc.openDirectory(path);
        } catch (BpfException e) {
            throw new TierUnavailable("open " + path, e);
        }
    }

    public T tier() {
        return tier;
    }

    /** Why this tier: {@code cgroup: preferred}, {@code kprobe: forced}, or the fallbacks taken to get here. */
    public String reason() {
        return reason;
    }

    /** The cgroup2 directory the tier's cgroup programs are attached to, in this process's mount namespace. */
    public Optional<String> cgroup() {
        return cgroup;
    }

    /** A map of the object, e.g. one the layer reads or maps itself. */
    public BpfMap map(String name) {
        return object.map(name);
    }

    /** Hands every event in the ring buffer to the sink now, without blocking; returns how many; 0 once closed. */
    public synchronized int poll(Consumer<? super E> sink) {
        return finalStats != null ? 0 : ring.poll(sink);
    }

    /** Events the kernel dropped because the ring buffer was full. */
    public long lostEvents() {
        return stat(HookStat.STAT_LOST);
    }

    /** An entry of the stats map (bpf/include/hook_stat.h), summed over CPUs. */
    public synchronized long stat(HookStat stat) {
        int index = (int) stat.value();
        return finalStats != null ? finalStats[index] : sum(index);
    }

    private long sum(int index) {
        try {
            return stats.sumPerCpu(index, cpus);
        } catch (BpfException e) {
            throw new IllegalStateException("reading the stats map of " + tier.objectFile() + ": " + e.getMessage(), e);
        }
    }

    /** Detaches every hook and unloads the programs. Idempotent. */
    @Override
    public synchronized void close() {
        if (finalStats != null) {
            return;
        }
        long[] last = new long[(int) stats.maxEntries()];
        try {
            for (int i = 0; i < last.length; i++) {
                last[i] = sum(i);
            }
        } finally {
            finalStats = last;
            release(object, links, ring);
        }
        LOG.info("{} hooks detached", hooksName);
    }

    private static void release(BpfObject object, List<BpfLink> links, EventRing<?> ring) {
        if (ring != null) {
            ring.close();
        }
        links.forEach(BpfLink::close);
        object.close();
    }
}
