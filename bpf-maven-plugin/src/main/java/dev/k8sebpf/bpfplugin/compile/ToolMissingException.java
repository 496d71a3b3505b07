package dev.k8sebpf.bpfplugin.compile;

/** clang or llvm-strip cannot be run; the message says what to install or which property to set. */
public final class ToolMissingException extends CompileException {
    public ToolMissingException(String message) {
        super(message);
    }
}
