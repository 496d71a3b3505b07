package dev.k8sebpf.bpfplugin;

import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.k8sebpf.bpfplugin.compile.CompileException;
import dev.k8sebpf.bpfplugin.compile.Toolchain;
import dev.k8sebpf.bpfplugin.pipeline.BpfProject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Compiles the test C sources with the real toolchain; clang is required under CI=true. */
public final class TestObjects {
    public static final Path C_DIR = Path.of(System.getProperty("test.c.dir", "src/test/c")).toAbsolutePath();
    public static final List<String> ARCHES = List.of("x86", "arm64");
    public static final String PACKAGE = "dev.k8sebpf.test.bpf";

    private TestObjects() {}

    public static Toolchain toolchain() {
        Toolchain tools = new Toolchain(System.getProperty("bpf.clang", "clang-19"), System.getProperty("bpf.llvmStrip", "llvm-strip-19"));
        try {
            tools.clangVersion();
        } catch (CompileException e) {
            if ("true".equals(System.getenv("CI"))) {
                fail("CI=true but " + e.getMessage());
            }
            assumeTrue(false, e.getMessage());
        }
        return tools;
    }

    /** A project over one directory of test C files (sources and includes in the same place). */
    public static BpfProject project(Path sources, List<String> types) {
        return new BpfProject(sources, sources, List.of(sources.toString()), ARCHES, types, PACKAGE);
    }

    /** Copies the named test C files into a fresh directory, so each test compiles only what it needs. */
    public static Path sources(Path dir, String... files) throws IOException {
        Path src = Files.createDirectories(dir.resolve("src"));
        for (String f : files) {
            Files.copy(C_DIR.resolve(f), src.resolve(f));
        }
        return src;
    }

    /** shapes.bpf.c compiled for both arches into {@code dir/artifacts}. */
    public static Path shapesArtifacts(Path dir) throws IOException, CompileException {
        Path src = sources(dir, "shapes.bpf.c", "shapes.h");
        Path artifacts = dir.resolve("artifacts");
        project(src, List.of()).compile(toolchain(), artifacts, dir.resolve("stamps"));
        return artifacts;
    }

    public static BpfProject shapesProject(Path dir) {
        return project(dir.resolve("src"), List.of());
    }
}
