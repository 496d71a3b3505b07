package dev.k8sebpf.bpfplugin.model;

import dev.k8sebpf.bpfplugin.btf.Btf;
import dev.k8sebpf.bpfplugin.btf.BtfType;
import dev.k8sebpf.bpfplugin.elf.ElfFile;
import dev.k8sebpf.bpfplugin.elf.ElfSection;
import dev.k8sebpf.bpfplugin.elf.ElfSymbol;
import dev.k8sebpf.bpfplugin.elf.ObjectFormatException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Builds the {@link ObjectModel} of one object: programs from ELF symbols, maps from the {@code .maps}
 * DATASEC, {@code .rodata} variables, and the records for map keys/values, configured types and
 * {@code .rodata} structs plus every struct/enum they reach.
 */
public final class ModelBuilder {
    private static final String MAPS = ".maps";
    private static final String RODATA = ".rodata";

    private final ElfFile elf;
    private final Btf btf;
    private final TypeCollector types;

    private ModelBuilder(ElfFile elf, Btf btf) {
        this.elf = elf;
        this.btf = btf;
        this.types = new TypeCollector(btf);
    }

    public static ObjectModel build(String baseName, byte[] object, List<String> configuredTypes)
            throws ObjectFormatException, ModelException {
        ElfFile elf = ElfFile.parse(object);
        ElfSection btfSection = elf.section(".BTF").orElseThrow(() -> new ObjectFormatException(
                "object has no .BTF section: compile with -g and strip with llvm-strip -g only"));
        ModelBuilder b = new ModelBuilder(elf, Btf.parse(elf.contents(btfSection)));
        return b.build(baseName, configuredTypes);
    }

    private ObjectModel build(String baseName, List<String> configuredTypes) throws ObjectFormatException, ModelException {
        List<MapDef> maps = maps();
        List<String> found = new ArrayList<>();
        for (String name : configuredTypes) {
            if (types.addNamed(name)) {
                found.add(name);
            }
        }
        List<RodataVar> rodataVars = rodataVars();
        byte[] image = elf.section(RODATA).filter(s -> !rodataVars.isEmpty()).map(elf::contents).orElse(new byte[0]);
        return new ObjectModel(baseName, programs(), maps, types.structs(), types.enums(), rodataVars, image,
                List.copyOf(found));
    }

    private List<ProgramDef> programs() {
        List<ProgramDef> programs = new ArrayList<>();
        for (ElfSymbol sym : elf.symbols()) {
            if (sym.type() != ElfSymbol.STT_FUNC || sym.binding() != ElfSymbol.STB_GLOBAL
                    || sym.sectionIndex() <= 0 || sym.sectionIndex() >= elf.sections().size()) {
                continue;
            }
            ElfSection section = elf.sections().get(sym.sectionIndex());
            // Functions in .text are subprograms called by programs, not programs of their own.
            if (section.executable() && !section.name().equals(".text")) {
                programs.add(new ProgramDef(sym.name(), section.name()));
            }
        }
        programs.sort(Comparator.comparing(ProgramDef::name));
        return List.copyOf(programs);
    }

    private List<MapDef> maps() throws ObjectFormatException, ModelException {
        Optional<Integer> sec = btf.find(BtfType.Datasec.class, MAPS);
        if (sec.isEmpty()) {
            return List.of();
        }
        List<MapDef> maps = new ArrayList<>();
        for (BtfType.VarSecInfo info : ((BtfType.Datasec) btf.type(sec.get())).vars()) {
            if (!(btf.type(info.type()) instanceof BtfType.Var var)
                    || !(btf.type(btf.resolve(var.type())) instanceof BtfType.Struct def)) {
                throw new ObjectFormatException(".maps entry " + info.type() + " is not a BTF map definition struct");
            }
            maps.add(map(var.name(), def));
        }
        maps.sort(Comparator.comparing(MapDef::name));
        return List.copyOf(maps);
    }

    private MapDef map(String name, BtfType.Struct def) throws ObjectFormatException, ModelException {
        long type = 0, maxEntries = 0, keySize = 0, valueSize = 0;
        for (BtfType.Member m : def.members()) {
            switch (m.name()) {
                case "type" -> type = uintMember(m);
                case "max_entries" -> maxEntries = uintMember(m);
                case "key_size" -> keySize = uintMember(m);
                case "value_size" -> valueSize = uintMember(m);
                case "key" -> keySize = typedMember(name, m);
                case "value" -> valueSize = typedMember(name, m);
                default -> { /* map_flags, pinning, values (map-in-map): not part of the skeleton */ }
            }
        }
        return new MapDef(name, (int) type, keySize, valueSize, maxEntries);
    }

    /** {@code __uint(name, N)} is {@code int (*name)[N]}: the value is the array length. */
    private long uintMember(BtfType.Member m) throws ObjectFormatException {
        if (btf.type(m.type()) instanceof BtfType.Ptr p && btf.type(p.type()) instanceof BtfType.Array a) {
            return Integer.toUnsignedLong(a.length());
        }
        throw new ObjectFormatException("map member " + m.name() + " is not __uint(" + m.name() + ", N)");
    }

    /** {@code __type(key, T)} is {@code T *key}: collect T for generation, return its size. */
    private long typedMember(String mapName, BtfType.Member m) throws ObjectFormatException, ModelException {
        if (!(btf.type(m.type()) instanceof BtfType.Ptr p)) {
            throw new ObjectFormatException("map " + mapName + " member " + m.name() + " is not __type(" + m.name() + ", T)");
        }
        types.addReferenced(p.type());
        return btf.sizeOf(p.type());
    }

    private List<RodataVar> rodataVars() throws ObjectFormatException, ModelException {
        Optional<Integer> sec = btf.find(BtfType.Datasec.class, RODATA);
        Optional<ElfSection> section = elf.section(RODATA);
        if (sec.isEmpty() || section.isEmpty()) {
            return List.of();
        }
        List<RodataVar> vars = new ArrayList<>();
        for (BtfType.VarSecInfo info : ((BtfType.Datasec) btf.type(sec.get())).vars()) {
            if (!(btf.type(info.type()) instanceof BtfType.Var var)) {
                continue;
            }
            // clang leaves DATASEC offsets 0 in .o files; libbpf takes them from the symbols, so do we.
            ElfSymbol sym = elf.symbols().stream()
                    .filter(s -> s.name().equals(var.name()) && s.sectionIndex() == section.get().index())
                    .findFirst()
                    .orElseThrow(() -> new ObjectFormatException(".rodata variable " + var.name() + " has no ELF symbol"));
            long size = btf.sizeOf(var.type());
            if (sym.value() + size > section.get().size()) {
                throw new ObjectFormatException(".rodata variable " + var.name() + " lies beyond the section");
            }
            Shape shape = types.shapeOf(var.type(), ".rodata", var.name());
            vars.add(new RodataVar(var.name(), Names.lowerCamel(var.name()), sym.value(), size, shape));
        }
        vars.sort(Comparator.comparing(RodataVar::offset).thenComparing(RodataVar::cName));
        return List.copyOf(vars);
    }
}
