package dev.k8sebpf.agent.kernel;

import dev.k8sebpf.agent.bpf.ConnectEvent;
import dev.k8sebpf.agent.bpf.ConnectSkeleton;
import dev.k8sebpf.agent.hooks.Layer;
import dev.k8sebpf.agent.hooks.OwnProcess;
import dev.k8sebpf.agent.hooks.TierUnavailable;
import dev.k8sebpf.agent.loader.BpfException;
import dev.k8sebpf.agent.loader.BpfObject;
import dev.k8sebpf.agent.loader.EventRing;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** The connect hooks' part in bringing up a tier: their settings, excluded_comms, and the node's cgroup2 root. */
final class ConnectLayer implements Layer<HookTier, ConnectEvent> {
    private final byte[] rodata;
    private final ExcludedComms excluded;
    private final Optional<Path> subtree;

    ConnectLayer(L4Options options, ExcludedComms excluded) {
        OwnProcess self = options.ownProcess();
        this.rodata = new ConnectSkeleton.Rodata().emitExcluded(options.emitExcluded() ? 1 : 0)
                .agentNsTgid(self.nsTgid()).agentPidnsInum(self.pidNamespaceInode()).toBytes();
        this.excluded = excluded;
        this.subtree = options.cgroupSubtree();
    }

    @Override
    public String hooksName() {
        return "connect";
    }

    @Override
    public String tierName() {
        return "hook tier";
    }

    @Override
    public long eventSize() {
        return ConnectEvent.SIZE;
    }

    @Override
    public String eventStruct() {
        return "a connect_event";
    }

    @Override
    public EventRing.Decoder<ConnectEvent> decoder() {
        return (seg, offset, length) -> ConnectEvent.decode(seg, offset);
    }

    @Override
    public byte[] rodata(HookTier tier) {
        return rodata;
    }

    @Override
    public void loaded(HookTier tier, BpfObject object) throws BpfException {
        excluded.writeTo(object.map(ConnectSkeleton.BpfMap.EXCLUDED_COMMS.mapName()));
    }

    /** The node's cgroup2 root, or CGROUP_SUBTREE; unavailable when hooks there would not see what they should. */
    @Override
    public String cgroup() throws TierUnavailable {
        return subtree.isPresent() ? cgroupSubtree(subtree.get()) : cgroupRoot();
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
}
