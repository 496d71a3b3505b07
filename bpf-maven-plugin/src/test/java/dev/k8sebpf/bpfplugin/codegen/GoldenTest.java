package dev.k8sebpf.bpfplugin.codegen;

import static org.assertj.core.api.Assertions.assertThat;

import dev.k8sebpf.bpfplugin.TestObjects;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.SortedMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Java generated from shapes.bpf.c matches the reviewed golden files (-Dgolden.update=true rewrites them). */
class GoldenTest {
    private static final Path GOLDEN = Path.of(System.getProperty("golden.dir", "src/test/resources/golden"));

    @TempDir
    Path dir;

    @Test
    void generatedJavaMatchesGoldenFiles() throws Exception {
        Path artifacts = TestObjects.shapesArtifacts(dir);
        SortedMap<String, String> files = TestObjects.shapesProject(dir).generate(artifacts);
        if (Boolean.getBoolean("golden.update")) {
            try (Stream<Path> old = Files.list(GOLDEN)) {
                for (Path p : old.toList()) {
                    Files.delete(p);
                }
            }
            for (Map.Entry<String, String> e : files.entrySet()) {
                Files.writeString(GOLDEN.resolve(Path.of(e.getKey()).getFileName() + ".txt"), e.getValue());
            }
        }
        try (Stream<Path> golden = Files.list(GOLDEN)) {
            assertThat(golden.map(p -> p.getFileName().toString()))
                    .containsExactlyInAnyOrderElementsOf(files.keySet().stream()
                            .map(k -> Path.of(k).getFileName() + ".txt").toList());
        }
        for (Map.Entry<String, String> e : files.entrySet()) {
            assertThat(e.getValue()).as(e.getKey())
                    .isEqualTo(Files.readString(GOLDEN.resolve(Path.of(e.getKey()).getFileName() + ".txt")));
        }
    }
}
