package dev.k8sebpf.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/** What the end-to-end run needs from the machine: a missing piece fails under CI=true and skips elsewhere. */
final class Requirements {
    private Requirements() {
    }

    static void require(boolean present, String what) {
        if (present) {
            return;
        }
        String message = what + " (bin/setup installs the packages; run as root: sudo bin/test)";
        if ("true".equals(System.getenv("CI"))) {
            Assertions.fail("CI=true and " + message);
        }
        Assumptions.abort(message);
    }

    static void requireRoot() {
        require(isRoot(), "end-to-end tests load eBPF programs and need root");
    }

    static Path requireExecutable(String path) {
        Path file = Path.of(path);
        require(Files.isExecutable(file), path + " is missing");
        return file;
    }

    static Path requireFile(Path file, String hint) {
        require(Files.isRegularFile(file), file + " is missing: " + hint);
        return file;
    }

    private static boolean isRoot() {
        try {
            return Files.readAllLines(Path.of("/proc/self/status")).stream()
                    .filter(line -> line.startsWith("Uid:"))
                    .anyMatch(line -> line.split("\\s+")[2].equals("0"));  // effective uid
        } catch (IOException e) {
            return false;
        }
    }
}
