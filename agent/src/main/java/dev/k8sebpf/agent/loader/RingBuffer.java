package dev.k8sebpf.agent.loader;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;

/**
 * The consumer side of a BPF ring buffer (kernel/bpf/ringbuf.c), on plain memory segments so the
 * algorithm can be tested without a kernel. The kernel maps the data area twice in a row, so a record
 * that wraps around the end is still contiguous: {@code data} is {@code 2 * size} bytes.
 * Each record starts with an 8-byte header whose first 32 bits are its length plus the BUSY bit
 * (reserved, not yet committed) and the DISCARD bit; records are 8-byte aligned.
 */
public final class RingBuffer {
    static final int BUSY_BIT = 1 << 31;
    static final int DISCARD_BIT = 1 << 30;
    static final int HEADER_SIZE = 8;

    private static final VarHandle POSITION = ValueLayout.JAVA_LONG.varHandle();
    private static final VarHandle HEADER = ValueLayout.JAVA_INT.varHandle();

    private final MemorySegment consumerPosition;
    private final MemorySegment producerPosition;
    private final MemorySegment data;
    private final long mask;
    private final long releaseStep;

    /**
     * @param consumerPosition the consumer page (we write the position at offset 0)
     * @param producerPosition the producer page (the kernel writes the position at offset 0)
     * @param data             the data area mapped twice, {@code 2 * size} bytes
     * @param size             the ring size, a power of two
     */
    public RingBuffer(MemorySegment consumerPosition, MemorySegment producerPosition, MemorySegment data, long size) {
        if (Long.bitCount(size) != 1 || data.byteSize() < 2 * size) {
            throw new IllegalArgumentException("ring size " + size + " with " + data.byteSize() + " bytes of data");
        }
        this.consumerPosition = consumerPosition;
        this.producerPosition = producerPosition;
        this.data = data;
        this.mask = size - 1;
        this.releaseStep = Math.max(size / 16, HEADER_SIZE);
    }

    /**
     * Hands every committed record to the handler and frees its space, stopping at the first record still
     * being written. Discarded records are skipped. Returns the number of records handed over. A record
     * whose handler throws is consumed all the same, so it cannot stall the ring.
     */
    public int read(RecordHandler handler) {
        long consumer = (long) POSITION.get(consumerPosition, 0L);
        // Acquire pairs with the kernel's release of producer_pos: the headers before it are visible.
        long producer = (long) POSITION.getAcquire(producerPosition, 0L);
        long released = consumer;
        int handled = 0;
        try {
            while (consumer < producer) {
                long offset = consumer & mask;
                // Acquire pairs with the kernel's commit (xchg of the header length).
                int header = (int) HEADER.getAcquire(data, offset);
                if ((header & BUSY_BIT) != 0) {
                    break;
                }
                int length = header & ~(BUSY_BIT | DISCARD_BIT);
                consumer += roundUp(length + HEADER_SIZE);
                if ((header & DISCARD_BIT) == 0) {
                    handled++;
                    handler.handle(data, offset + HEADER_SIZE, length);
                }
                // The producer reads consumer_pos on every reserve: writing it per record would bounce its
                // cache line between the two CPUs once per event. Space is freed in steps instead.
                if (consumer - released >= releaseStep) {
                    release(consumer);
                    released = consumer;
                }
            }
        } finally {
            if (consumer != released) {
                release(consumer);
            }
        }
        return handled;
    }

    /** Release: the kernel may reuse the space only after we are done reading it. */
    private void release(long position) {
        POSITION.setRelease(consumerPosition, 0L, position);
    }

    /** Bytes committed or reserved by the producer but not yet consumed. */
    public long pending() {
        return (long) POSITION.getAcquire(producerPosition, 0L) - (long) POSITION.get(consumerPosition, 0L);
    }

    private static long roundUp(long length) {
        return (length + 7) & ~7L;
    }
}
