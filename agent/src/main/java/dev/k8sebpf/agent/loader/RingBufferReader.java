package dev.k8sebpf.agent.loader;

import java.lang.foreign.MemorySegment;

/**
 * Reads a BPF_MAP_TYPE_RINGBUF map by mapping it into this process, without libbpf's ring_buffer
 * callbacks and without epoll: the caller polls. Not thread-safe; the owner serialises poll and close.
 */
public final class RingBufferReader implements AutoCloseable {
    private final MemorySegment consumerPage;
    private final MemorySegment producerPages;
    private final RingBuffer ring;
    private boolean closed;

    private RingBufferReader(MemorySegment consumerPage,
                             MemorySegment producerPages, long size, long pageSize) {
        this.consumerPage = consumerPage;
        this.producerPages = producerPages;
        this.ring = new RingBuffer(consumerPage, producerPages, producerPages.asSlice(pageSize, 2 * size), size);
    }

    /** Maps the ring of a loaded map: the consumer page writable, producer page and data (twice) read-only. */
    public static RingBufferReader open(BpfMap map) throws BpfException {
        long pageSize = Libc.pageSize();
        long size = map.maxEntries();
        MemorySegment consumer = Libc.mmap(pageSize, Libc.PROT_READ | Libc.PROT_WRITE, map.fd(), 0);
        try {
            MemorySegment producer = Libc.mmap(pageSize + 2 * size, Libc.PROT_READ, map.fd(), pageSize);
            return new RingBufferReader(consumer, producer, size, pageSize);
        } catch (BpfException e) {
            Libc.munmap(consumer);
            throw e;
        }
    }

    /** Handles every record committed so far; never blocks. */
    public int poll(RecordHandler handler) {
        if (closed) {
            throw new IllegalStateException("ring buffer reader is closed");
        }
        return ring.read(handler);
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        Libc.munmap(producerPages);
        Libc.munmap(consumerPage);
    }
}
