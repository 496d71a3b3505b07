package dev.k8sebpf.bpfplugin.elf;

/** One entry of {@code .symtab}. */
public record ElfSymbol(String name, int info, int sectionIndex, long value, long size) {
    public static final int STT_OBJECT = 1;
    public static final int STT_FUNC = 2;
    public static final int STB_GLOBAL = 1;

    public int type() {
        return info & 0xf;
    }

    public int binding() {
        return info >>> 4;
    }
}
