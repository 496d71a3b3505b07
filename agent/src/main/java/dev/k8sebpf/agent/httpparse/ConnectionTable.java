package dev.k8sebpf.agent.httpparse;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Parse state per connection id, bounded two ways so memory cannot grow without limit: at most
 * {@code capacity} connections (the least recently used one is dropped), and a connection idle for
 * longer than {@code idleTtl} starts fresh. A dropped or expired connection simply starts over at its
 * next read. The kernel reuses a closed socket's address (our connection id) for new sockets, so each
 * state also remembers its connection's endpoints and starts fresh when they change.
 * Not thread-safe: use it from the one thread that drains the kernel's events.
 */
public final class ConnectionTable {

    public static final int DEFAULT_CAPACITY = 65_536;
    public static final Duration DEFAULT_IDLE_TTL = Duration.ofMinutes(5);

    private final int capacity;
    private final long idleTtlNanos;
    private final LongSupplier nanoTime;
    private final LinkedHashMap<Long, ConnectionState> states;
    private long evictions;
    private long now;

    public ConnectionTable(int capacity, Duration idleTtl, LongSupplier nanoTime) {
        if (capacity < 1) {
            throw new IllegalArgumentException("connection table capacity must be at least 1, got " + capacity);
        }
        if (idleTtl.isNegative() || idleTtl.isZero()) {
            throw new IllegalArgumentException("connection idle TTL must be positive, got " + idleTtl);
        }
        this.capacity = capacity;
        this.idleTtlNanos = idleTtl.toNanos();
        this.nanoTime = nanoTime;
        this.now = nanoTime.getAsLong();
        this.states = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Long, ConnectionState> eldest) {
                boolean evict = size() > ConnectionTable.this.capacity;
                if (evict) {
                    evictions++;
                }
                return evict;
            }
        };
    }

    /**
     * Reads the clock for the {@link #state} calls that follow. Called once per drain of the kernel's
     * events, not per event: the idle TTL is minutes, and a clock read costs as much as a lookup.
     * Returns the reading.
     */
    public long readClock() {
        now = nanoTime.getAsLong();
        return now;
    }

    /**
     * The state of connection {@code id}: its tracked state, or a fresh one if unknown, idle too long,
     * or now used by other endpoints.
     *
     * @param endpoints {@link #endpointsKey} of the connection's addresses and ports
     */
    public ConnectionState state(long id, long endpoints) {
        ConnectionState state = states.get(id);
        if (state == null) {
            state = new ConnectionState();
            states.put(id, state);
        } else if (now - state.lastSeenNanos > idleTtlNanos || state.endpoints != endpoints) {
            state.reset();
        }
        state.endpoints = endpoints;
        state.lastSeenNanos = now;
        return state;
    }

    /**
     * A fingerprint of a connection's endpoints, from the two 64-bit halves of each address (the form
     * the caller already has for its mapping lookups) and the ports.
     */
    public static long endpointsKey(long localHi, long localLo, int localPort, long remoteHi, long remoteLo, int remotePort) {
        long h = mix(mix(mix(mix(localHi) ^ localLo) ^ remoteHi) ^ remoteLo) ^ ((localPort & 0xffffL) << 16 | remotePort & 0xffffL);
        return mix(h);
    }

    private static long mix(long h) {
        h *= 0x9E37_79B9_7F4A_7C15L;
        return h ^ h >>> 29;
    }

    /** Drops a closed connection so a reused id starts fresh. */
    public void forget(long id) {
        states.remove(id);
    }

    public int size() {
        return states.size();
    }

    /** Connections dropped because the table was full. */
    public long evictions() {
        return evictions;
    }
}
