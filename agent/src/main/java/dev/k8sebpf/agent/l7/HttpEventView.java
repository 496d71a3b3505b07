package dev.k8sebpf.agent.l7;

import dev.k8sebpf.agent.bpf.AddrFamily;
import dev.k8sebpf.agent.bpf.BpfLayouts;
import dev.k8sebpf.agent.bpf.CaptureKind;
import dev.k8sebpf.agent.bpf.HttpEvent;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * One http_event read in place in the ring buffer, at the generated record's field offsets. Decoding
 * {@link HttpEvent} would allocate five objects per receive; this view copies only what the pipeline
 * reads into arrays it reuses, so the hot path allocates nothing. Valid until the next {@link #at};
 * one instance per draining thread.
 */
final class HttpEventView {
    private static final int ADDR_LEN = 16;
    private static final int COMM_LEN = 16;
    private static final long FAMILY_V4 = AddrFamily.FAMILY_V4.value();
    private static final long TLS_HELLO = CaptureKind.CAPTURE_TLS_HELLO.value();
    private static final long RESPONSE = CaptureKind.CAPTURE_RESPONSE.value();
    private static final long H2_SEND = CaptureKind.CAPTURE_H2_SEND.value();

    private final byte[] localAddr = new byte[ADDR_LEN];
    private final byte[] remoteAddr = new byte[ADDR_LEN];
    private final byte[] comm = new byte[COMM_LEN];
    /** Grown to the longest record seen: a TLS hello's runs past the struct's 256 bytes of data. */
    private byte[] data = new byte[(int) (HttpEvent.SIZE - HttpEvent.OFFSET_DATA)];
    private MemorySegment seg = MemorySegment.NULL;
    private long base;
    private int dataLength;

    /**
     * Points this view at the event of {@code length} bytes (at least {@link HttpEvent#SIZE}) at
     * {@code offset}; returns this view (an {@code EventRing.Decoder}).
     */
    HttpEventView at(MemorySegment seg, long offset, long length) {
        this.seg = seg;
        this.base = offset;
        this.dataLength = (int) (length - HttpEvent.OFFSET_DATA);
        if (dataLength > data.length) {
            data = new byte[dataLength];
        }
        return this;
    }

    /** The receive is part of a TLS ClientHello record, not of an HTTP/1.x connection. */
    boolean tlsHello() {
        return Byte.toUnsignedLong(seg.get(ValueLayout.JAVA_BYTE, base + HttpEvent.OFFSET_KIND)) == TLS_HELLO;
    }

    /** A send on an inbound HTTP/1.x connection that starts a status line, not a receive. */
    boolean response() {
        return Byte.toUnsignedLong(seg.get(ValueLayout.JAVA_BYTE, base + HttpEvent.OFFSET_KIND)) == RESPONSE;
    }

    /** One buffer of a send on an inbound HTTP/2 connection: the server's frames. */
    boolean h2Send() {
        return Byte.toUnsignedLong(seg.get(ValueLayout.JAVA_BYTE, base + HttpEvent.OFFSET_KIND)) == H2_SEND;
    }

    /** When the hook ran, on the kernel's monotonic clock (nanoseconds). */
    long ktime() {
        return seg.get(BpfLayouts.LE_LONG, base + HttpEvent.OFFSET_KTIME);
    }

    long connId() {
        return seg.get(BpfLayouts.LE_LONG, base + HttpEvent.OFFSET_CONN_ID);
    }

    int localPort() {
        return Short.toUnsignedInt(seg.get(BpfLayouts.LE_SHORT, base + HttpEvent.OFFSET_LOCAL_PORT));
    }

    int remotePort() {
        return Short.toUnsignedInt(seg.get(BpfLayouts.LE_SHORT, base + HttpEvent.OFFSET_REMOTE_PORT));
    }

    /** IPv4 (or v4-mapped IPv6): the addresses hold 4 bytes. */
    boolean v4() {
        return Byte.toUnsignedLong(seg.get(ValueLayout.JAVA_BYTE, base + HttpEvent.OFFSET_FAMILY)) == FAMILY_V4;
    }

    /** Valid bytes of {@link #data()}, never more than the record holds. */
    int captured() {
        return Math.min(Short.toUnsignedInt(seg.get(BpfLayouts.LE_SHORT, base + HttpEvent.OFFSET_CAPTURED)), dataLength);
    }

    /**
     * Bytes the receive returned (may exceed what was captured); for a response, what the send was asked to
     * send, as far as known; for an HTTP/2 send, the buffer's (the send's last event: and the rest of the send).
     */
    int bytes() {
        return seg.get(BpfLayouts.LE_INT, base + HttpEvent.OFFSET_BYTES);
    }

    byte[] localAddr() {
        return copy(HttpEvent.OFFSET_LOCAL_ADDR, localAddr, ADDR_LEN);
    }

    byte[] remoteAddr() {
        return copy(HttpEvent.OFFSET_REMOTE_ADDR, remoteAddr, ADDR_LEN);
    }

    byte[] comm() {
        return copy(HttpEvent.OFFSET_COMM, comm, COMM_LEN);
    }

    /** The captured bytes; only the first {@link #captured()} are this event's. */
    byte[] data() {
        return copy(HttpEvent.OFFSET_DATA, data, captured());
    }

    private byte[] copy(long field, byte[] into, int length) {
        MemorySegment.copy(seg, ValueLayout.JAVA_BYTE, base + field, into, 0, length);
        return into;
    }
}
