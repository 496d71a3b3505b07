package dev.k8sebpf.agent.httpparse;

import java.time.Duration;
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
    /*
     * Open addressing on primitive ids with linear probing (a lookup per receive, so no boxed keys),
     * kept at most half full; the states form a list from least to most recently used, through their
     * own fields, for the eviction.
     */
    private long[] ids = new long[64];
    private ConnectionState[] slots = new ConnectionState[64];
    private int size;
    private ConnectionState leastRecent;
    private ConnectionState mostRecent;
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
        int mask = ids.length - 1;
        int i = slot(id, mask);
        ConnectionState state;
        while ((state = slots[i]) != null && ids[i] != id) {
            i = (i + 1) & mask;
        }
        if (state == null) {
            if (size == capacity) {
                // the least recently used state becomes this one: a full table allocates nothing
                state = leastRecent;
                remove(state);
                state.reset();
                evictions++;
                i = freeSlot(id); // the removal may have moved entries of this probe run
            } else {
                state = new ConnectionState();
            }
            state.id = id;
            ids[i] = id;
            slots[i] = state;
            size++;
            append(state);
            if (2 * size > ids.length) {
                grow();
            }
        } else {
            if (now - state.lastSeenNanos > idleTtlNanos || state.endpoints != endpoints) {
                state.reset();
            }
            if (state != mostRecent) {
                unlink(state);
                append(state);
            }
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

    /** Ids are socket addresses: aligned, with their high bits alike, so the slot comes from a mix. */
    private static int slot(long id, int mask) {
        return (int) (mix(id) >>> 32) & mask;
    }

    /** The first empty slot of id's probe run (there is one: the table is at most half full). */
    private int freeSlot(long id) {
        int mask = ids.length - 1;
        int i = slot(id, mask);
        while (slots[i] != null) {
            i = (i + 1) & mask;
        }
        return i;
    }

    /** Drops a state and closes the gap its slot leaves in its probe run (no tombstones). */
    private void remove(ConnectionState state) {
        unlink(state);
        int mask = ids.length - 1;
        int gap = slot(state.id, mask);
        while (slots[gap] != state) {
            gap = (gap + 1) & mask;
        }
        for (int i = (gap + 1) & mask; slots[i] != null; i = (i + 1) & mask) {
            int home = slot(ids[i], mask);
            // an entry may move back into the gap only if the gap lies between its home slot and it
            if (((i - home) & mask) >= ((i - gap) & mask)) {
                ids[gap] = ids[i];
                slots[gap] = slots[i];
                gap = i;
            }
        }
        slots[gap] = null;
        size--;
    }

    private void grow() {
        long[] oldIds = ids;
        ConnectionState[] oldSlots = slots;
        ids = new long[2 * oldIds.length];
        slots = new ConnectionState[2 * oldSlots.length];
        for (int j = 0; j < oldSlots.length; j++) {
            if (oldSlots[j] != null) {
                int i = freeSlot(oldIds[j]);
                ids[i] = oldIds[j];
                slots[i] = oldSlots[j];
            }
        }
    }

    private void append(ConnectionState state) {
        state.older = mostRecent;
        state.newer = null;
        if (mostRecent == null) {
            leastRecent = state;
        } else {
            mostRecent.newer = state;
        }
        mostRecent = state;
    }

    private void unlink(ConnectionState state) {
        if (state.older == null) {
            leastRecent = state.newer;
        } else {
            state.older.newer = state.newer;
        }
        if (state.newer == null) {
            mostRecent = state.older;
        } else {
            state.newer.older = state.older;
        }
        state.older = null;
        state.newer = null;
    }

    public int size() {
        return size;
    }

    /** Connections dropped because the table was full. */
    public long evictions() {
        return evictions;
    }
}
