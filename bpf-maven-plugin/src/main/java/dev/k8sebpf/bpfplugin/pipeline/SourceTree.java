package dev.k8sebpf.bpfplugin.pipeline;

import dev.k8sebpf.bpfplugin.codegen.JavaGenerator;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.stream.Stream;

/** Writing generated files into a directory, and comparing two directories file by file. */
public final class SourceTree {
    private SourceTree() {}

    /** Writes changed files only, and deletes earlier generated files that are no longer produced. */
    public static void write(Path dir, SortedMap<String, String> files) throws IOException {
        for (Map.Entry<String, String> e : files.entrySet()) {
            Path file = dir.resolve(e.getKey());
            byte[] bytes = e.getValue().getBytes(StandardCharsets.UTF_8);
            if (!Files.exists(file) || !Arrays.equals(Files.readAllBytes(file), bytes)) {
                Files.createDirectories(file.getParent());
                Files.write(file, bytes);
            }
        }
        for (String stale : list(dir, "").keySet()) {
            Path file = dir.resolve(stale);
            if (!files.containsKey(stale) && Files.readString(file).contains(JavaGenerator.HEADER)) {
                Files.delete(file);
            }
        }
    }

    /** Relative paths that are missing, extra or different in {@code actual} compared to {@code expected}. */
    public static List<String> differences(Path expected, Path actual, String suffix) throws IOException {
        SortedMap<String, Path> want = list(expected, suffix);
        SortedMap<String, Path> have = list(actual, suffix);
        List<String> diff = new ArrayList<>();
        for (Map.Entry<String, Path> e : want.entrySet()) {
            Path other = have.get(e.getKey());
            if (other == null || Files.mismatch(e.getValue(), other) != -1) {
                diff.add(e.getKey());
            }
        }
        have.keySet().stream().filter(k -> !want.containsKey(k)).forEach(diff::add);
        return diff.stream().sorted().toList();
    }

    private static SortedMap<String, Path> list(Path dir, String suffix) throws IOException {
        SortedMap<String, Path> files = new TreeMap<>();
        if (!Files.isDirectory(dir)) {
            return files;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.filter(Files::isRegularFile).filter(p -> p.getFileName().toString().endsWith(suffix))
                    .forEach(p -> files.put(dir.relativize(p).toString().replace('\\', '/'), p));
        }
        return files;
    }
}
