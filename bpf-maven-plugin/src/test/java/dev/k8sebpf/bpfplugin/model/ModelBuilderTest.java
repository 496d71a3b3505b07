package dev.k8sebpf.bpfplugin.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.k8sebpf.bpfplugin.TestObjects;
import dev.k8sebpf.bpfplugin.elf.ObjectFormatException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelBuilderTest {
    @TempDir
    Path dir;

    private ObjectModel shapes(String arch) throws Exception {
        byte[] object = Files.readAllBytes(TestObjects.shapesArtifacts(dir).resolve(arch + "/shapes.bpf.o"));
        return ModelBuilder.build("shapes", object, List.of());
    }

    @Test
    void programsAndTheirSections() throws Exception {
        assertThat(shapes("x86").programs()).containsExactly(
                new ProgramDef("handle_connect", "tracepoint/syscalls/sys_enter_connect"), new ProgramDef("xdpPass", "xdp"));
    }

    @Test
    void mapsFromTheMapsDatasec() throws Exception {
        assertThat(shapes("x86").maps()).containsExactly(
                new MapDef("by_key", 1, 12, 176, 64), new MapDef("counter", 2, 4, 8, 1), new MapDef("events", 27, 0, 0, 4096));
    }

    @Test
    void recordsForMapKeysValuesAndWhatTheyReach() throws Exception {
        ObjectModel m = shapes("x86");
        assertThat(m.structs()).extracting(StructDef::javaName)
                .containsExactly("Inner", "Key", "Num", "PointT", "Shapes", "ShapesPos");
        assertThat(m.enums()).extracting(EnumDef::javaName).containsExactly("Color", "ModeT", "Neg", "Wide");
        StructDef shapes = m.structs().stream().filter(s -> s.cName().equals("shapes")).findFirst().orElseThrow();
        // the anonymous union member is flattened: id and idb share an offset
        assertThat(shapes.fields()).filteredOn(f -> f.cName().startsWith("id")).extracting(Field::byteOffset)
                .containsExactly(164L, 164L);
        assertThat(shapes.fields()).filteredOn(f -> f.cName().equals("name")).singleElement()
                .extracting(Field::shape).isEqualTo(new Shape.Array(Shape.Scalar.S8, 12, 1, true));
        assertThat(shapes.fields()).filteredOn(f -> f.cName().equals("raw")).singleElement()
                .extracting(Field::shape).isEqualTo(new Shape.Array(Shape.Scalar.U8, 3, 1, false));
    }

    @Test
    void rodataOffsetsComeFromSymbolsAndMatchTheImage() throws Exception {
        ObjectModel m = shapes("x86");
        assertThat(m.rodataVars()).extracting(RodataVar::cName)
                .containsExactly("rd_u8", "rd_s32", "rd_u64", "rd_flag", "rd_color", "rd_name");
        MemorySegment image = MemorySegment.ofArray(m.rodataImage());
        RodataVar s32 = m.rodataVars().get(1);
        assertThat(s32.offset()).isPositive();
        assertThat(image.get(ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), s32.offset())).isEqualTo(-2);
        RodataVar color = m.rodataVars().get(4);
        assertThat(image.get(ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), color.offset())).isEqualTo(1);
    }

    @Test
    void unsupportedConstructNamesTypeAndField() throws Exception {
        Path src = TestObjects.sources(dir, "int128.bpf.c");
        TestObjects.project(src, List.of("wide_counter")).compile(TestObjects.toolchain(), dir.resolve("a"), dir.resolve("s"));
        byte[] object = Files.readAllBytes(dir.resolve("a/x86/int128.bpf.o"));
        assertThatThrownBy(() -> ModelBuilder.build("int128", object, List.of("wide_counter")))
                .isInstanceOf(ModelException.class)
                .hasMessage("type WideCounter field total: unsupported BTF construct: 128-bit integer unsigned __int128");
    }

    @Test
    void objectWithoutBtfIsRejected() throws Exception {
        Path o = dir.resolve("nobtf.o");
        Path c = Files.writeString(dir.resolve("nobtf.c"), "int f(void) { return 1; }\n");
        Process p = new ProcessBuilder(TestObjects.toolchain().clang(), "-target", "bpfel", "-O2", "-c", c.toString(), "-o", o.toString())
                .inheritIO().start();
        assertThat(p.waitFor()).isZero();
        assertThatThrownBy(() -> ModelBuilder.build("nobtf", Files.readAllBytes(o), List.of()))
                .isInstanceOf(ObjectFormatException.class).hasMessageContaining("no .BTF section");
    }
}
