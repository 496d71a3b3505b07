package dev.k8sebpf.agent.kubernetes;

import dev.k8sebpf.agent.kubernetes.SourceKey.Kind;
import dev.k8sebpf.agent.mapping.Destination;
import dev.k8sebpf.agent.mapping.IpKey;
import dev.k8sebpf.agent.mapping.MappingTable;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * Per IP, the objects claiming it; writes the winning destination to the {@link MappingTable}.
 *
 * <p>Several objects can claim one IP: a pod and the EndpointSlices of every Service selecting it, or an old
 * and a new pod while an IP is being reused and the old pod's deletion has not arrived yet. The most recent
 * claim wins, so a reused IP maps to its new owner at once; but a pod's own claim (ns, "", pod) never hides
 * an EndpointSlice claim for that same pod, since the Service-qualified name is the more useful label.
 * Not thread-safe: {@link ClusterState} serialises access.
 */
final class ClaimIndex {
    private static final Holder[] NONE = new Holder[0];

    private record Holder(SourceKey source, Destination destination, long seq) {
    }

    /** Keeps the canonical IpKey so per-source arrays share one instance per IP. */
    private static final class Slot {
        final IpKey ip;
        Holder[] holders = NONE;

        Slot(IpKey ip) {
            this.ip = ip;
        }
    }

    private final Map<IpKey, Slot> slots = new HashMap<>();
    private final MappingTable table;
    private long nextSeq;

    ClaimIndex(MappingTable table) {
        this.table = table;
    }

    /** Records (or refreshes) a claim; returns the canonical key for the caller to keep. */
    IpKey claim(IpKey ip, SourceKey source, Destination destination) {
        Slot slot = slots.computeIfAbsent(ip, Slot::new);
        Destination before = winner(slot.holders);
        int at = indexOf(slot.holders, source);
        if (at >= 0 && slot.holders[at].destination().equals(destination)) {
            return slot.ip; // unchanged: keeps its age, so a re-sent stale claim cannot win back the IP
        }
        var holder = new Holder(source, destination, nextSeq++);
        if (at >= 0) {
            slot.holders[at] = holder;
        } else {
            slot.holders = Arrays.copyOf(slot.holders, slot.holders.length + 1);
            slot.holders[slot.holders.length - 1] = holder;
        }
        Destination after = winner(slot.holders);
        if (!after.equals(before)) {
            table.put(slot.ip, after);
        }
        return slot.ip;
    }

    void withdraw(IpKey ip, SourceKey source) {
        Slot slot = slots.get(ip);
        int at = slot == null ? -1 : indexOf(slot.holders, source);
        if (at < 0) {
            return;
        }
        Destination before = winner(slot.holders);
        Holder[] rest = new Holder[slot.holders.length - 1];
        System.arraycopy(slot.holders, 0, rest, 0, at);
        System.arraycopy(slot.holders, at + 1, rest, at, rest.length - at);
        slot.holders = rest;
        if (rest.length == 0) {
            slots.remove(ip);
            table.remove(slot.ip);
            return;
        }
        Destination after = winner(rest);
        if (!after.equals(before)) {
            table.put(slot.ip, after);
        }
    }

    int size() {
        return slots.size();
    }

    private static Destination winner(Holder[] holders) {
        Holder latest = latest(holders, null);
        if (latest == null) {
            return Destination.UNMAPPED;
        }
        if (latest.source().kind() == Kind.POD) {
            Holder samePod = latest(holders, latest.destination());
            if (samePod != null) {
                return samePod.destination();
            }
        }
        return latest.destination();
    }

    /** The newest holder; with {@code podOf} set, the newest EndpointSlice holder naming that pod. */
    private static Holder latest(Holder[] holders, Destination podOf) {
        Holder best = null;
        for (Holder h : holders) {
            boolean eligible = podOf == null
                    || (h.source().kind() == Kind.ENDPOINT_SLICE
                        && h.destination().pod().equals(podOf.pod())
                        && h.destination().namespace().equals(podOf.namespace()));
            if (eligible && (best == null || h.seq() > best.seq())) {
                best = h;
            }
        }
        return best;
    }

    private static int indexOf(Holder[] holders, SourceKey source) {
        for (int i = 0; i < holders.length; i++) {
            if (holders[i].source().equals(source)) {
                return i;
            }
        }
        return -1;
    }
}
