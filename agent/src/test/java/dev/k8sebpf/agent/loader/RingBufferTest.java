package dev.k8sebpf.agent.loader;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The ring algorithm on plain memory, with a producer that writes the way the kernel does. */
class RingBufferTest {
    private static final long SIZE = 128;

    private final Arena arena = Arena.ofConfined();
    private final MemorySegment consumer = arena.allocate(8, 8);
    private final MemorySegment producer = arena.allocate(8, 8);
    private final MemorySegment data = arena.allocate(2 * SIZE, 8);
    private final RingBuffer ring = new RingBuffer(consumer, producer, data, SIZE);
    private final List<Long> received = new ArrayList<>();
    private final RecordHandler collect = (segment, offset, length) -> {
        assertThat(length).isEqualTo(16);
        assertThat(segment.get(JAVA_LONG, offset + 8)).isEqualTo(~segment.get(JAVA_LONG, offset));
        received.add(segment.get(JAVA_LONG, offset));
    };

    @AfterEach
    void free() {
        arena.close();
    }

    @Test
    void recordsCrossingTheEndOfTheRingArriveIntact() {
        // 24-byte records (8 header + 16) in a 128-byte ring: some straddle the end.
        int straddling = 0;
        for (long value = 1; value <= 40; value += 2) {
            straddling += (producer.get(JAVA_LONG, 0) & (SIZE - 1)) + 48 > SIZE ? 1 : 0;
            long first = commit(reserve(16), value);
            long second = commit(reserve(16), value + 1);
            assertThat(first).isLessThan(second);
            assertThat(ring.read(collect)).isEqualTo(2);
        }
        assertThat(straddling).isGreaterThan(3);
        assertThat(received).hasSize(40).isSorted().startsWith(1L, 2L, 3L).endsWith(40L);
        assertThat(ring.pending()).isZero();
        assertThat(consumer.get(JAVA_LONG, 0)).isEqualTo(40 * 24);
    }

    @Test
    void discardedRecordsAreSkippedAndTheirSpaceFreed() {
        commit(reserve(16), 1);
        discard(reserve(16));
        commit(reserve(16), 3);
        assertThat(ring.read(collect)).isEqualTo(2);
        assertThat(received).containsExactly(1L, 3L);
        assertThat(ring.pending()).isZero();
    }

    @Test
    void readingStopsAtARecordStillBeingWrittenAndResumesOnceCommitted() {
        commit(reserve(16), 1);
        long busy = reserve(16);
        commit(reserve(16), 3);
        assertThat(ring.read(collect)).isEqualTo(1);
        assertThat(ring.pending()).isEqualTo(48);
        commit(busy, 2);
        assertThat(ring.read(collect)).isEqualTo(2);
        assertThat(received).containsExactly(1L, 2L, 3L);
    }

    @Test
    void aRecordWhoseHandlerFailsIsStillConsumed() {
        commit(reserve(16), 1);
        commit(reserve(16), 2);
        assertThatThrownBy(() -> ring.read((segment, offset, length) -> {
            throw new IllegalStateException("sink failed");
        })).hasMessage("sink failed");
        assertThat(ring.read(collect)).isEqualTo(1);
        assertThat(received).containsExactly(2L);
    }

    @Test
    void anEmptyRingHandsOverNothing() {
        assertThat(ring.read(collect)).isZero();
        assertThat(received).isEmpty();
    }

    @Test
    void rejectsARingSizeThatIsNotAPowerOfTwo() {
        assertThatThrownBy(() -> new RingBuffer(consumer, producer, data, 48))
                .isInstanceOf(IllegalArgumentException.class);
    }

    /** Like bpf_ringbuf_reserve: a BUSY header at the producer position, which then advances. */
    private long reserve(int length) {
        long position = producer.get(JAVA_LONG, 0);
        writeMirrored(position, JAVA_INT, length | RingBuffer.BUSY_BIT);
        producer.set(JAVA_LONG, 0, position + ((length + RingBuffer.HEADER_SIZE + 7) & ~7));
        return position;
    }

    /** Like bpf_ringbuf_submit: payload (value, ~value), then the header without BUSY. */
    private long commit(long position, long value) {
        writeMirrored(position + RingBuffer.HEADER_SIZE, JAVA_LONG, value);
        writeMirrored(position + RingBuffer.HEADER_SIZE + 8, JAVA_LONG, ~value);
        writeMirrored(position, JAVA_INT, 16);
        return position;
    }

    private void discard(long position) {
        writeMirrored(position, JAVA_INT, 16 | RingBuffer.DISCARD_BIT);
    }

    // The kernel maps the data pages twice in a row; writing each byte at both places reproduces that.
    private void writeMirrored(long position, java.lang.foreign.ValueLayout layout, long value) {
        for (long i = 0; i < layout.byteSize(); i++) {
            byte b = (byte) (value >>> (8 * i));
            long at = (position + i) & (SIZE - 1);
            data.set(java.lang.foreign.ValueLayout.JAVA_BYTE, at, b);
            data.set(java.lang.foreign.ValueLayout.JAVA_BYTE, at + SIZE, b);
        }
    }
}
