package dev.k8sebpf.agent.architecture;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The benchmarks' Java sources under bench/ (run by scripts, not by Maven) still compile against the agent. */
class BenchSourcesTest {
    @Test
    void benchSourcesCompile(@TempDir Path out) throws IOException {
        List<String> sources;
        try (Stream<Path> files = Files.walk(Path.of("../bench"))) {
            sources = files.filter(f -> f.toString().endsWith(".java")).map(Path::toString).sorted().toList();
        }
        assertThat(sources).isNotEmpty();
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        List<String> options = List.of("-d", out.toString(), "-cp", System.getProperty("java.class.path"), "-proc:none");
        StringWriter errors = new StringWriter();
        try (StandardJavaFileManager files = javac.getStandardFileManager(null, null, null)) {
            boolean compiled = javac.getTask(errors, files, null, options, null, files.getJavaFileObjectsFromStrings(sources)).call();
            assertThat(compiled).as("javac: %s", errors).isTrue();
        }
    }
}
