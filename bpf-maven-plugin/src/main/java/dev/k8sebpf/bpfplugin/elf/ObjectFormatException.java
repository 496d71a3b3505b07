package dev.k8sebpf.bpfplugin.elf;

/** The object (its ELF structure or its BTF) is malformed or not eBPF; the message is one line for users. */
public final class ObjectFormatException extends Exception {
    public ObjectFormatException(String message) {
        super(oneLine(message));
    }

    /** Names read from the object (sections, symbols, BTF) may hold line breaks; the message must not. */
    public static String oneLine(String message) {
        return message.replace("\\", "\\\\").replace("\n", "\\n").replace("\r", "\\r");
    }
}
