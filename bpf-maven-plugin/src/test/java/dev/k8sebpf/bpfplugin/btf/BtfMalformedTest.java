package dev.k8sebpf.bpfplugin.btf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.k8sebpf.bpfplugin.elf.ObjectFormatException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

/** Hand-made BTF of the kinds BtfFuzzTest found: a one-line error or the right size, never a crash. */
class BtfMalformedTest {
    private static final int INT = 1;
    private static final int ARRAY = 3;

    /** A .BTF section holding the given types (each: kind, size-or-type, then its trailing words) and no names. */
    private static byte[] btf(int[]... types) {
        int typeLen = 0;
        for (int[] t : types) {
            typeLen += 4 * (t.length + 1);
        }
        ByteBuffer b = ByteBuffer.allocate(24 + typeLen + 1).order(ByteOrder.LITTLE_ENDIAN);
        b.putShort((short) 0xeb9f).put((byte) 1).put((byte) 0).putInt(24).putInt(0).putInt(typeLen).putInt(typeLen).putInt(1);
        for (int[] t : types) {
            b.putInt(0).putInt(t[0] << 24).putInt(t[1]);
            for (int i = 2; i < t.length; i++) {
                b.putInt(t[i]);
            }
        }
        return b.put((byte) 0).array();
    }

    @Test
    void anArrayOfItselfIsMalformed() throws ObjectFormatException {
        Btf btf = Btf.parse(btf(new int[] {ARRAY, 0, 1, 1, 2})); // type 1: array of 2 type 1
        assertThatThrownBy(() -> btf.sizeOf(1)).isInstanceOf(ObjectFormatException.class).hasMessage("BTF type 1 is an array of itself");
    }

    @Test
    void sizesAndLengthsAreUnsigned() throws ObjectFormatException {
        // type 1: a 2^31-byte int (size word 0x80000000); type 2: 3 of them
        Btf btf = Btf.parse(btf(new int[] {INT, 0x8000_0000, 8}, new int[] {ARRAY, 0, 1, 1, 3}));
        assertThat(btf.sizeOf(1)).isEqualTo(1L << 31);
        assertThat(btf.sizeOf(2)).isEqualTo(3L << 31);
    }

    @Test
    void aSizePast2To63IsMalformed() throws ObjectFormatException {
        // 2 elements of 2^31-1 elements of 2^32-1 bytes
        Btf btf = Btf.parse(btf(new int[] {INT, -1, 8}, new int[] {ARRAY, 0, 1, 1, Integer.MAX_VALUE}, new int[] {ARRAY, 0, 2, 1, 2}));
        assertThat(btf.sizeOf(2)).isEqualTo(0xffff_ffffL * Integer.MAX_VALUE);
        assertThatThrownBy(() -> btf.sizeOf(3)).isInstanceOf(ObjectFormatException.class).hasMessage("BTF type 3 is larger than 2^63 bytes");
    }
}
