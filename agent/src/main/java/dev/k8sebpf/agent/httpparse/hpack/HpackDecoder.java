package dev.k8sebpf.agent.httpparse.hpack;

import java.util.Arrays;

/**
 * Decodes the header blocks one side of an HTTP/2 connection sends (RFC 7541), for a reader that sees only
 * some of them: captures are cut, reads are missed. The dynamic table is kept as far as its inputs were
 * seen. When a block (or the end of one) goes by unseen, the entries it may have added push every known
 * entry to an unknown depth, so the known entries are dropped and the table is <em>tainted</em>: a later
 * reference past the entries added since is unknown, not an error. Eviction stays exact for those newer
 * entries (they are evicted last, and only their own sizes decide when), so a tainted table heals as the
 * connection goes on adding what it uses. An entry added under a name of unknown depth takes its place
 * with its name unknown: positions count from the newest entry, so they stay exact, and sizes only decide
 * which oldest entries are gone, which the encoder then never refers to (sizes are counted as a lower
 * bound, so such an entry may be kept past its eviction, never dropped before it). One instance per
 * connection direction; not thread-safe.
 */
public final class HpackDecoder {
    /** SETTINGS_HEADER_TABLE_SIZE's initial value: the table's size until the encoder signals another. */
    static final int DEFAULT_TABLE_SIZE = 4096;
    /** Larger size updates are taken as garbage: no peer advertises tables this big. */
    static final int MAX_TABLE_SIZE = 1 << 20;
    /** RFC 7541 4.1: an entry's size is its name's and value's octets plus this. */
    private static final int ENTRY_OVERHEAD = 32;

    /** How a block's decoding ended. */
    public enum Result {
        /** Every field was decoded (some values may have been unknown). */
        COMPLETE,
        /** The visible bytes ended inside the block: fields up to there were decoded, the table is tainted. */
        CUT,
        /** Not HPACK as far as this decoder can tell: the table is tainted. */
        MALFORMED
    }

    /** Receives each decoded field whose name and value are both known, in block order. */
    @FunctionalInterface
    public interface Fields {
        void field(byte[] name, byte[] value);
    }

    /** Known entries, newest at {@code head}, as a ring of {@code names.length} slots; a null name is unknown. */
    private byte[][] names = new byte[16][];
    private byte[][] values = new byte[16][];
    private int[] sizes = new int[16];
    private int head;
    private int count;
    private int size;
    private int maxSize = DEFAULT_TABLE_SIZE;
    /** Entries of unknown content may sit below the known ones. */
    private boolean tainted;
    private byte[] huffmanScratch = new byte[64];
    private int pos;
    /** The last block had a field of unknown content (a reference into the tainted part of the table). */
    private boolean skippedUnknown;

    /**
     * Decodes {@code b[from, to)}, a whole header block if {@code whole}, else the block's start (the
     * rest was not captured).
     */
    public Result decode(byte[] b, int from, int to, boolean whole, Fields out) {
        pos = from;
        skippedUnknown = false;
        while (pos < to) {
            int first = b[pos] & 0xff;
            boolean complete;
            if ((first & 0x80) != 0) {
                complete = indexed(b, to, out);
            } else if ((first & 0x40) != 0) {
                complete = literal(b, to, 6, true, out);
            } else if ((first & 0x20) != 0) {
                complete = sizeUpdate(b, to);
            } else {
                complete = literal(b, to, 4, false, out);
            }
            if (!complete) {
                lose();
                return pos == MALFORMED || whole ? Result.MALFORMED : Result.CUT;
            }
        }
        return Result.COMPLETE;
    }

    /** Whether the last {@link #decode} skipped a field it could not know (its block's fields are incomplete). */
    public boolean skippedUnknown() {
        return skippedUnknown;
    }

    /** A header block, or the rest of one, went by unseen. */
    public void lose() {
        Arrays.fill(names, null);
        Arrays.fill(values, null);
        count = 0;
        size = 0;
        tainted = true;
    }

    /** Marks {@link #pos} when the input cannot be HPACK (beside running out of bytes). */
    private static final int MALFORMED = -1;

    private boolean indexed(byte[] b, int to, Fields out) {
        int index = integer(b, to, 7);
        if (index < 0) {
            return false;
        }
        if (index == 0) {
            pos = MALFORMED;
            return false;
        }
        if (index <= StaticTable.SIZE) {
            out.field(StaticTable.name(index), StaticTable.value(index));
            return true;
        }
        int dynamic = index - StaticTable.SIZE - 1;
        if (dynamic < count) {
            int slot = slot(dynamic);
            if (names[slot] != null) {
                out.field(names[slot], values[slot]);
            } else {
                skippedUnknown = true;
            }
            return true;
        }
        return unknownReference();
    }

