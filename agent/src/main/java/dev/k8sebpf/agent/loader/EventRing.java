package dev.k8sebpf.agent.loader;

import java.lang.foreign.MemorySegment;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A ring buffer of one C struct: each record is decoded and handed on. A record shorter than the struct
 * (object and agent out of step) is skipped and warned about once, never decoded; a longer one is the
 * struct with its last array running on (http_event's TLS captures), and its decoder is told its length.
 * Not thread-safe; the owner serialises poll and close.
 */
public final class EventRing<T> implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EventRing.class);

    /** Reads the record of {@code length} bytes at {@code offset}, e.g. through a generated record's {@code decode}. */
    @FunctionalInterface
    public interface Decoder<T> {
        T decode(MemorySegment seg, long offset, long length);
    }

    private final RingBufferReader ring;
    private final long size;
    private final String struct;
    private final Decoder<T> decoder;
    private long malformed;

    private EventRing(RingBufferReader ring, long size, String struct, Decoder<T> decoder) {
        this.ring = ring;
        this.size = size;
        this.struct = struct;
        this.decoder = decoder;
    }

    /**
     * @param size   the struct's size (the record's {@code SIZE})
     * @param struct how the warning names it, e.g. {@code a connect_event}
     */
    public static <T> EventRing<T> open(BpfMap map, long size, String struct, Decoder<T> decoder) throws BpfException {
        return new EventRing<>(RingBufferReader.open(map), size, struct, decoder);
    }

    /** Hands every event committed so far to the sink, without blocking; returns how many. */
    public int poll(Consumer<? super T> sink) {
        long malformedBefore = malformed;
        int records = ring.poll((data, offset, length) -> {
            if (length < size) {
                if (malformed++ == 0) {
                    LOG.warn("ignoring ring buffer records of {} bytes: {} has {}", length, struct, size);
                }
                return;
            }
            sink.accept(decoder.decode(data, offset, length));
        });
        return records - (int) (malformed - malformedBefore);
    }

    @Override
    public void close() {
        ring.close();
    }
}
