package dev.k8sebpf.agent.tlsparse;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Puts each connection's first TLS record back together from the receives the kernel reported, and
 * parses it once it is whole. Most servers read a hello in one receive, which is parsed in place;
 * OpenSSL reads the 5-byte header first, and only such split records are held here, at most
 * {@code capacity} of them: a connection closed mid-hello, or whose next receive was lost, is evicted
 * oldest first and never counted. A receive whose bytes were not all captured ends the record: what
 * came before is parsed, marked truncated if the extensions did not fit. Not thread-safe.
 */
public final class HelloTable {
    public static final int DEFAULT_CAPACITY = 1024;
    /** A record's header and the most a TLSCiphertext may hold (RFC 8446 §5.2). */
    private static final int MAX_RECORD = 5 + 16384 + 2048;

    private final Map<Long, Pending> pending;

    public HelloTable(int capacity) {
        this.pending = new LinkedHashMap<>(16, 0.75f, false) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Long, Pending> eldest) {
                return size() > capacity;
            }
        };
    }

    /**
     * One receive of the connection's first record: {@code captured} bytes of {@code data}, of the
     * {@code bytes} the receive returned.
     *
     * @return the hello, once its record is whole (or ends at an uncaptured part); {@code null} while
     *         more is due, or if the record is no ClientHello
     */
    public ClientHello offer(long connId, byte[] data, int captured, int bytes) {
        Pending held = pending.get(connId);
        if (held == null) {
            if (!ClientHelloParser.isHandshakeRecord(data, captured)) {
                return null; // not a record's start: its start was lost
            }
            int record = ClientHelloParser.recordLength(data);
            if (captured >= record || bytes > captured) {
                return ClientHelloParser.parse(data, Math.min(captured, record));
            }
            held = new Pending(record);
            pending.put(connId, held);
        }
        held.append(data, captured);
        if (held.length < held.record && bytes == captured) {
            return null;
        }
        pending.remove(connId);
        return ClientHelloParser.parse(held.buf, Math.min(held.length, held.record));
    }

    /** Records waiting for their next receive. */
    public int pending() {
        return pending.size();
    }

    private static final class Pending {
        final int record;
        byte[] buf = new byte[512];
        int length;

        Pending(int record) {
            this.record = Math.min(record, MAX_RECORD);
        }

        void append(byte[] data, int captured) {
            int n = Math.min(captured, record - length);
            if (n <= 0) {
                return;
            }
            if (length + n > buf.length) {
                buf = Arrays.copyOf(buf, Math.max(length + n, 2 * buf.length));
            }
            System.arraycopy(data, 0, buf, length, n);
            length += n;
        }
    }
}
