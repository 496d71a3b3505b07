package dev.k8sebpf.bpfplugin.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.k8sebpf.bpfplugin.TestObjects;
import dev.k8sebpf.bpfplugin.model.LayoutComparison;
import dev.k8sebpf.bpfplugin.model.ModelBuilder;
import dev.k8sebpf.bpfplugin.model.ObjectModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ArchLayoutTest {
    @TempDir
    Path dir;

    @Test
    void arm64ObjectHasTheSameGeneratedLayoutAsX86() throws Exception {
        Path artifacts = TestObjects.shapesArtifacts(dir);
        ObjectModel x86 = ModelBuilder.build("shapes", Files.readAllBytes(artifacts.resolve("x86/shapes.bpf.o")), List.of());
        ObjectModel arm64 = ModelBuilder.build("shapes", Files.readAllBytes(artifacts.resolve("arm64/shapes.bpf.o")), List.of());
        assertThat(LayoutComparison.firstDifference(x86, "x86", arm64, "arm64")).isEmpty();
        assertThat(arm64).isEqualTo(x86);
    }

    @Test
    void layoutThatDiffersBetweenArchesFailsNamingTypeAndField() throws Exception {
        Path src = TestObjects.sources(dir, "archdiff.bpf.c");
        BpfProject project = TestObjects.project(src, List.of("per_arch"));
        project.compile(TestObjects.toolchain(), dir.resolve("a"), dir.resolve("s"));
        assertThatThrownBy(() -> project.generate(dir.resolve("a")))
                .isInstanceOf(GenerationException.class)
                .hasMessage("archdiff.bpf.o: type per_arch field value: member list differs between x86 and arm64 (arm64 has arm_only here)");
    }

    @Test
    void configuredTypeMustBeInSomeObject() throws Exception {
        TestObjects.shapesArtifacts(dir);
        BpfProject project = TestObjects.project(dir.resolve("src"), List.of("inner", "no_such_struct"));
        assertThatThrownBy(() -> project.generate(dir.resolve("artifacts")))
                .isInstanceOf(GenerationException.class)
                .hasMessageStartingWith("type no_such_struct listed in <types> is not a struct, union or enum in the BTF of any object");
    }

    @Test
    void truncatedObjectGivesOneLineNamingIt() throws Exception {
        Path artifacts = TestObjects.shapesArtifacts(dir);
        Path obj = artifacts.resolve("arm64/shapes.bpf.o");
        byte[] bytes = Files.readAllBytes(obj);
        Files.write(obj, java.util.Arrays.copyOf(bytes, bytes.length / 3));
        assertThatThrownBy(() -> TestObjects.shapesProject(dir).generate(artifacts))
                .isInstanceOf(GenerationException.class)
                .hasMessageStartingWith("arm64/shapes.bpf.o: truncated object: ")
                .hasMessageNotContaining("\n");
    }
}
