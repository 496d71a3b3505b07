package dev.k8sebpf.agent.l7;

import dev.k8sebpf.agent.bpf.HttpEvent;
import dev.k8sebpf.agent.bpf.HttpSkeleton;
import dev.k8sebpf.agent.kernel.Capabilities;
import dev.k8sebpf.agent.kernel.KernelException;
import dev.k8sebpf.agent.kernel.ObjectFiles;
import dev.k8sebpf.agent.loader.BpfException;
import dev.k8sebpf.agent.loader.BpfLink;
import dev.k8sebpf.agent.loader.BpfMap;
import dev.k8sebpf.agent.loader.BpfObject;
import dev.k8sebpf.agent.loader.BpfProgram;
import dev.k8sebpf.agent.loader.EventRing;
import dev.k8sebpf.agent.loader.LibbpfProbe;
import dev.k8sebpf.agent.loader.MissingFeature;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The kernel side of L7 counting: loads the object of the best {@link L7HookTier} that works here
 * (bpf/http.bpf.c, bpf/http_kernel_functions.bpf.c or bpf/http_syscalls.bpf.c), attaches its hooks and
 * drains its ring buffer on demand. poll and close may run on different threads (poller, shutdown
 * hook); they are serialised so the ring is never unmapped under a reader.
 */
