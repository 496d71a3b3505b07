package dev.k8sebpf.agent.http;

import java.nio.file.Path;

/** WEB_CONFIG_FILE cannot be used; the message is the single line shown to the user. */
public final class WebConfigException extends Exception {
    WebConfigException(Path file, String problem) {
        super("WEB_CONFIG_FILE " + file + ": " + problem.replace('\n', ' ').replace('\r', ' '));
    }
}
