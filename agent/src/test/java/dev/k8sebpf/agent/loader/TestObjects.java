package dev.k8sebpf.agent.loader;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Compiles the test-only BPF programs in src/test/c with clang-19, as the build does for the real ones. */
public final class TestObjects {
    private TestObjects() {
    }

    public static byte[] compile(String source) throws IOException, InterruptedException {
        KernelPreconditions.requireTool("clang-19");
        Path out = Files.createTempFile("test-", ".bpf.o");
        try {
            Process clang = new ProcessBuilder("clang-19", "-target", "bpfel", "-g", "-O2",
                    "-I/usr/include/" + System.getProperty("os.arch").replace("amd64", "x86_64") + "-linux-gnu",
                    "-c", Path.of("src/test/c", source).toString(), "-o", out.toString())
                    .redirectErrorStream(true).start();
            String output = new String(clang.getInputStream().readAllBytes());
            if (clang.waitFor() != 0) {
                throw new IllegalStateException("clang-19 failed on " + source + ":\n" + output);
            }
            return Files.readAllBytes(out);
        } finally {
            Files.deleteIfExists(out);
        }
    }
}
