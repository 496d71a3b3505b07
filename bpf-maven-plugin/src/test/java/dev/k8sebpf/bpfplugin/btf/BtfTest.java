package dev.k8sebpf.bpfplugin.btf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.k8sebpf.bpfplugin.TestObjects;
import dev.k8sebpf.bpfplugin.elf.ElfFile;
import dev.k8sebpf.bpfplugin.elf.ObjectFormatException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** BTF of shapes.bpf.o as clang-19 writes it: every kind the test file produces, decoded correctly. */
class BtfTest {
    @TempDir
    Path dir;

    private byte[] section;
    private Btf btf;

    @BeforeEach
    void parse() throws Exception {
        ElfFile elf = ElfFile.parse(Files.readAllBytes(TestObjects.shapesArtifacts(dir).resolve("x86/shapes.bpf.o")));
        section = elf.contents(elf.section(".BTF").orElseThrow());
        btf = Btf.parse(section);
    }

    private <T extends BtfType> T named(Class<T> kind, String name) throws Exception {
        return kind.cast(btf.type(btf.find(kind, name).orElseThrow(() -> new AssertionError(name))));
    }

    @Test
    void containsEveryKindTheTestFileProduces() {
        assertThat(btf.types()).extracting(t -> (Class) t.getClass()).contains(BtfType.Void.class, BtfType.Int.class,
                BtfType.Ptr.class, BtfType.Array.class, BtfType.Struct.class, BtfType.Enum.class, BtfType.Typedef.class,
                BtfType.Volatile.class, BtfType.Const.class, BtfType.Func.class, BtfType.FuncProto.class,
                BtfType.Var.class, BtfType.Datasec.class, BtfType.Float.class, BtfType.DeclTag.class, BtfType.TypeTag.class);
    }

    @Test
    void structMembersBitfieldsAndUnions() throws Exception {
        BtfType.Struct shapes = named(BtfType.Struct.class, "shapes");
        assertThat(shapes.size()).isEqualTo(176);
        assertThat(shapes.union()).isFalse();
        BtfType.Member bfD = shapes.members().stream().filter(m -> m.name().equals("bf_d")).findFirst().orElseThrow();
        assertThat(bfD.bitfieldSize()).isEqualTo(40);
        assertThat(bfD.bitOffset()).isEqualTo(1041);
        assertThat(named(BtfType.Struct.class, "num").union()).isTrue();
        assertThat(btf.type(btf.resolve(named(BtfType.Typedef.class, "u64").type()))).isEqualTo(
                new BtfType.Int("unsigned long long", 8, false, false, false, 0, 64));
    }

    @Test
    void enumsIncludingEnum64AndSignedValues() throws Exception {
        BtfType.Enum wide = named(BtfType.Enum.class, "wide");
        assertThat(wide.wide()).isTrue();
        assertThat(wide.values()).contains(new BtfType.EnumValue("WIDE_HUGE", 0x1_0000_0000L));
        BtfType.Enum neg = named(BtfType.Enum.class, "neg");
        assertThat(neg.signed()).isTrue();
        assertThat(neg.values()).contains(new BtfType.EnumValue("NEG_MINUS", -5));
        assertThat(named(BtfType.Enum.class, "color").values()).extracting(BtfType.EnumValue::value).containsExactly(0L, 1L, 7L);
    }

    @Test
    void tagsFloatsAndDatasecs() throws Exception {
        int shapesId = btf.find(BtfType.Struct.class, "shapes").orElseThrow();
        assertThat(btf.types()).contains(new BtfType.DeclTag("export", shapesId, -1));
        assertThat(btf.types()).filteredOn(t -> t instanceof BtfType.DeclTag d && d.name().equals("member_tag"))
                .singleElement().extracting(t -> ((BtfType.DeclTag) t).componentIndex()).isEqualTo(28);
        assertThat(btf.types()).anyMatch(t -> t instanceof BtfType.TypeTag tt && tt.name().equals("user"));
        assertThat(named(BtfType.Float.class, "double").size()).isEqualTo(8);
        BtfType.Datasec rodata = named(BtfType.Datasec.class, ".rodata");
        List<String> vars = rodata.vars().stream().map(v -> {
            try {
                return btf.type(v.type()).name();
            } catch (ObjectFormatException e) {
                throw new AssertionError(e);
            }
        }).toList();
        assertThat(vars).containsExactlyInAnyOrder("rd_u8", "rd_s32", "rd_u64", "rd_flag", "rd_color", "rd_name");
        assertThat(named(BtfType.Func.class, "handle_connect").protoType()).isPositive();
    }

    @Test
    void truncatedBtfFailsCleanly() {
        assertThatThrownBy(() -> Btf.parse(Arrays.copyOf(section, section.length - 40)))
                .isInstanceOf(ObjectFormatException.class).hasMessageContaining("truncated");
        assertThatThrownBy(() -> Btf.parse(new byte[] {1, 2, 3}))
                .isInstanceOf(ObjectFormatException.class).hasMessageContaining("magic");
    }
}