    private boolean literal(byte[] b, int to, int prefix, boolean indexing, Fields out) {
        int nameIndex = integer(b, to, prefix);
        if (nameIndex < 0) {
            return false;
        }
        byte[] name;
        if (nameIndex == 0) {
            name = string(b, to);
        } else if (nameIndex <= StaticTable.SIZE) {
            name = StaticTable.name(nameIndex);
        } else if (nameIndex - StaticTable.SIZE - 1 < count) {
            name = names[slot(nameIndex - StaticTable.SIZE - 1)]; // (null if unknown itself)
        } else if (!unknownReference()) {
            return false;
        } else {
            name = null;
        }
        if (nameIndex == 0 && name == null) {
            return false; // a literal name that ran out or was malformed
        }
        byte[] value = string(b, to);
        if (value == null) {
            return false;
        }
        if (indexing) {
            insert(name, value);
        }
        if (name != null) {
            out.field(name, value);
        } else {
            skippedUnknown = true;
        }
        return true;
    }

    private boolean sizeUpdate(byte[] b, int to) {
        int newSize = integer(b, to, 5);
        if (newSize < 0) {
            return false;
        }
        if (newSize > MAX_TABLE_SIZE) {
            pos = MALFORMED;
            return false;
        }
        maxSize = newSize;
        evictTo(maxSize);
        if (newSize == 0) {
            tainted = false; // the table is empty for certain
        }
        return true;
    }

    /** A reference past the known entries: unknown in a tainted table, an error otherwise. */
    private boolean unknownReference() {
        if (!tainted) {
            pos = MALFORMED;
        }
        skippedUnknown |= tainted;
        return tainted;
    }

    /** name: null if unknown (its size is then counted as 0). */
    private void insert(byte[] name, byte[] value) {
        int entrySize = (name == null ? 0 : name.length) + value.length + ENTRY_OVERHEAD;
        if (entrySize > maxSize) {
            // RFC 7541 4.4: the table empties and the entry is not added
            evictTo(0);
            tainted = false;
            return;
        }
        evictTo(maxSize - entrySize);
        if (count == names.length) {
            grow();
        }
        head = (head - 1 + names.length) % names.length;
        names[head] = name;
        values[head] = value;
        sizes[head] = entrySize;
        count++;
        size += entrySize;
    }

    private void evictTo(int limit) {
        while (size > limit) {
            int oldest = slot(count - 1);
            size -= sizes[oldest];
            names[oldest] = null;
            values[oldest] = null;
            count--;
        }
    }

    private void grow() {
        byte[][] newNames = new byte[names.length * 2][];
        byte[][] newValues = new byte[values.length * 2][];
        int[] newSizes = new int[sizes.length * 2];
        for (int i = 0; i < count; i++) {
            newNames[i] = names[slot(i)];
            newValues[i] = values[slot(i)];
            newSizes[i] = sizes[slot(i)];
        }
        names = newNames;
        values = newValues;
        sizes = newSizes;
        head = 0;
    }

    /** The ring slot of dynamic entry i (0: the newest). */
    private int slot(int i) {
        return (head + i) % names.length;
    }

    /**
     * An integer with an n-bit prefix (RFC 7541 5.1) at {@link #pos}, which it moves past it; -1 if the
     * bytes end first, -1 with pos at {@link #MALFORMED} if it does not fit 28 bits.
     */
    private int integer(byte[] b, int to, int n) {
        int mask = (1 << n) - 1;
        int value = b[pos] & mask;
        int at = pos + 1;
        if (value == mask) {
            int shift = 0;
            int octet;
            do {
                if (at >= to) {
                    return -1;
                }
                if (shift > 21) {
                    pos = MALFORMED;
                    return -1;
                }
                octet = b[at++] & 0xff;
                value += (octet & 0x7f) << shift;
                shift += 7;
            } while ((octet & 0x80) != 0);
        }
        pos = at;
        return value;
    }

    /** A string literal (RFC 7541 5.2) at {@link #pos}; null if the bytes end first or it is malformed. */
    private byte[] string(byte[] b, int to) {
        if (pos >= to) {
            return null;
        }
        boolean huffman = (b[pos] & 0x80) != 0;
        int length = integer(b, to, 7);
        if (length < 0) {
            return null;
        }
        if (length > to - pos) {
            return null;
        }
        int start = pos;
        pos += length;
        if (!huffman) {
            return Arrays.copyOfRange(b, start, start + length);
        }
        if (huffmanScratch.length < Huffman.maxDecodedLength(length)) {
            huffmanScratch = new byte[Huffman.maxDecodedLength(length)];
        }
        int decoded = Huffman.decode(b, start, start + length, huffmanScratch);
        if (decoded < 0) {
            pos = MALFORMED;
            return null;
        }
        return Arrays.copyOf(huffmanScratch, decoded);
    }
}
