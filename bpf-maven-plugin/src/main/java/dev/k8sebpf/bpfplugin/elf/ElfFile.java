package dev.k8sebpf.bpfplugin.elf;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Reader for little-endian ELF64 relocatable eBPF objects (what clang -target bpfel writes).
 * Every offset read from the file is checked against its length, so a truncated object fails with an
 * {@link ObjectFormatException} instead of an index error.
 */
public final class ElfFile {
    public static final int EM_BPF = 247;
    private static final int SHT_SYMTAB = 2;
    private static final int HEADER_SIZE = 64;
    private static final int SECTION_HEADER_SIZE = 64;
    private static final int SYMBOL_SIZE = 24;
    private static final long MAX_NOBITS = 64L << 20;

    private final byte[] bytes;
    private final List<ElfSection> sections;
    private final List<ElfSymbol> symbols;

    private ElfFile(byte[] bytes, List<ElfSection> sections, List<ElfSymbol> symbols) {
        this.bytes = bytes;
        this.sections = sections;
        this.symbols = symbols;
    }

    public static ElfFile parse(byte[] bytes) throws ObjectFormatException {
        LeReader r = new LeReader(bytes);
        if (bytes.length < HEADER_SIZE || bytes[0] != 0x7f || bytes[1] != 'E' || bytes[2] != 'L' || bytes[3] != 'F') {
            throw new ObjectFormatException("not an ELF file (bad magic or shorter than an ELF header)");
        }
        if (bytes[4] != 2) {
            throw new ObjectFormatException("not a 64-bit ELF file (class " + bytes[4] + ")");
        }
        if (bytes[5] != 1) {
            throw new ObjectFormatException("not a little-endian ELF file: compile with -target bpfel");
        }
        int machine = r.u16(18);
        if (machine != EM_BPF) {
            throw new ObjectFormatException("not an eBPF object (e_machine " + machine + ", expected " + EM_BPF + ")");
        }
        long shoff = r.u64(40);
        int shentsize = r.u16(58);
        int shnum = r.u16(60);
        int shstrndx = r.u16(62);
        if (shentsize != SECTION_HEADER_SIZE) {
            throw new ObjectFormatException("unexpected section header size " + shentsize);
        }
        r.check(shoff, (long) shnum * SECTION_HEADER_SIZE, "section header table");
        if (shstrndx >= shnum) {
            throw new ObjectFormatException("section name table index " + shstrndx + " out of range");
        }
        long[] raw = new long[shnum * 7];
        for (int i = 0; i < shnum; i++) {
            long h = shoff + (long) i * SECTION_HEADER_SIZE;
            raw[i * 7] = r.u32(h);
            raw[i * 7 + 1] = r.u32(h + 4);
            raw[i * 7 + 2] = r.u64(h + 8);
            raw[i * 7 + 3] = r.u64(h + 24);
            raw[i * 7 + 4] = r.u64(h + 32);
            raw[i * 7 + 5] = r.u32(h + 40);
            raw[i * 7 + 6] = r.u32(h + 44);
            if (raw[i * 7 + 1] != ElfSection.SHT_NOBITS) {
                r.check(raw[i * 7 + 3], raw[i * 7 + 4], "section " + i);
            } else if (raw[i * 7 + 4] < 0 || raw[i * 7 + 4] > MAX_NOBITS) {
                // contents() allocates a NOBITS section's zeros; eBPF global data is far smaller
                throw new ObjectFormatException("section " + i + " (NOBITS) claims " + Long.toUnsignedString(raw[i * 7 + 4])
                        + " bytes, more than the " + MAX_NOBITS + " an eBPF object's data may have here");
            }
        }
        long strOff = raw[shstrndx * 7 + 3];
        long strSize = raw[shstrndx * 7 + 4];
        List<ElfSection> sections = new ArrayList<>(shnum);
        for (int i = 0; i < shnum; i++) {
            String name = r.string(strOff, strSize, raw[i * 7], "section name");
            sections.add(new ElfSection(i, name, (int) raw[i * 7 + 1], raw[i * 7 + 2], raw[i * 7 + 3],
                    raw[i * 7 + 4], (int) raw[i * 7 + 5], (int) raw[i * 7 + 6]));
        }
        return new ElfFile(bytes, List.copyOf(sections), readSymbols(r, sections));
    }

    private static List<ElfSymbol> readSymbols(LeReader r, List<ElfSection> sections) throws ObjectFormatException {
        ElfSection symtab = sections.stream().filter(s -> s.type() == SHT_SYMTAB).findFirst().orElse(null);
        if (symtab == null) {
            return List.of();
        }
        if (symtab.link() <= 0 || symtab.link() >= sections.size()) {
            throw new ObjectFormatException("symbol table names an invalid string table " + symtab.link());
        }
        ElfSection strtab = sections.get(symtab.link());
        List<ElfSymbol> symbols = new ArrayList<>();
        for (long off = symtab.offset(); off + SYMBOL_SIZE <= symtab.offset() + symtab.size(); off += SYMBOL_SIZE) {
            String name = r.string(strtab.offset(), strtab.size(), r.u32(off), "symbol name");
            symbols.add(new ElfSymbol(name, r.u8(off + 4), r.u16(off + 6), r.u64(off + 8), r.u64(off + 16)));
        }
        return List.copyOf(symbols);
    }

    public List<ElfSection> sections() {
        return sections;
    }

    public List<ElfSymbol> symbols() {
        return symbols;
    }

    public Optional<ElfSection> section(String name) {
        return sections.stream().filter(s -> s.name().equals(name)).findFirst();
    }

    /** A copy of the section's bytes (zeros for a NOBITS section such as .bss). */
    public byte[] contents(ElfSection section) {
        byte[] out = new byte[Math.toIntExact(section.size())];
        if (section.type() != ElfSection.SHT_NOBITS) {
            System.arraycopy(bytes, (int) section.offset(), out, 0, out.length);
        }
        return out;
    }
}
