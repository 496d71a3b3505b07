package dev.k8sebpf.bpfplugin.compile;

/** Compiling failed; the message is what the user needs (clang's error lines, or one line). */
public class CompileException extends Exception {
    public CompileException(String message) {
        super(message);
    }
}
