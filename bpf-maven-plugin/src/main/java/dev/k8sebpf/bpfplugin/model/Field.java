package dev.k8sebpf.bpfplugin.model;

/**
 * One member of a generated record. {@code bitOffset} is from the start of the struct, as BTF gives it;
 * {@code bitSize} is 0 except for bitfields.
 */
public record Field(String cName, String javaName, long bitOffset, int bitSize, Shape shape) {
    public long byteOffset() {
        return bitOffset / 8;
    }

    public boolean bitfield() {
        return bitSize > 0;
    }
}
