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
import dev.k8sebpf.agent.loader.EventRing;
import dev.k8sebpf.agent.loader.LibbpfProbe;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The kernel side of L7 counting: loads bpf/http.bpf.c, attaches its two hooks and drains its ring
 * buffer on demand. Tracepoints are the only hook it needs, so there is no tier choice. poll and close
 * may run on different threads (poller, shutdown hook); they are serialised so the ring is never
 * unmapped under a reader.
 */
public final class L7Kernel implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(L7Kernel.class);
    private static final int STAT_LOST = 0; // HTTP_STAT_LOST in bpf/include/http_event.h

    private final BpfObject object;
    private final List<BpfLink> links;
    private final EventRing<HttpEventView> ring;
    private final BpfMap stats;
    private final int cpus;
    private boolean closed;
    private long finalLost;

    private L7Kernel(BpfObject object, List<BpfLink> links, EventRing<HttpEventView> ring, int cpus) {
        this.object = object;
        this.links = links;
        this.ring = ring;
        this.stats = object.map(HttpSkeleton.BpfMap.STATS.mapName());
        this.cpus = cpus;
    }

    /**
     * Loads and attaches the HTTP hooks.
     *
     * @param ignoredTgid a process whose receives the kernel skips (the agent itself, so its own
     *                    /metrics scrapes are never counted); 0 skips none
     */
    public static L7Kernel open(long ignoredTgid) throws KernelException {
        if (!LibbpfProbe.installed()) {
            throw new KernelException(LibbpfProbe.libraryName() + " not found: apt-get install libbpf1");
        }
        byte[] elf = ObjectFiles.forThisArch(HttpSkeleton::objectBytes);
        byte[] rodata = new HttpSkeleton.Rodata().agentTgid(ignoredTgid).toBytes();
        BpfObject object;
        try {
            object = BpfObject.open("http", elf);
        } catch (BpfException e) {
            throw failure("open " + HttpSkeleton.OBJECT_FILE, e);
        }
        List<BpfLink> links = new ArrayList<>();
        EventRing<HttpEventView> ring = null;
        String step = "configure";
        try {
            object.map(HttpSkeleton.Rodata.MAP_NAME).setInitialValue(rodata);
            step = "load";
            object.load();
            step = "map ring buffer";
            ring = EventRing.open(object.map(HttpSkeleton.BpfMap.EVENTS.mapName()), HttpEvent.SIZE, "an http_event",
                    new HttpEventView()::at);
            step = "count CPUs";
            int cpus = BpfMap.possibleCpus();
            for (HttpSkeleton.Program program : HttpSkeleton.Program.values()) {
                step = "attach " + program.programName();
                links.add(object.program(program.programName()).attach());
            }
            LOG.info("HTTP hooks attached: raw tracepoint sock_recv_length and tracepoint sock/inet_sock_set_state");
            return new L7Kernel(object, links, ring, cpus);
        } catch (BpfException e) {
            release(object, links, ring);
            throw failure(step, e);
        } catch (RuntimeException e) {
            release(object, links, ring);
            throw e;
        }
    }

    private static KernelException failure(String step, BpfException e) {
        e.libbpfLog().forEach(line -> LOG.warn("libbpf: {}", line));
        if (e.errnoName().equals("EPERM") && !Capabilities.current().canLoadBpf()) {
            return new KernelException("missing privileges to load BPF programs: needs CAP_BPF and CAP_PERFMON (or root)", e);
        }
        return new KernelException("HTTP hooks: " + step + " failed with " + e.errnoName(), e);
    }

    /**
     * Hands every event in the ring buffer to the sink now, without blocking; returns how many; 0 once
     * closed. The sink sees one reused view: it must not keep it past its call.
     */
    public synchronized int poll(Consumer<HttpEventView> sink) {
        if (closed) {
            return 0;
        }
        return ring.poll(sink);
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
            release(object, links, ring);
        }
        LOG.info("HTTP hooks detached");
    }

    private static void release(BpfObject object, List<BpfLink> links, EventRing<?> ring) {
        if (ring != null) {
            ring.close();
        }
        links.forEach(BpfLink::close);
        object.close();
    }
}
