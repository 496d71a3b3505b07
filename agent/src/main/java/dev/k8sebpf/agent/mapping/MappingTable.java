package dev.k8sebpf.agent.mapping;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * IP → Kubernetes owner. Written by watcher threads, read by the event thread without locks or allocation.
 * A removed IP stays resolvable for the TTL, so a connect that races the Pod's deletion is still attributed.
 * Beyond {@code capacity} entries: expired entries go first, then removed ones (oldest removal first),
 * then the oldest live one; each eviction is counted and the first one is logged.
 */
public final class MappingTable {
    private static final Logger LOG = LoggerFactory.getLogger(MappingTable.class);

    private final long ttlNanos;
    private final int capacity;
    private final LongSupplier nanoTime;

    // Writer side, guarded by `this`. Insertion order is put order / removal order; with one TTL for every
    // entry, removal order is also expiry order.
    private final LinkedHashMap<IpKey, ProbeTable.Slot> live = new LinkedHashMap<>();
    private final LinkedHashMap<IpKey, ProbeTable.Slot> dying = new LinkedHashMap<>();
    private volatile ProbeTable reads = new ProbeTable(16);
    private volatile long evictions;

    public MappingTable(Duration ttl, int capacity, LongSupplier nanoTime) {
        if (capacity <= 0 || ttl.isNegative()) {
            throw new IllegalArgumentException("capacity must be positive and ttl not negative");
        }
        this.ttlNanos = ttl.toNanos();
        this.capacity = capacity;
        this.nanoTime = nanoTime;
    }

    /** Never null; {@link Destination#UNMAPPED} when unknown or expired. */
    public Destination lookup(IpKey ip) {
        return lookup(ip.hi(), ip.lo());
    }

    /** The hot-path form: the halves come from {@link IpKey#hiOf} / {@link IpKey#loOf}. */
    public Destination lookup(long hi, long lo) {
        return reads.lookup(hi, lo, nanoTime);
    }

    /** A live entry; a reused IP maps to its new owner at once. */
    public synchronized void put(IpKey ip, Destination destination) {
        purgeExpired();
        dying.remove(ip);
        live.remove(ip); // re-inserted below, so it becomes the newest
        ProbeTable.Slot slot = new ProbeTable.Slot(ip.hi(), ip.lo(), destination, false, 0);
        live.put(ip, slot);
        store(slot);
        while (live.size() + dying.size() > capacity) {
            evictOne();
        }
    }

    /** The entry stays resolvable for the TTL, then it is gone. */
    public synchronized void remove(IpKey ip) {
        ProbeTable.Slot removed = live.remove(ip);
        if (removed == null) {
            return;
        }
        if (ttlNanos == 0) {
            reads.delete(ip.hi(), ip.lo());
            return;
        }
        ProbeTable.Slot slot = new ProbeTable.Slot(ip.hi(), ip.lo(), removed.destination(), true, nanoTime.getAsLong() + ttlNanos);
        dying.put(ip, slot);
        store(slot);
    }

    /** After a relist: every live entry not in {@code keep} is {@link #remove}d. */
    public synchronized void retainOnly(Set<IpKey> keep) {
        for (IpKey ip : new ArrayList<>(live.keySet())) {
            if (!keep.contains(ip)) {
                remove(ip);
            }
        }
    }

    /** Entries that still resolve (live, and removed ones within their TTL). */
    public synchronized int size() {
        purgeExpired();
        return live.size() + dying.size();
    }

    public long evictions() {
        return evictions;
    }

    private void purgeExpired() {
        long now = nanoTime.getAsLong();
        for (Iterator<ProbeTable.Slot> it = dying.values().iterator(); it.hasNext(); ) {
            ProbeTable.Slot slot = it.next();
            if (now - slot.expiresAt() < 0) {
                return;
            }
            it.remove();
            reads.delete(slot.hi(), slot.lo());
        }
        if (reads.crowdedWithTombstones()) {
            rebuild();
        }
    }

    private void evictOne() {
        Map<IpKey, ProbeTable.Slot> victims = dying.isEmpty() ? live : dying;
        Map.Entry<IpKey, ProbeTable.Slot> oldest = victims.entrySet().iterator().next();
        victims.remove(oldest.getKey());
        reads.delete(oldest.getKey().hi(), oldest.getKey().lo());
        evictions++;
        if (evictions == 1) {
            LOG.warn("mapping table is full (MAPPER_CAPACITY={}): evicting the oldest entries, first {} → {}; "
                    + "later evictions are only counted", capacity, oldest.getKey(), oldest.getValue().destination());
        }
    }

    private void store(ProbeTable.Slot slot) {
        if (!reads.store(slot)) {
            rebuild();
            reads.store(slot);
        }
    }

    /** Builds a fresh read table from the writer side and publishes it; readers finish on the old one. */
    private void rebuild() {
        ProbeTable fresh = new ProbeTable(live.size() + dying.size() + 1);
        live.values().forEach(fresh::store);
        dying.values().forEach(fresh::store);
        reads = fresh;
    }
}
