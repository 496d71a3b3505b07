package dev.k8sebpf.agent.loader;

import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.SymbolLookup;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Finds libbpf for this JVM: first the copy the agent carries (classpath {@code native/<arch>/}: Debian
 * bookworm's libbpf1 1.1.2 with the libelf1 and zlib1g it links, see native/SOURCES), so the image's base
 * needs only a JRE and glibc; else the system's {@code libbpf.so.1}. The carried files are written to
 * java.io.tmpdir and opened by path in dependency order: the dynamic loader then resolves libbpf's
 * DT_NEEDED libelf.so.1 / libz.so.1 by soname to the copies already loaded. Resolved once.
 */
final class LibbpfLibrary {
    static final String NAME = "libbpf.so.1";
    // Dependencies first: each one's sonames must be loaded before the library that needs them.
    private static final List<String> CARRIED = List.of("libz.so.1", "libelf.so.1", NAME);

    /** Where libbpf came from, or why it could not be loaded. */
    record Found(Optional<SymbolLookup> lookup, String origin) {
    }

    private static Found found;

    private LibbpfLibrary() {
    }

    static synchronized Found find() {
        if (found == null) {
            found = locate();
        }
        return found;
    }

    private static Found locate() {
        String carriedProblem;
        try {
            Optional<SymbolLookup> carried = loadCarried();
            if (carried.isPresent()) {
                return new Found(carried, "the agent's own copy");
            }
            carriedProblem = "the agent carries none for " + System.getProperty("os.arch");
        } catch (IOException | IllegalArgumentException e) {
            carriedProblem = "its own copy could not be loaded from " + System.getProperty("java.io.tmpdir")
                    + " (" + e.getClass().getSimpleName() + ": " + e.getMessage() + ")";
        }
        try {
            return new Found(Optional.of(SymbolLookup.libraryLookup(NAME, Arena.global())), "the system's");
        } catch (IllegalArgumentException e) {
            return new Found(Optional.empty(), carriedProblem + ", and the system has no " + NAME);
        }
    }

    private static Optional<SymbolLookup> loadCarried() throws IOException {
        String arch = switch (System.getProperty("os.arch")) {
            case "amd64", "x86_64" -> "x86";
            case "aarch64" -> "arm64";
            default -> null;
        };
        if (arch == null || LibbpfLibrary.class.getResource("/native/" + arch + "/" + NAME) == null) {
            return Optional.empty();
        }
        Path dir = Files.createTempDirectory("libbpf-");
        List<Path> written = new ArrayList<>();
        try {
            SymbolLookup lookup = null;
            for (String soname : CARRIED) {
                Path file = dir.resolve(soname);
                try (InputStream in = LibbpfLibrary.class.getResourceAsStream("/native/" + arch + "/" + soname)) {
                    if (in == null) {
                        throw new IOException("native/" + arch + "/" + soname + " missing from the agent");
                    }
                    Files.copy(in, file);
                }
                written.add(file);
                lookup = SymbolLookup.libraryLookup(file, Arena.global());
            }
            return Optional.of(lookup);
        } finally {
            // Mapped libraries stay loaded without their files; the emptyDir /tmp is small.
            for (Path file : written) {
                Files.deleteIfExists(file);
            }
            Files.deleteIfExists(dir);
        }
    }
}