public final class L7Kernel implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(L7Kernel.class);
    /** Reads of the ring after the first in one poll, at most: under a steady flood, each one is short. */
    private static final int MAX_EXTRA_READS = 4;
    private static final int STAT_LOST = 0; // HTTP_STAT_LOST in bpf/include/http_event.h

    private final L7HookTier tier;
    private final List<String> skipped;
    private final BpfObject object;
    private final List<BpfLink> links;
    private final EventRing<HttpEventView> ring;
    private final MemorySegment arms;
    private final KernelRepeats repeats;
    private final BpfMap stats;
    private final int cpus;
    private boolean closed;
    private long finalLost;

    private L7Kernel(L7HookTier tier, List<String> skipped, BpfObject object, List<BpfLink> links,
                     EventRing<HttpEventView> ring, MemorySegment arms, KernelRepeats repeats, int cpus) {
        this.tier = tier;
        this.skipped = skipped;
        this.object = object;
        this.links = links;
        this.ring = ring;
        this.arms = arms;
        this.repeats = repeats;
        this.stats = object.map(HttpSkeleton.BpfMap.STATS.mapName());
        this.cpus = cpus;
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
        if (!LibbpfProbe.installed()) {
            throw new KernelException(LibbpfProbe.libraryName() + " not found: apt-get install libbpf1");
        }
        List<String> skipped = new ArrayList<>();
        for (L7HookTier tier : candidates) {
            try {
                L7Kernel kernel = open(tier, ignoredTgid, skipped);
                LOG.info("HTTP hooks attached: tier {} ({}){}", tier.label(), tier.hooks(),
                        skipped.isEmpty() ? "" : "; skipped " + String.join(", ", skipped));
                return kernel;
            } catch (TierFailure f) {
                // a known missing feature is the whole story (one line below); else the verifier's words matter
                boolean known = MissingFeature.of(f.step, f.getCause()).isPresent();
                f.getCause().libbpfLog().forEach(line -> {
                    if (forced || !known) {
                        LOG.warn("libbpf: {}", line);
                    } else {
                        LOG.debug("libbpf: {}", line);
                    }
                });
                if (f.getCause().errnoName().equals("EPERM") && !Capabilities.current().canLoadBpf()) {
                    throw new KernelException("missing privileges to load BPF programs: needs CAP_BPF and CAP_PERFMON (or root)",
                            f.getCause());
                }
                String reason = MissingFeature.describe(f.step, f.getCause());
                if (forced) {
                    throw new KernelException("HTTP hook tier " + tier.label() + " was forced but does not work here: "
                            + reason, f.getCause());
                }
                LOG.warn("HTTP hook tier {} does not work here: {}", tier.label(), reason);
                skipped.add(tier.label() + ": " + reason);
            }
        }
        throw new KernelException("no HTTP hook tier works here (" + String.join("; ", skipped) + ")");
    }

    /** Opens, loads and attaches one tier's object; nothing stays loaded when it fails. */
    private static L7Kernel open(L7HookTier tier, long ignoredTgid, List<String> skipped) throws TierFailure, KernelException {
        BpfObject object = load(tier, ObjectFiles.forThisArch(tier.objectBytes()), ignoredTgid);
        List<BpfLink> links = new ArrayList<>();
        EventRing<HttpEventView> ring = null;
        MemorySegment arms = null;
        String step = "map ring buffer";
        try {
            ring = EventRing.open(object.map(HttpSkeleton.BpfMap.EVENTS.mapName()), HttpEvent.SIZE, "an http_event",
                    new HttpEventView()::at);
            step = "map repeat arms";
            BpfMap armsMap = object.map(HttpSkeleton.BpfMap.REPEAT_ARMS.mapName());
            arms = armsMap.mmapArray();
            var repeats = new KernelRepeats(arms, (int) armsMap.maxEntries());
            step = "count CPUs";
            int cpus = BpfMap.possibleCpus();
            for (String program : tier.programs()) {
                step = "attach " + program;
                links.add(object.program(program).attach());
            }
            return new L7Kernel(tier, List.copyOf(skipped), object, links, ring, arms, repeats, cpus);
        } catch (BpfException e) {
            release(object, links, ring, arms);
            throw new TierFailure(step, e);
        } catch (RuntimeException e) {
            release(object, links, ring, arms);
            throw e;
        }
    }

    /** Opens elf (the tier's object, for any arch) and loads only the tier's programs; nothing is attached. */
    static BpfObject load(L7HookTier tier, byte[] elf, long ignoredTgid) throws TierFailure {
        BpfObject object;
        try {
            object = BpfObject.open("http", elf);
        } catch (BpfException e) {
            throw new TierFailure("open " + tier.objectFile(), e);
        }
        String step = "configure";
        try {
            for (BpfProgram program : object.programs()) {
                program.setAutoload(tier.programs().contains(program.name()));
            }
            // every object defines the same maps (bpf/include/http_capture.h)
            object.map(HttpSkeleton.Rodata.MAP_NAME).setInitialValue(tier.rodata(ignoredTgid));
            step = "load";
            object.load();
            return object;
        } catch (BpfException e) {
            object.close();
            throw new TierFailure(step, e);
        } catch (RuntimeException e) {
            object.close();
            throw e;
        }
    }

    /** A step of one tier failed; the caller decides whether another tier is tried. */
    static final class TierFailure extends Exception {
        final String step;

        TierFailure(String step, BpfException cause) {
            super(step, cause, false, false);
            this.step = step;
        }

        @Override
        public synchronized BpfException getCause() {
            return (BpfException) super.getCause();
        }
    }

    /** The tier the hooks run on. */
    public L7HookTier tier() {
        return tier;
    }

    /** The better tiers tried first and why each failed, e.g. {@code fentry: load EPERM}; empty when none. */
    public List<String> skipped() {
        return skipped;
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
            read = ring.poll(sink);
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
    public synchronized long lostEvents() {
        if (closed) {
            return finalLost;
        }
        try {
            return stats.sumPerCpu(STAT_LOST, cpus);
        } catch (BpfException e) {
            throw new IllegalStateException("reading the HTTP stats map: " + e.getMessage(), e);
        }
    }

    /** Detaches both hooks and unloads the object. Idempotent; lostEvents keeps its last value. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        try {
            finalLost = lostEvents();
        } finally {
            closed = true;
            release(object, links, ring, arms);
        }
        LOG.info("HTTP hooks detached");
    }

    /** arms: the mmapped repeat_arms array, or null. */
    private static void release(BpfObject object, List<BpfLink> links, EventRing<?> ring, MemorySegment arms) {
        if (ring != null) {
            ring.close();
        }
        if (arms != null) {
            BpfMap.unmap(arms);
        }
        links.forEach(BpfLink::close);
        object.close();
    }
}
