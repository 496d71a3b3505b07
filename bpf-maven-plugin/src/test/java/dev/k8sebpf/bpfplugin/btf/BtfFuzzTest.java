package dev.k8sebpf.bpfplugin.btf;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.k8sebpf.bpfplugin.elf.ObjectFormatException;

/**
 * Coverage-guided (Jazzer, see agent/FUZZING.md): any {@code .BTF} section parses or fails with a one-line
 * {@link ObjectFormatException}; so does resolving and sizing every type it holds (cycles included).
 */
class BtfFuzzTest {
    @FuzzTest
    void fuzzBtf(byte[] section) throws ObjectFormatException {
        Btf btf;
        try {
            btf = Btf.parse(section);
        } catch (ObjectFormatException e) {
            assertThat(e.getMessage()).isNotBlank().doesNotContain("\n");
            return;
        }
        assertThat(btf.type(0)).isInstanceOf(BtfType.Void.class);
        for (int id = 0; id < btf.size(); id++) {
            try {
                int resolved = btf.resolve(id);
                assertThat(btf.type(resolved)).isNotNull();
                assertThat(btf.sizeOf(id)).isNotNegative();
            } catch (ObjectFormatException e) {
                assertThat(e.getMessage()).isNotBlank().doesNotContain("\n");
            }
        }
    }
}
