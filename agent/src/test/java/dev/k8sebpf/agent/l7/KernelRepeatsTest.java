package dev.k8sebpf.agent.l7;

import static org.assertj.core.api.Assertions.assertThat;

import dev.k8sebpf.agent.bpf.BpfLayouts;
import dev.k8sebpf.agent.bpf.RepeatArm;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The agent's half of the arm protocol (bpf/include/http_repeats.h) against plain memory standing in
 * for the mmapped array; this test plays the kernel. The kernel's half is tested for real in
 * {@link HttpRequestCountSuite}.
 */
class KernelRepeatsTest {
    private static final int ARMS = 16;
    private static final byte[] GET = "GET /same HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

    private final Arena arena = Arena.ofConfined();
    private final MemorySegment array = arena.allocate(ARMS * RepeatArm.SIZE, 8);
    private final KernelRepeats repeats = new KernelRepeats(array, ARMS);
    private final AtomicLong counted = new AtomicLong();
    private long now;

    @AfterEach
    void free() {
        arena.close();
    }

    @Test
    void anArmIsWrittenUnpublishedAndPublishedOneDrainLaterWithTheLatestSeq() {
        KernelRepeats.Offer offer = offer(0x1000);
        repeats.offer(offer, 7);
        drain();
        long at = at(offer.connId);
        assertThat(array.get(BpfLayouts.LE_LONG, at + RepeatArm.OFFSET_CONN_ID)).as("not published yet").isZero();
        assertThat(array.get(BpfLayouts.LE_INT, at + RepeatArm.OFFSET_LEN)).isEqualTo(GET.length);
        assertThat(array.asSlice(at + RepeatArm.OFFSET_DATA, GET.length).toArray(ValueLayout.JAVA_BYTE)).isEqualTo(GET);
        assertThat(array.get(BpfLayouts.LE_SHORT, at + RepeatArm.OFFSET_LOCAL_PORT)).isEqualTo((short) 8080);
        assertThat(array.get(BpfLayouts.LE_SHORT, at + RepeatArm.OFFSET_REMOTE_PORT)).isEqualTo((short) 40000);
        assertThat(repeats.armedConnections()).isZero();

        repeats.offer(offer, 9); // the kernel sent two more events meanwhile
        drain();
        assertThat(array.get(BpfLayouts.LE_LONG, at + RepeatArm.OFFSET_CONN_ID)).isEqualTo(offer.connId);
        assertThat(array.get(BpfLayouts.LE_INT, at + RepeatArm.OFFSET_SEQ)).isEqualTo(9);
        assertThat(repeats.armedConnections()).isEqualTo(1);
    }

    @Test
    void whatTheKernelCountsIsReportedOnceAndADroppedArmIsReadOnceMoreBeforeItsIndexIsReused() {
        KernelRepeats.Offer offer = offer(0x2000);
        arm(offer);
        long at = at(offer.connId);
        array.set(BpfLayouts.LE_LONG, at + RepeatArm.OFFSET_REQUESTS, 5);
        drain();
        assertThat(counted).hasValue(5);
        drain();
        assertThat(counted).as("nothing new").hasValue(5);

        // the kernel counts one more, then drops the arm (other bytes); a program still running counts one
        array.set(BpfLayouts.LE_LONG, at + RepeatArm.OFFSET_REQUESTS, 6);
        array.set(BpfLayouts.LE_LONG, at + RepeatArm.OFFSET_CONN_ID, 0);
        drain();
        assertThat(counted).hasValue(6);
        assertThat(repeats.armedConnections()).isZero();
        array.set(BpfLayouts.LE_LONG, at + RepeatArm.OFFSET_REQUESTS, 7);
        KernelRepeats.Offer again = offer(offer.connId);
        repeats.offer(again, 20);
        drain();
        assertThat(counted).as("read once more after the drop").hasValue(7);
        assertThat(array.get(BpfLayouts.LE_INT, at + RepeatArm.OFFSET_SEQ)).as("the index was not free yet").isNotEqualTo(20);

        repeats.offer(again, 21);
        drain();
        drain();
        assertThat(array.get(BpfLayouts.LE_LONG, at + RepeatArm.OFFSET_CONN_ID)).isEqualTo(offer.connId);
        assertThat(array.get(BpfLayouts.LE_INT, at + RepeatArm.OFFSET_SEQ)).isEqualTo(21);
        assertThat(array.get(BpfLayouts.LE_LONG, at + RepeatArm.OFFSET_REQUESTS)).as("a new arm counts from 0").isZero();
    }

    @Test
    void aConnectionWhoseIndexIsTakenIsNotArmed() {
        KernelRepeats.Offer first = offer(0x3000);
        long other = 0x3000 + 1;
        while (at(other) != at(first.connId)) {
            other++;
        }
        arm(first);
        arm(offer(other));
        assertThat(array.get(BpfLayouts.LE_LONG, at(first.connId) + RepeatArm.OFFSET_CONN_ID)).isEqualTo(first.connId);
        assertThat(repeats.armedConnections()).isEqualTo(1);
    }

    @Test
    void anArmThatCountsNothingForTheIdleTimeIsRetiredAndUnpublished() {
        KernelRepeats.Offer offer = offer(0x4000);
        arm(offer);
        now += KernelRepeats.IDLE.toNanos() + TimeUnit.SECONDS.toNanos(1);
        drain();
        assertThat(array.get(BpfLayouts.LE_LONG, at(offer.connId) + RepeatArm.OFFSET_CONN_ID)).isZero();
        assertThat(repeats.armedConnections()).isZero();
    }

    @Test
    void aRequestLongerThanAnArmHoldsIsNotOffered() {
        var tooLong = new KernelRepeats.Offer(0x5000, new byte[(int) (RepeatArm.SIZE - RepeatArm.OFFSET_DATA) + 1],
                8080, 40000, counted::addAndGet);
        arm(tooLong);
        assertThat(repeats.armedConnections()).isZero();
        assertThat(array.asSlice(at(0x5000), RepeatArm.SIZE).toArray(ValueLayout.JAVA_BYTE)).containsOnly(0);
    }

    private KernelRepeats.Offer offer(long connId) {
        return new KernelRepeats.Offer(connId, GET, 8080, 40000, counted::addAndGet);
    }

    /** Offers and drains until published (two drains). */
    private void arm(KernelRepeats.Offer offer) {
        repeats.offer(offer, 3);
        drain();
        drain();
    }

    private void drain() {
        now += TimeUnit.MILLISECONDS.toNanos(100);
        repeats.endDrain(now);
    }

    /** Where the kernel looks for connId's arm: http_repeats.h's arm_slot. */
    private static long at(long connId) {
        int index = (int) ((connId * 0x9E3779B97F4A7C15L) >>> (64 - Integer.numberOfTrailingZeros(ARMS)));
        return index * RepeatArm.SIZE;
    }
}
