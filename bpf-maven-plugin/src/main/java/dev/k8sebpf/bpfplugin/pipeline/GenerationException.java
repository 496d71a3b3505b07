package dev.k8sebpf.bpfplugin.pipeline;

/** Java could not be generated from the objects; one line naming the object and the problem. */
public final class GenerationException extends Exception {
    public GenerationException(String message) {
        super(message);
    }
}
