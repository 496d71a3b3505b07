package dev.k8sebpf.bpfplugin.compile;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/** The prerequisites of a make-style dependency file written by {@code clang -MD -MF}. */
final class Depfile {
    private Depfile() {}

    static List<String> parse(Path depfile) throws IOException {
        String text = Files.readString(depfile).replace("\\\n", " ");
        int colon = text.indexOf(": ");
        return Arrays.stream(text.substring(colon + 2).trim().split("\\s+")).filter(s -> !s.isEmpty()).sorted().toList();
    }
}
