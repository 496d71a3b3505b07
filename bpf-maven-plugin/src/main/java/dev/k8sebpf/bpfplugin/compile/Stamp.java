package dev.k8sebpf.bpfplugin.compile;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** What produced an object: command, clang version, hash of every input file and of the output. */
record Stamp(String command, String clangVersion, Map<String, String> inputHashes, String outputHash) {

    static Stamp create(String command, String clangVersion, Path root, List<String> inputs, Path output)
            throws IOException {
        Map<String, String> hashes = new LinkedHashMap<>();
        for (String input : inputs) {
            hashes.put(input, hash(root.resolve(input)));
        }
        return new Stamp(command, clangVersion, hashes, hash(output));
    }

    boolean upToDate(String command, String clangVersion, Path root, Path output) {
        try {
            if (!command.equals(this.command) || !clangVersion.equals(this.clangVersion)
                    || !Files.exists(output) || !outputHash.equals(hash(output))) {
                return false;
            }
            for (Map.Entry<String, String> e : inputHashes.entrySet()) {
                Path input = root.resolve(e.getKey());
                if (!Files.exists(input) || !e.getValue().equals(hash(input))) {
                    return false;
                }
            }
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    static Optional<Stamp> read(Path file) throws IOException {
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        List<String> lines = Files.readAllLines(file);
        if (lines.size() < 3) {
            return Optional.empty();
        }
        Map<String, String> hashes = new LinkedHashMap<>();
        for (String line : lines.subList(3, lines.size())) {
            int space = line.indexOf(' ');
            hashes.put(line.substring(space + 1), line.substring(0, space));
        }
        return Optional.of(new Stamp(lines.get(0), lines.get(1), hashes, lines.get(2)));
    }

    void write(Path file) throws IOException {
        List<String> lines = new ArrayList<>(List.of(command, clangVersion, outputHash));
        inputHashes.forEach((path, hash) -> lines.add(hash + " " + path));
        Files.write(file, lines);
    }

    static String hash(Path file) throws IOException {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every JDK", e);
        }
    }
}
