package dev.k8sebpf.bpfplugin.pipeline;

import dev.k8sebpf.bpfplugin.compile.BpfCompiler;
import dev.k8sebpf.bpfplugin.compile.CompileException;
import dev.k8sebpf.bpfplugin.compile.Toolchain;
import dev.k8sebpf.bpfplugin.codegen.JavaGenerator;
import dev.k8sebpf.bpfplugin.elf.ObjectFormatException;
import dev.k8sebpf.bpfplugin.model.LayoutComparison;
import dev.k8sebpf.bpfplugin.model.ModelBuilder;
import dev.k8sebpf.bpfplugin.model.ModelException;
import dev.k8sebpf.bpfplugin.model.ObjectModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SortedMap;
import java.util.stream.Stream;

/**
 * The BPF sources of a project and the two steps done on them: compile every {@code *.bpf.c} for every
 * arch into {@code <artifacts>/<arch>/<name>.bpf.o}, and generate Java from those objects.
 *
 * @param includes include directories; {@code {arch}} in a path is replaced by the arch
 */
public record BpfProject(Path root, Path sourceDirectory, List<String> includes, List<String> arches,
                         List<String> types, String packageName) {
    private static final String SUFFIX = ".bpf.c";
    public static final String ARCH_PLACEHOLDER = "{arch}";

    /** {@code connect} for {@code bpf/connect.bpf.c}, sorted; empty when the directory does not exist. */
    public List<String> baseNames() throws IOException {
        if (!Files.isDirectory(sourceDirectory)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(sourceDirectory)) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(SUFFIX))
                    .map(n -> n.substring(0, n.length() - SUFFIX.length())).sorted().toList();
        }
    }

    /** Compiles what changed; returns how many objects clang rebuilt. */
    public int compile(Toolchain tools, Path artifacts, Path stampDir) throws IOException, CompileException {
        BpfCompiler compiler = new BpfCompiler(tools, root, stampDir);
        int built = 0;
        for (String name : baseNames()) {
            for (String arch : arches) {
                List<Path> dirs = includes.stream().map(i -> Path.of(i.replace(ARCH_PLACEHOLDER, arch))).toList();
                Path out = artifacts.resolve(arch).resolve(name + ".bpf.o");
                if (compiler.compile(sourceDirectory.resolve(name + SUFFIX), arch, dirs, out)) {
                    built++;
                }
            }
        }
        return built;
    }

    /** Java sources (relative path → text) from the compiled objects; fails if the arches disagree. */
    public SortedMap<String, String> generate(Path artifacts) throws IOException, GenerationException {
        List<ObjectModel> models = new ArrayList<>();
        for (String name : baseNames()) {
            ObjectModel first = null;
            for (String arch : arches) {
                ObjectModel m = model(artifacts.resolve(arch).resolve(name + ".bpf.o"), name, arch);
                if (first == null) {
                    first = m;
                    models.add(m);
                } else {
                    Optional<String> diff = LayoutComparison.firstDifference(first, arches.getFirst(), m, arch);
                    if (diff.isPresent()) {
                        throw new GenerationException(name + ".bpf.o: " + diff.get());
                    }
                }
            }
        }
        for (String type : types) {
            if (!models.isEmpty() && models.stream().noneMatch(m -> m.configuredTypesFound().contains(type))) {
                throw new GenerationException("type " + type + " listed in <types> is not a struct, union or enum in the BTF"
                        + " of any object (clang emits BTF only for types of maps, globals and function signatures)");
            }
        }
        try {
            return new JavaGenerator(packageName, arches).generate(models);
        } catch (ModelException e) {
            throw new GenerationException(e.getMessage());
        }
    }

    private ObjectModel model(Path object, String name, String arch) throws IOException, GenerationException {
        if (!Files.isRegularFile(object)) {
            throw new GenerationException("missing " + object + ": run the bpf:compile goal first");
        }
        try {
            return ModelBuilder.build(name, Files.readAllBytes(object), types);
        } catch (ObjectFormatException | ModelException e) {
            throw new GenerationException(arch + "/" + object.getFileName() + ": " + e.getMessage());
        }
    }
}
