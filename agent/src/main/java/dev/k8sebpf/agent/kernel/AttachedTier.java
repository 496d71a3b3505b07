package dev.k8sebpf.agent.kernel;

import dev.k8sebpf.agent.bpf.ConnectEvent;
import dev.k8sebpf.agent.bpf.ConnectSkeleton;
import dev.k8sebpf.agent.loader.BpfException;
import dev.k8sebpf.agent.loader.BpfLink;
import dev.k8sebpf.agent.loader.BpfMap;
import dev.k8sebpf.agent.loader.BpfObject;
import dev.k8sebpf.agent.loader.BpfProgram;
import dev.k8sebpf.agent.loader.EventRing;
import dev.k8sebpf.agent.loader.Libc;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** One tier loaded and attached: its object, links, the mapped ring buffer and the stats map. */
final class AttachedTier implements AutoCloseable {
    private static final int STAT_LOST = 0;
    private static final int STAT_EXCLUDED = 1;

    private final BpfObject object;
    private final List<BpfLink> links;
    private final EventRing<ConnectEvent> ring;
    private final BpfMap stats;
    private final int cpus;

    private final Optional<String> cgroup;

    private AttachedTier(BpfObject object, List<BpfLink> links, EventRing<ConnectEvent> ring, int cpus,
                         Optional<String> cgroup) {
        this.cgroup = cgroup;
        this.object = object;
        this.links = links;
        this.ring = ring;
        this.stats = object.map(ConnectSkeleton.BpfMap.STATS.mapName());
        this.cpus = cpus;
    }

    /** Loads the tier, fills excluded_comms, maps the ring and attaches; on any failure leaves nothing behind. */
    static AttachedTier attach(HookTier tier, byte[] elf, byte[] rodata, ExcludedComms excluded,
                               Optional<Path> subtree) throws TierUnavailable {
        BpfObject object = TierObject.load(tier, elf, rodata);
        List<BpfLink> links = new ArrayList<>();
        EventRing<ConnectEvent> ring = null;
        String step = "fill excluded_comms";
        try {
            excluded.writeTo(object.map(ConnectSkeleton.BpfMap.EXCLUDED_COMMS.mapName()));
            step = "map ring buffer";
            ring = EventRing.open(object.map(ConnectSkeleton.BpfMap.EVENTS.mapName()), ConnectEvent.SIZE,
                    "a connect_event", ConnectEvent::decode);
            step = "count CPUs";
            int cpus = BpfMap.possibleCpus();
            Optional<String> cgroup = tier != HookTier.CGROUP ? Optional.empty()
                    : Optional.of(subtree.isPresent() ? cgroupSubtree(subtree.get()) : cgroupRoot());
            Integer cgroupFd = cgroup.isPresent() ? openDirectory(cgroup.get()) : null;
            try {
                for (BpfProgram program : object.programs()) {
                    if (tier.owns(program.section())) {
                        step = "attach " + program.name();
                        links.add(cgroupFd != null ? program.attachCgroup(cgroupFd) : program.attach());
                    }
                }
            } finally {
                if (cgroupFd != null) {
                    Libc.close(cgroupFd); // the links keep the cgroup
                }
            }
            return new AttachedTier(object, links, ring, cpus, cgroup);
        } catch (BpfException e) {
            release(object, links, ring);
            throw new TierUnavailable(step, e);
        } catch (TierUnavailable | RuntimeException e) {
            release(object, links, ring);
            throw e;
        }
    }

    private static String mountinfo() {
        try {
            return Files.readString(Path.of("/proc/self/mountinfo"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The cgroup2 mount to attach to; unavailable when it would not see the whole node. */
    private static String cgroupRoot() throws TierUnavailable {
        String root = CgroupRoot.find(mountinfo()).orElseThrow(() -> new TierUnavailable(
                "no cgroup2 mount in /proc/self/mountinfo: " + CgroupRoot.MOUNT_HINT, true));
        Optional<String> blind = CgroupRoot.blindness(Path.of(root));
        if (blind.isPresent()) {
            throw new TierUnavailable(blind.get(), true);
        }
        return root;
    }

    /** CGROUP_SUBTREE: deliberately not the root, but it must be a cgroup of the cgroup2 hierarchy. */
    private static String cgroupSubtree(Path subtree) throws TierUnavailable {
        Optional<String> problem = CgroupRoot.subtreeProblem(subtree, mountinfo());
        if (problem.isPresent()) {
            throw new TierUnavailable("CGROUP_SUBTREE " + subtree + ": " + problem.get(), true);
        }
        return subtree.toString();
    }

    private static int openDirectory(String root) throws TierUnavailable {
        try {
            return Libc.openDirectory(root);
        } catch (BpfException e) {
            throw new TierUnavailable("open " + root, e);
        }
    }

    /** The cgroup2 directory the hooks are attached to (cgroup tier only). */
    Optional<String> cgroup() {
        return cgroup;
    }

    /** Drains the ring into the sink; returns the events handed over. */
    int poll(ConnectEventSink sink) {
        return ring.poll(sink::accept);
    }

    long lostEvents() {
        return sumStat(STAT_LOST);
    }

    long excludedAttempts() {
        return sumStat(STAT_EXCLUDED);
    }

    private long sumStat(int index) {
        try {
            return stats.sumPerCpu(index, cpus);
        } catch (BpfException e) {
            throw new IllegalStateException("reading the stats map: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        release(object, links, ring);
    }

    private static void release(BpfObject object, List<BpfLink> links, EventRing<?> ring) {
        if (ring != null) {
            ring.close();
        }
        links.forEach(BpfLink::close);
        object.close();
    }
}
