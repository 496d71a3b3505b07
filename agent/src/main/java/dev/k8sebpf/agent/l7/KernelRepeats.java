package dev.k8sebpf.agent.l7;

import dev.k8sebpf.agent.bpf.BpfLayouts;
import dev.k8sebpf.agent.bpf.RepeatArm;
import dev.k8sebpf.agent.bpf.RepeatSlot;
import dev.k8sebpf.agent.loader.BpfException;
import dev.k8sebpf.agent.loader.BpfMap;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's side of bpf/include/http_repeats.h: connections that keep sending the same request are
 * counted in the kernel instead of one event each.
 * <ol>
 * <li>The pipeline {@link #offer offers} a connection whose reads repeat one request, {@link #ARM_AFTER}
 * times in a row or more, with the seq of each such event. At the end of the drain the connection is
 * armed with the last seq offered: if the kernel sent anything for the connection after that event,
 * the seq no longer matches and the kernel drops the arm at the connection's next read, so an arm
 * based on a stale view never counts.</li>
 * <li>Each drain adds what the kernel counted in the arm's slot to the request's series.</li>
 * <li>A slot is retired when the kernel flags it (other bytes, stale seq, close), when its connection
 * is armed anew, or when its count has not moved for {@link #IDLE} (the connection may be gone).</li>
 * <li>A retired slot is read once more at the next drain, after which no BPF program can still be
 * adding to it, and then reused.</li>
 * </ol>
 * Nothing here runs per event except {@link #offer}, and only for repeats. For the draining thread
 * only (inside {@link L7Kernel#poll}).
 */
final class KernelRepeats implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(KernelRepeats.class);

    /** Repeats in a row before a connection is offered: a client that alternates requests is left alone. */
    static final int ARM_AFTER = 2;
    /** A slot whose count has not moved for this long is retired: its connection may have closed. */
    static final Duration IDLE = Duration.ofSeconds(60);

    private static final int DATA_LEN = (int) (RepeatArm.SIZE - RepeatArm.OFFSET_DATA);

    /** What an arm counts for: the request's series, kept by the pipeline that offered it. */
    interface Target {
        void countRepeats(long n);
    }

    /** One run of repeats on a connection: the request's bytes and labels; the pipeline keeps it per connection. */
    static final class Offer {
        final long connId;
        final byte[] data;
        final int localPort;
        final int remotePort;
        final Target target;
        long seq;
        boolean queued;

        /** @param data the request's bytes: one whole read, at most {@link #DATA_LEN} */
        Offer(long connId, byte[] data, int localPort, int remotePort, Target target) {
            this.connId = connId;
            this.data = data;
            this.localPort = localPort;
            this.remotePort = remotePort;
            this.target = target;
        }
    }

    private static final class Slot {
        final int index;
        Target target;
        long reported;
        long lastChange;
        /** The drain number after which the slot may be reused. */
        long freeAfter;

        Slot(int index) {
            this.index = index;
        }
    }

    private final BpfMap arms;
    private final MemorySegment slots;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment key = arena.allocate(ValueLayout.JAVA_LONG);
    private final MemorySegment arm = arena.allocate(RepeatArm.SIZE, 8);
    private final int[] free;
    private int freeCount;
    private final Slot[] slotByIndex;
    private final HashMap<Long, Slot> armed = new HashMap<>();
    private final List<Slot> retired = new ArrayList<>();
    private final List<Offer> offers = new ArrayList<>();
    private final long idleNanos = IDLE.toNanos();
    private long drains;
    private long counted;
    private boolean failed;

    /** @param arms the repeat_arms map; @param slots the repeat_slots array, mmapped ({@link BpfMap#mmapArray}) */
    KernelRepeats(BpfMap arms, MemorySegment slots) {
        this.arms = arms;
        this.slots = slots;
        int n = (int) Math.min(arms.maxEntries(), slots.byteSize() / RepeatSlot.SIZE);
        this.free = new int[n];
        this.slotByIndex = new Slot[n];
        for (int i = 0; i < n; i++) {
            slotByIndex[i] = new Slot(i);
            free[freeCount++] = n - 1 - i;
        }
    }

    /** The event with this seq repeated offer's request: arm its connection at the end of the drain. */
    void offer(Offer offer, long seq) {
        offer.seq = seq;
        // seq 0: the kernel lost the connection's entry; longer data: an arm could not hold it
        if (!offer.queued && seq != 0 && offer.data.length <= DATA_LEN && !failed) {
            offer.queued = true;
            offers.add(offer);
        }
    }

    /** After the drain: reports the slots' counts, retires stale slots, arms this drain's offers. */
    void endDrain(long nowNanos) {
        drains++;
        for (Iterator<Slot> it = retired.iterator(); it.hasNext();) {
            Slot slot = it.next();
            report(slot);
            if (drains > slot.freeAfter) {
                it.remove();
                slot.target = null;
                free[freeCount++] = slot.index;
            }
        }
        for (Iterator<HashMap.Entry<Long, Slot>> it = armed.entrySet().iterator(); it.hasNext();) {
            HashMap.Entry<Long, Slot> entry = it.next();
            Slot slot = entry.getValue();
            if (report(slot)) {
                slot.lastChange = nowNanos;
            }
            boolean dropped = slots.get(BpfLayouts.LE_INT, offset(slot) + RepeatSlot.OFFSET_ARMED) == 0;
            if (dropped || nowNanos - slot.lastChange > idleNanos) {
                it.remove();
                if (!dropped) {
                    key.set(ValueLayout.JAVA_LONG, 0, entry.getKey());
                    deleteArm();
                }
                retire(slot);
            }
        }
        for (Offer offer : offers) {
            offer.queued = false;
            arm(offer, nowNanos);
        }
        offers.clear();
    }

    /** Requests counted in the kernel so far. */
    long counted() {
        return counted;
    }

    /** Connections armed now. */
    int armedConnections() {
        return armed.size();
    }

    private void arm(Offer offer, long nowNanos) {
        if (freeCount == 0 || failed) {
            return;
        }
        Slot slot = slotByIndex[free[--freeCount]];
        long at = offset(slot);
        // the slot is free: no arm names it, so no BPF program writes it now
        slots.set(BpfLayouts.LE_LONG, at + RepeatSlot.OFFSET_REQUESTS, 0);
        slots.set(BpfLayouts.LE_INT, at + RepeatSlot.OFFSET_ARMED, 1);
        arm.fill((byte) 0);
        arm.set(BpfLayouts.LE_INT, RepeatArm.OFFSET_SEQ, (int) offer.seq);
        arm.set(BpfLayouts.LE_SHORT, RepeatArm.OFFSET_LOCAL_PORT, (short) offer.localPort);
        arm.set(BpfLayouts.LE_SHORT, RepeatArm.OFFSET_REMOTE_PORT, (short) offer.remotePort);
        arm.set(BpfLayouts.LE_INT, RepeatArm.OFFSET_SLOT, slot.index);
        arm.set(BpfLayouts.LE_INT, RepeatArm.OFFSET_LEN, offer.data.length);
        MemorySegment.copy(offer.data, 0, arm, ValueLayout.JAVA_BYTE, RepeatArm.OFFSET_DATA, offer.data.length);
        key.set(ValueLayout.JAVA_LONG, 0, offer.connId);
        try {
            arms.update(key, arm);
        } catch (BpfException e) {
            free[freeCount++] = slot.index;
            disable(e);
            return;
        }
        slot.target = offer.target;
        slot.reported = 0;
        slot.lastChange = nowNanos;
        // the update replaced the connection's previous arm, if any: the kernel no longer counts in its slot
        Slot replaced = armed.put(offer.connId, slot);
        if (replaced != null) {
            retire(replaced);
        }
    }

    /** Counts what the kernel added to the slot since the last report; true if it added anything. */
    private boolean report(Slot slot) {
        long requests = slots.get(BpfLayouts.LE_LONG, offset(slot) + RepeatSlot.OFFSET_REQUESTS);
        long n = requests - slot.reported;
        if (n <= 0) {
            return false;
        }
        slot.reported = requests;
        counted += n;
        slot.target.countRepeats(n);
        return true;
    }

    private void retire(Slot slot) {
        slot.freeAfter = drains + 1;
        retired.add(slot);
    }

    /** Deletes the arm of the connection in {@code key}; the kernel may have dropped it already. */
    private void deleteArm() {
        try {
            arms.delete(key);
        } catch (BpfException e) {
            disable(e);
        }
    }

    /** The map refuses us: stop arming (every request is then sent as an event, as without arms). */
    private void disable(BpfException e) {
        if (!failed) {
            failed = true;
            LOG.warn("counting repeated HTTP requests in the kernel stopped: {}", e.getMessage());
        }
    }

    private static long offset(Slot slot) {
        return slot.index * RepeatSlot.SIZE;
    }

    @Override
    public void close() {
        BpfMap.unmap(slots);
        arena.close();
    }
}
