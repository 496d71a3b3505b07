package dev.k8sebpf.bpfplugin.elf;

/** The object (its ELF structure or its BTF) is malformed or not eBPF; the message is one line for users. */
public final class ObjectFormatException extends Exception {
    public ObjectFormatException(String message) {
        super(message);
    }
}
