package dev.k8sebpf.bpfplugin.model;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.k8sebpf.bpfplugin.elf.ObjectFormatException;
import java.util.List;

/**
 * Coverage-guided (Jazzer, see agent/FUZZING.md): any bytes given to the generator as a BPF object are
 * either modelled or refused with a one-line {@link ObjectFormatException} or {@link ModelException}, never
 * an index error, an overflow, a stack overflow or an allocation the file does not back. Seeds: a small
 * clang-19 object (src/test/c/fuzz_seed.bpf.c) and its mutations.
 */
class ObjectFileFuzzTest {
    @FuzzTest
    void fuzzObject(byte[] object) {
        try {
            ObjectModel model = ModelBuilder.build("fuzz", object, List.of("event", "config", "outcome"));
            assertThat(model.configuredTypesFound()).isSubsetOf("event", "config", "outcome");
        } catch (ObjectFormatException | ModelException e) {
            assertThat(e.getMessage()).isNotBlank().doesNotContain("\n");
        }
    }
}
