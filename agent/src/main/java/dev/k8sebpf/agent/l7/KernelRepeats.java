package dev.k8sebpf.agent.l7;

import dev.k8sebpf.agent.bpf.BpfLayouts;
import dev.k8sebpf.agent.bpf.RepeatArm;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * The agent's side of bpf/include/http_repeats.h: connections that keep sending the same request are
 * counted in the kernel instead of one event each. The arms are an mmapped array shared with the
 * kernel; a connection's arm is at the index its conn_id hashes to, as the kernel computes it.
 * <ol>
 * <li>The pipeline {@link #offer offers} a connection whose reads repeat one request, {@link #ARM_AFTER}
 * times in a row or more, with the seq of each such event. At the end of the drain the arm's fields
 * are written, if the connection's index is free; the arm is published (its conn_id written) at the
 * end of the next drain, with the last seq offered by then. If the kernel sent anything for the
 * connection after that event, the seq no longer matches and the kernel drops the arm at the
 * connection's next read, so an arm based on a stale view never counts.</li>
 * <li>Each drain adds what the kernel counted in the arm to the request's series.</li>
 * <li>An arm is retired when the kernel drops it (other bytes, stale seq, close) or when its count has
 * not moved for {@link #IDLE} (the connection may be gone).</li>
 * <li>A retired arm is read once more at the next drain, after which no BPF program can still be
 * adding to it, and then its index is free again.</li>
 * </ol>
 * Nothing here runs per event except {@link #offer}, and only for repeats; nothing makes a syscall. For
 * the draining thread only (inside {@link L7Kernel#poll}).
 */
final class KernelRepeats {
    /** Repeats in a row before a connection is offered: a client that alternates requests is left alone. */
    static final int ARM_AFTER = 2;
    /** An arm whose count has not moved for this long is retired: its connection may have closed. */
    static final Duration IDLE = Duration.ofSeconds(60);

    private static final int DATA_LEN = (int) (RepeatArm.SIZE - RepeatArm.OFFSET_DATA);
    /** conn_id is read and written as one aligned 64-bit access, volatile: the kernel clears it concurrently. */
    private static final VarHandle CONN_ID = ValueLayout.JAVA_LONG.varHandle();

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

    private enum State { FREE, PENDING, ARMED, RETIRED }

    /** The agent's view of one element of the array. */
    private static final class Arm {
        final long at;
        State state = State.FREE;
        Offer offer;
        long reported;
        long lastChange;
        /** PENDING: published after this drain; RETIRED: free after this drain. */
        long after;

        Arm(long at) {
            this.at = at;
        }
    }

    private final MemorySegment array;
    private final int indexShift;
    private final Arm[] byIndex;
    /** The arms that are not free, in no order. */
    private final List<Arm> busy = new ArrayList<>();
    private final List<Offer> offers = new ArrayList<>();
    private final long idleNanos = IDLE.toNanos();
    private long drains;
    private long counted;
    private int armed;

    /**
     * @param array the repeat_arms array, mmapped ({@link dev.k8sebpf.agent.loader.BpfMap#mmapArray}) by the
     *              caller, who unmaps it after the last drain
     * @param length its elements, a power of two
     */
    KernelRepeats(MemorySegment array, int length) {
        if (Integer.bitCount(length) != 1 || array.byteSize() < length * RepeatArm.SIZE) {
            throw new IllegalArgumentException("repeat_arms: " + length + " elements in " + array.byteSize() + " bytes");
        }
        this.array = array;
        this.indexShift = 64 - Integer.numberOfTrailingZeros(length);
        this.byIndex = new Arm[length];
        for (int i = 0; i < length; i++) {
            byIndex[i] = new Arm(i * RepeatArm.SIZE);
        }
    }

    /** The event with this seq repeated offer's request: arm its connection at the end of the drain. */
    void offer(Offer offer, long seq) {
        offer.seq = seq;
        // seq 0: the kernel lost the connection's entry; longer data: an arm could not hold it
        if (!offer.queued && seq != 0 && offer.data.length <= DATA_LEN) {
            offer.queued = true;
            offers.add(offer);
        }
    }

    /** After the drain: reports the arms' counts, retires dropped and idle arms, publishes and writes arms. */
    void endDrain(long nowNanos) {
        drains++;
        for (Iterator<Arm> it = busy.iterator(); it.hasNext();) {
            Arm arm = it.next();
            switch (arm.state) {
                case RETIRED -> {
                    report(arm);
                    if (drains > arm.after) {
                        arm.state = State.FREE;
                        arm.offer = null;
                        it.remove();
                    }
                }
                case ARMED -> {
                    if (report(arm)) {
                        arm.lastChange = nowNanos;
                    }
                    boolean dropped = (long) CONN_ID.getVolatile(array, arm.at) != arm.offer.connId;
                    if (dropped || nowNanos - arm.lastChange > idleNanos) {
                        CONN_ID.setVolatile(array, arm.at, 0L);
                        retire(arm);
                    }
                }
                case PENDING -> {
                    if (drains > arm.after) {
                        // the seq may have moved on since the fields were written; a reader that sees the
                        // older one only drops the arm, since the kernel's count is past it
                        array.set(BpfLayouts.LE_INT, arm.at + RepeatArm.OFFSET_SEQ, (int) arm.offer.seq);
                        arm.state = State.ARMED;
                        arm.lastChange = nowNanos;
                        armed++;
                        CONN_ID.setVolatile(array, arm.at, arm.offer.connId);
                    }
                }
                case FREE -> throw new IllegalStateException("a free arm is listed as busy");
            }
        }
        for (Offer offer : offers) {
            offer.queued = false;
            write(offer);
        }
        offers.clear();
    }

    /** Requests counted in the kernel so far. */
    long counted() {
        return counted;
    }

    /** Connections armed (published) now. */
    int armedConnections() {
        return armed;
    }

    /**
     * Writes the offer's arm, unpublished, if its index is free; a pending arm of the same run of
     * repeats only takes the newer seq (at publication). An index taken by another connection, or by
     * this one's armed or retired arm, is left alone: the next repeat offers again.
     */
    private void write(Offer offer) {
        Arm arm = byIndex[(int) ((offer.connId * 0x9E3779B97F4A7C15L) >>> indexShift)];
        boolean free = arm.state == State.FREE;
        boolean otherRunPending = arm.state == State.PENDING && arm.offer != offer && arm.offer.connId == offer.connId;
        if (!free && !otherRunPending) {
            return;
        }
        if (free) {
            busy.add(arm);
        }
        // conn_id is 0 until publication: no BPF program reads these fields now
        array.set(BpfLayouts.LE_LONG, arm.at + RepeatArm.OFFSET_REQUESTS, 0);
        array.set(BpfLayouts.LE_INT, arm.at + RepeatArm.OFFSET_SEQ, (int) offer.seq);
        array.set(BpfLayouts.LE_SHORT, arm.at + RepeatArm.OFFSET_LOCAL_PORT, (short) offer.localPort);
        array.set(BpfLayouts.LE_SHORT, arm.at + RepeatArm.OFFSET_REMOTE_PORT, (short) offer.remotePort);
        array.set(BpfLayouts.LE_INT, arm.at + RepeatArm.OFFSET_LEN, offer.data.length);
        array.set(BpfLayouts.LE_INT, arm.at + RepeatArm.OFFSET_MARK, 0); // the kernel's check of this arm is still to come
        MemorySegment.copy(offer.data, 0, array, ValueLayout.JAVA_BYTE, arm.at + RepeatArm.OFFSET_DATA, offer.data.length);
        arm.state = State.PENDING;
        arm.offer = offer;
        arm.reported = 0;
        arm.after = drains;
    }

    /** Counts what the kernel added to the arm since the last report; true if it added anything. */
    private boolean report(Arm arm) {
        long requests = array.get(BpfLayouts.LE_LONG, arm.at + RepeatArm.OFFSET_REQUESTS);
        long n = requests - arm.reported;
        if (n <= 0) {
            return false;
        }
        arm.reported = requests;
        counted += n;
        arm.offer.target.countRepeats(n);
        return true;
    }

    private void retire(Arm arm) {
        arm.state = State.RETIRED;
        arm.after = drains + 1;
        armed--;
    }
}
