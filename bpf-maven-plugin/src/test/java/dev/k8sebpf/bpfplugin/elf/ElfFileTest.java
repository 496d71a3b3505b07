package dev.k8sebpf.bpfplugin.elf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.k8sebpf.bpfplugin.TestObjects;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
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

    /** A section header of shapes.bpf.o made NOBITS ({@code .bss}-like) with the given offset and size. */
    private static byte[] withNobits(byte[] object, int section, long offset, long size) {
        ByteBuffer b = ByteBuffer.wrap(object.clone()).order(ByteOrder.LITTLE_ENDIAN);
        int header = (int) (b.getLong(40) + section * 64L);
        b.putInt(header + 4, ElfSection.SHT_NOBITS).putLong(header + 24, offset).putLong(header + 32, size);
        return b.array();
    }

    /** Found by reading while fuzzing: NOBITS offsets and sizes are not checked against the file. */
    @Test
    void aNobitsStringTableOrAHugeNobitsSectionFailsWithOneLine() throws Exception {
        byte[] shapes = shapes();
        int nameTable = ByteBuffer.wrap(shapes).order(ByteOrder.LITTLE_ENDIAN).getShort(62);
        assertThatThrownBy(() -> ElfFile.parse(withNobits(shapes, nameTable, 0x7fff_0000L, 100)))
                .isInstanceOf(ObjectFormatException.class)
                .hasMessageStartingWith("truncated object: section name table (100 bytes at 2147418112)");
        assertThatThrownBy(() -> ElfFile.parse(withNobits(shapes, nameTable == 1 ? 2 : 1, 0, 1L << 40)))
                .isInstanceOf(ObjectFormatException.class)
                .hasMessageEndingWith("(NOBITS) claims 1099511627776 bytes, more than the 67108864 an eBPF object's data may have here");
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
