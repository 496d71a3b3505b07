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
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's side of bpf/include/http_repeats.h: connections that keep sending the same request are
 * counted in the kernel instead of one event each.
 * <ol>
 * <li>The pipeline {@link #offer offers} a connection whose last read repeated the one before it
 * {@link #ARM_AFTER} times in a row. At the end of the drain, when every event the kernel had sent
 * was seen, the connection is armed with the seq of its last event.</li>
 * <li>Each drain adds what the kernel counted in the arm's slot to the request's series.</li>
 * <li>Any event on an armed connection means the kernel no longer counts for it (it saw other bytes,
 * or events were sent after the seq the arm was based on): the slot is retired. So is a slot the
 * kernel flagged (mismatch, close) and one idle for {@link #IDLE}: its connection may be gone.</li>
 * <li>A retired slot is read once more at the next drain, after which no BPF program can still be
 * adding to it, and then reused.</li>
 * </ol>
 * For the draining thread only (inside {@link L7Kernel#poll}).
 */
final class KernelRepeats implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(KernelRepeats.class);

    /** Repeats in a row before a connection is armed: a client that alternates requests is left alone. */
    static final int ARM_AFTER = 2;
    /** A slot whose count has not moved for this long is retired: its connection may have closed. */
    static final Duration IDLE = Duration.ofSeconds(60);

    private static final int DATA_LEN = (int) (RepeatArm.SIZE - RepeatArm.OFFSET_DATA);

    /** What an arm counts for: the request's series, kept by the pipeline that offered it. */
    interface Target {
        void countRepeats(long n);
    }

    /** A connection offered during this drain. */
    private static final class Candidate {
        final byte[] data = new byte[DATA_LEN];
        int len;
        long seq;
        int localPort;
        int remotePort;
        Target target;
        /** False once an event came after the offer that was not offered itself. */
        boolean current;
    }

    private static final class Slot {
        final int index;
        Target target;
        long reported;
        long lastChange;
        /** The drain number after which the slot may be reused; -1 while armed. */
        long freeAfter = -1;

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
    private final HashMap<Long, Candidate> candidates = new HashMap<>();
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

    /** Before an event of connection connId is handed on: it ends the connection's arm, if any. */
    void onEvent(long connId) {
        if (!candidates.isEmpty()) {
            Candidate candidate = candidates.get(connId);
            if (candidate != null) {
                candidate.current = false;
            }
        }
        if (!armed.isEmpty()) {
            Slot slot = armed.remove(connId);
            if (slot != null) {
                key.set(ValueLayout.JAVA_LONG, 0, connId);
                deleteArm();
                retire(slot);
            }
        }
    }

    /**
     * The event just handed on (seq, ports, its {@code len} captured bytes in data) repeated the
     * connection's request for the {@code ARM_AFTER}th time or more: arm it at the end of the drain,
     * counting for the target made by target (asked only when the bytes are new to this drain).
     */
    void offer(long connId, long seq, int localPort, int remotePort, byte[] data, int len, Supplier<Target> target) {
        if (seq == 0 || len > DATA_LEN || failed) {
            return;
        }
        Candidate candidate = candidates.get(connId);
        if (candidate == null || candidate.len != len || !Arrays.equals(candidate.data, 0, len, data, 0, len)) {
            if (candidate == null) {
                candidate = new Candidate();
                candidates.put(connId, candidate);
            }
            System.arraycopy(data, 0, candidate.data, 0, len);
            candidate.len = len;
            candidate.target = target.get();
        }
        candidate.seq = seq;
        candidate.localPort = localPort;
        candidate.remotePort = remotePort;
        candidate.current = true;
    }

    /** After the drain: arms this drain's candidates, reports the slots' counts, retires stale slots. */
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
        candidates.forEach((connId, candidate) -> {
            if (candidate.current) {
                arm(connId, candidate, nowNanos);
            }
        });
        candidates.clear();
    }

    /** Requests counted in the kernel so far. */
    long counted() {
        return counted;
    }

    /** Connections armed now. */
    int armedConnections() {
        return armed.size();
    }

    private void arm(long connId, Candidate candidate, long nowNanos) {
        if (freeCount == 0) {
            return;
        }
        Slot slot = slotByIndex[free[--freeCount]];
        long at = offset(slot);
        // the slot is free: no arm names it, so no BPF program writes it now
        slots.set(BpfLayouts.LE_LONG, at + RepeatSlot.OFFSET_REQUESTS, 0);
        slots.set(BpfLayouts.LE_INT, at + RepeatSlot.OFFSET_ARMED, 1);
        arm.fill((byte) 0);
        arm.set(BpfLayouts.LE_INT, RepeatArm.OFFSET_SEQ, (int) candidate.seq);
        arm.set(BpfLayouts.LE_SHORT, RepeatArm.OFFSET_LOCAL_PORT, (short) candidate.localPort);
        arm.set(BpfLayouts.LE_SHORT, RepeatArm.OFFSET_REMOTE_PORT, (short) candidate.remotePort);
        arm.set(BpfLayouts.LE_INT, RepeatArm.OFFSET_SLOT, slot.index);
        arm.set(BpfLayouts.LE_INT, RepeatArm.OFFSET_LEN, candidate.len);
        MemorySegment.copy(candidate.data, 0, arm, ValueLayout.JAVA_BYTE, RepeatArm.OFFSET_DATA, candidate.len);
        key.set(ValueLayout.JAVA_LONG, 0, connId);
        try {
            arms.update(key, arm);
        } catch (BpfException e) {
            free[freeCount++] = slot.index;
            disable(e);
            return;
        }
        slot.target = candidate.target;
        slot.reported = 0;
        slot.lastChange = nowNanos;
        slot.freeAfter = -1;
        armed.put(connId, slot);
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
