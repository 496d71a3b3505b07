package dev.k8sebpf.agent.mapping;

import java.nio.file.Path;

/** The local mapping file cannot be used; the message is the single line shown to the user. */
public final class MappingFileException extends Exception {
    public MappingFileException(Path file, String problem) {
        super("MAPPING_FILE " + file + ": " + problem.replace('\n', ' ').replace('\r', ' '));
    }
}
