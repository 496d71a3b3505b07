package dev.k8sebpf.agent.mapping;

import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.LongSupplier;

/**
 * The read side of {@link MappingTable}: an open-addressing hash table keyed by the two longs of an
 * {@link IpKey}, so the event thread can look up a kernel address without building a key object.
 * One writer at a time (the table's lock); readers never lock. Each slot holds an immutable
 * {@link Slot}, so a reader sees either the old or the new entry, never a torn one.
 */
final class ProbeTable {
    /** An entry that is still resolvable; {@code expiresAt} is only meaningful when {@code dying}. */
    record Slot(long hi, long lo, Destination destination, boolean dying, long expiresAt) {
        Destination resolve(LongSupplier nanoTime) {
            return !dying || nanoTime.getAsLong() - expiresAt < 0 ? destination : Destination.UNMAPPED;
        }
    }

    /** Marks a deleted slot so probe chains running through it stay intact. */
    private static final Slot TOMBSTONE = new Slot(0, 0, Destination.UNMAPPED, true, 0);

    private final AtomicReferenceArray<Slot> slots;
    private final int mask;
    private int used;       // slots that are not null, tombstones included
    private int tombstones;

    ProbeTable(int minimumEntries) {
        int length = Integer.highestOneBit(Math.max(16, minimumEntries * 2 - 1)) << 1;
        slots = new AtomicReferenceArray<>(length);
        mask = length - 1;
    }

    Destination lookup(long hi, long lo, LongSupplier nanoTime) {
        for (int i = index(hi, lo); ; i = (i + 1) & mask) {
            Slot slot = slots.getAcquire(i);
            if (slot == null) {
                return Destination.UNMAPPED;
            }
            if (slot != TOMBSTONE && slot.hi == hi && slot.lo == lo) {
                return slot.resolve(nanoTime);
            }
        }
    }

    /** Inserts or replaces; false when the table is too full and must be rebuilt bigger first. */
    boolean store(Slot entry) {
        int free = -1;
        for (int i = index(entry.hi, entry.lo); ; i = (i + 1) & mask) {
            Slot slot = slots.getPlain(i);
            if (slot == null) {
                if (free < 0) {
                    if ((used + 1) * 4 > slots.length() * 3) {
                        return false;
                    }
                    used++;
                    free = i;
                } else {
                    tombstones--;
                }
                slots.setRelease(free, entry);
                return true;
            }
            if (slot == TOMBSTONE) {
                if (free < 0) {
                    free = i;
                }
            } else if (slot.hi == entry.hi && slot.lo == entry.lo) {
                slots.setRelease(i, entry);
                return true;
            }
        }
    }

    void delete(long hi, long lo) {
        for (int i = index(hi, lo); ; i = (i + 1) & mask) {
            Slot slot = slots.getPlain(i);
            if (slot == null) {
                return;
            }
            if (slot != TOMBSTONE && slot.hi == hi && slot.lo == lo) {
                slots.setRelease(i, TOMBSTONE);
                tombstones++;
                return;
            }
        }
    }

    /** True when tombstones fill so much of the table that probes get long: time to rebuild. */
    boolean crowdedWithTombstones() {
        return tombstones * 4 > slots.length();
    }

    private int index(long hi, long lo) {
        long h = (hi * 0x9E37_79B9_7F4A_7C15L) ^ lo;
        h *= 0xBF58_476D_1CE4_E5B9L;
        return (int) (h ^ (h >>> 32)) & mask;
    }
}
