package dev.k8sebpf.bpfplugin.elf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.k8sebpf.bpfplugin.TestObjects;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ElfFileTest {
    @TempDir
    Path dir;

    private byte[] shapes() throws Exception {
        return Files.readAllBytes(TestObjects.shapesArtifacts(dir).resolve("x86/shapes.bpf.o"));
    }

    @Test
    void readsSectionsAndSymbolsOfAClangObject() throws Exception {
        ElfFile elf = ElfFile.parse(shapes());
        assertThat(elf.sections()).extracting(ElfSection::name)
                .contains(".BTF", ".BTF.ext", ".maps", ".rodata", "xdp", "tracepoint/syscalls/sys_enter_connect", "license")
                .noneMatch(n -> n.startsWith(".debug"));
        ElfSection rodata = elf.section(".rodata").orElseThrow();
        assertThat(elf.symbols()).filteredOn(s -> s.name().equals("rd_s32")).singleElement()
                .satisfies(s -> assertThat(s.sectionIndex()).isEqualTo(rodata.index()));
        assertThat(elf.symbols()).filteredOn(s -> s.name().equals("handle_connect")).singleElement()
                .satisfies(s -> assertThat(s.type()).isEqualTo(ElfSymbol.STT_FUNC));
        byte[] license = elf.contents(elf.section("license").orElseThrow());
        assertThat(new String(license, 0, 3)).isEqualTo("GPL");
    }

    @Test
    void truncatedObjectFailsWithOneLine() throws Exception {
        byte[] whole = shapes();
        for (int length : new int[] {10, 64, whole.length / 2, whole.length - 1}) {
            assertThatThrownBy(() -> ElfFile.parse(Arrays.copyOf(whole, length)))
                    .isInstanceOf(ObjectFormatException.class)
                    .hasMessageNotContaining("\n")
                    .message().containsAnyOf("truncated", "not an ELF file", "string table");
        }
    }

    @Test
    void rejectsHostObjectsAndNonElfBytes() throws Exception {
        Path c = Files.writeString(dir.resolve("host.c"), "int f(void) { return 1; }\n");
        Path o = dir.resolve("host.o");
        Process gcc = new ProcessBuilder("gcc", "-c", c.toString(), "-o", o.toString()).inheritIO().start();
        assertThat(gcc.waitFor()).isZero();
        assertThatThrownBy(() -> ElfFile.parse(Files.readAllBytes(o)))
                .isInstanceOf(ObjectFormatException.class).hasMessageContaining("not an eBPF object (e_machine 62");
        assertThatThrownBy(() -> ElfFile.parse("#!/bin/sh\necho this is not an object, but it is long enough to be one\n".getBytes()))
                .isInstanceOf(ObjectFormatException.class).hasMessageContaining("not an ELF file");
    }
}
