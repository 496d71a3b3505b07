package dev.k8sebpf.bpfplugin.elf;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/** Bounds-checked little-endian reads over a byte array. */
public final class LeReader {
    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private final byte[] bytes;
    private final MemorySegment seg;

    public LeReader(byte[] bytes) {
        this.bytes = bytes;
        this.seg = MemorySegment.ofArray(bytes);
    }

    public void check(long offset, long length, String what) throws ObjectFormatException {
        if (offset < 0 || length < 0 || offset + length > bytes.length || offset + length < offset) {
            throw new ObjectFormatException("truncated object: " + what + " (" + length + " bytes at " + offset
                    + ") lies beyond the end of the data (" + bytes.length + " bytes)");
        }
    }

    public int u8(long off) throws ObjectFormatException {
        check(off, 1, "byte");
        return bytes[(int) off] & 0xff;
    }

    public int u16(long off) throws ObjectFormatException {
        check(off, 2, "u16");
        return seg.get(U16, off) & 0xffff;
    }

    public long u32(long off) throws ObjectFormatException {
        check(off, 4, "u32");
        return seg.get(U32, off) & 0xffffffffL;
    }

    public long u64(long off) throws ObjectFormatException {
        check(off, 8, "u64");
        return seg.get(U64, off);
    }

    public String string(long tableOff, long tableSize, long index, String what) throws ObjectFormatException {
        check(tableOff, tableSize, what + " table"); // a NOBITS string table has no bytes in the file
        if (index < 0 || index >= tableSize) {
            throw new ObjectFormatException(what + " offset " + index + " outside its string table");
        }
        long end = tableOff + index;
        while (end < tableOff + tableSize && bytes[(int) end] != 0) {
            end++;
        }
        if (end == tableOff + tableSize) {
            throw new ObjectFormatException(what + " at " + index + " is not NUL-terminated");
        }
        long start = tableOff + index;
        return new String(bytes, (int) start, (int) (end - start), StandardCharsets.UTF_8);
    }
}
