package dev.k8sebpf.bpfplugin.compile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.k8sebpf.bpfplugin.TestObjects;
import dev.k8sebpf.bpfplugin.elf.ElfFile;
import dev.k8sebpf.bpfplugin.pipeline.BpfProject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BpfCompilerTest {
    @TempDir
    Path dir;

    @Test
    void sameInputsGiveByteIdenticalObjectsWhereverTheCheckoutIs() throws Exception {
        Path a = TestObjects.shapesArtifacts(dir.resolve("one"));
        Path b = TestObjects.shapesArtifacts(dir.resolve("two/deeper"));
        for (String arch : TestObjects.ARCHES) {
            assertThat(Files.mismatch(a.resolve(arch + "/shapes.bpf.o"), b.resolve(arch + "/shapes.bpf.o"))).isEqualTo(-1);
            String text = new String(Files.readAllBytes(a.resolve(arch + "/shapes.bpf.o")), java.nio.charset.StandardCharsets.ISO_8859_1);
            assertThat(text).doesNotContain(dir.toString()).doesNotContain("clang version");
        }
    }

    @Test
    void bothArchesAreBpfObjectsWithBtfAndNoDwarf() throws Exception {
        Path artifacts = TestObjects.shapesArtifacts(dir);
        for (String arch : TestObjects.ARCHES) {
            ElfFile elf = ElfFile.parse(Files.readAllBytes(artifacts.resolve(arch + "/shapes.bpf.o")));
            assertThat(elf.section(".BTF")).isPresent();
            assertThat(elf.section(".BTF.ext")).isPresent();
            assertThat(elf.sections()).noneMatch(s -> s.name().startsWith(".debug_"));
        }
    }

    @Test
    void skipsClangUntilAnInputChanges() throws Exception {
        Path src = TestObjects.sources(dir, "shapes.bpf.c", "shapes.h");
        BpfProject project = TestObjects.project(src, List.of());
        Toolchain tools = TestObjects.toolchain();
        assertThat(project.compile(tools, dir.resolve("a"), dir.resolve("s"))).isEqualTo(2);
        assertThat(project.compile(tools, dir.resolve("a"), dir.resolve("s"))).isZero();
        Files.writeString(src.resolve("shapes.h"), Files.readString(src.resolve("shapes.h")) + "\n/* changed */\n");
        assertThat(project.compile(tools, dir.resolve("a"), dir.resolve("s"))).isEqualTo(2);
        Files.write(dir.resolve("a/x86/shapes.bpf.o"), new byte[] {1});
        assertThat(project.compile(tools, dir.resolve("a"), dir.resolve("s"))).isEqualTo(1);
    }

    @Test
    void compileErrorShowsClangFileLineErrors() throws Exception {
        Path src = TestObjects.sources(dir, "broken.bpf.c");
        assertThatThrownBy(() -> TestObjects.project(src, List.of()).compile(TestObjects.toolchain(), dir.resolve("a"), dir.resolve("s")))
                .isInstanceOf(CompileException.class)
                .hasMessageStartingWith("clang failed on broken.bpf.c for x86:\n")
                .hasMessageContaining("broken.bpf.c:4:9: error: use of undeclared identifier 'undeclared_variable'");
    }

    @Test
    void missingClangSaysWhatToInstallOrSet() {
        Toolchain missing = new Toolchain("/nonexistent/clang-19", "llvm-strip-19");
        assertThatThrownBy(missing::clangVersion).isInstanceOf(ToolMissingException.class)
                .hasMessage("/nonexistent/clang-19 not found: install it (apt-get install clang-19) or set -Dbpf.clang to its path");
    }
}
