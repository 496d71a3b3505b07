package dev.k8sebpf.agent.kernel;

import dev.k8sebpf.agent.bpf.ConnectSkeleton;
import dev.k8sebpf.agent.loader.LibbpfProbe;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The kernel side of L4 counting: loads bpf/connect.bpf.c for the best hook tier that works on this
 * node, attaches it, and drains its ring buffer on demand. poll and close may run on different threads
 * (the poller and a shutdown hook); they are serialised so the ring is never unmapped under a reader.
 */
public final class L4Kernel implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(L4Kernel.class);
    private static final Path KERNEL_BTF = Path.of("/sys/kernel/btf/vmlinux");

    private final HookTier tier;
    private final String tierReason;
    private final AttachedTier attached;
    private boolean closed;
    private long finalLost;
    private long finalExcluded;

    private L4Kernel(HookTier tier, String tierReason, AttachedTier attached) {
        this.tier = tier;
        this.tierReason = tierReason;
        this.attached = attached;
    }

    /** Loads and attaches the forced tier, or else the first of {@link HookTier}'s order that works. */
    public static L4Kernel open(L4Options options) throws KernelException {
        checkEnvironment(LibbpfProbe.installed(), KERNEL_BTF);
        LOG.info("{}: {}", LibbpfProbe.libraryName(), LibbpfProbe.origin());
        byte[] elf = ObjectFiles.forThisArch(ConnectSkeleton::objectBytes);
        OwnProcess self = options.ownProcess();
        byte[] rodata = new ConnectSkeleton.Rodata().emitExcluded(options.emitExcluded() ? 1 : 0)
                .agentNsTgid(self.nsTgid()).agentPidnsInum(self.pidNamespaceInode()).toBytes();
        ExcludedComms excluded = excludedComms(options);
        List<HookTier> candidates = options.candidates();
        List<String> fallbacks = new ArrayList<>();
        for (HookTier candidate : candidates) {
            try {
                AttachedTier attached = AttachedTier.attach(candidate, elf, rodata, excluded, options.cgroupSubtree());
                String reason = !fallbacks.isEmpty() ? String.join("; ", fallbacks)
                        : options.cgroupSubtree().isPresent() ? candidate.label() + ": CGROUP_SUBTREE, this subtree only"
                        : options.forcedTier().isPresent() ? candidate.label() + ": forced" : candidate.label() + ": preferred";
                if (options.cgroupSubtree().isPresent()) {
                    LOG.warn("CGROUP_SUBTREE={}: counting only the connects of processes in this cgroup subtree,"
                            + " not the whole node", options.cgroupSubtree().get());
                }
                LOG.info("connect hooks attached: tier {}{} ({})", candidate.label(),
                        attached.cgroup().map(path -> " at " + path).orElse(""), reason);
                return new L4Kernel(candidate, reason, attached);
            } catch (TierUnavailable e) {
                if (e.permissionDenied() && !Capabilities.current().canLoadBpf()) {
                    throw new KernelException("missing privileges to load BPF programs: needs CAP_BPF and CAP_PERFMON"
                            + " (or root)", e);
                }
                if (e.permissionDenied()) {
                    // No tier can load while seccomp refuses bpf() itself: say so instead of "load EPERM" four times.
                    Optional<String> seccomp = Seccomp.refusesBpf();
                    if (seccomp.isPresent()) {
                        throw new KernelException(seccomp.get(), e);
                    }
                }
                if (options.single()) {
                    e.libbpfLog().forEach(LOG::warn);
                    throw new KernelException("hook tier " + candidate.label()
                            + (options.cgroupSubtree().isPresent() ? " (CGROUP_SUBTREE)" : " was forced but")
                            + " does not work here: "
                            + e.reason() + Seccomp.perfEventHint(e.reason()).map(hint -> "; " + hint).orElse(""), e);
                }
                if (e.misconfigured()) {
                    LOG.warn("hook tier {} does not work here: {}", candidate.label(), e.reason());
                } else {
                    LOG.info("hook tier {} does not work here: {}", candidate.label(), e.reason());
                }
                e.libbpfLog().forEach(LOG::debug);
                fallbacks.add(candidate.label() + ": " + e.reason());
            }
        }
        String reasons = String.join("; ", fallbacks);
        throw new KernelException("no hook tier works here: " + reasons
                + Seccomp.perfEventHint(reasons).map(hint -> "; " + hint).orElse(""));
    }

    static void checkEnvironment(boolean libbpfInstalled, Path kernelBtf) throws KernelException {
        if (!libbpfInstalled) {
            throw new KernelException(LibbpfProbe.libraryName() + " not found: apt-get install libbpf1"
                    + (LibbpfProbe.installed() ? "" : " (" + LibbpfProbe.origin() + ")"));
        }
        if (!Files.exists(kernelBtf)) {
            throw new KernelException("kernel BTF not found at " + kernelBtf
                    + ": needs a kernel built with CONFIG_DEBUG_INFO_BTF=y");
        }
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
        return tier;
    }

    /** The cgroup2 directory the hooks are attached to, in this process's mount namespace (cgroup tier only). */
    public Optional<String> cgroup() {
        return attached.cgroup();
    }

    /** Why this tier: {@code cgroup: preferred}, {@code kprobe: forced}, or the fallbacks taken to get here. */
    public String tierReason() {
        return tierReason;
    }

    /** Hands every event in the ring buffer to the sink now, without blocking; 0 once closed. */
    public synchronized int poll(ConnectEventSink sink) {
        return closed ? 0 : attached.poll(sink);
    }

    /** Events the kernel dropped because the ring buffer was full. */
    public synchronized long lostEvents() {
        return closed ? finalLost : attached.lostEvents();
    }

    /** Attempts by processes in EXCLUDE_COMMS. */
    public synchronized long excludedAttempts() {
        return closed ? finalExcluded : attached.excludedAttempts();
    }

    /** Detaches every hook and unloads the programs. Idempotent; the counters keep their last values. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        try {
            finalLost = attached.lostEvents();
            finalExcluded = attached.excludedAttempts();
        } finally {
            closed = true;
            attached.close();
        }
        LOG.info("connect hooks detached");
    }
}
