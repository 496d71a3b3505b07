package dev.k8sebpf.bpfplugin.elf;

/** One section header; {@code offset}/{@code size} are already bounds-checked against the file. */
public record ElfSection(int index, String name, int type, long flags, long offset, long size, int link, int info) {
    public static final int SHT_NOBITS = 8;
    public static final long SHF_EXECINSTR = 0x4;

    public boolean executable() {
        return (flags & SHF_EXECINSTR) != 0;
    }
}
