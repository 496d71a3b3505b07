package dev.k8sebpf.bpfplugin.compile;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Compiles one {@code *.bpf.c} for one arch into a stripped, reproducible object. clang runs in
 * {@code root} with paths relative to it, and the prefix maps turn any absolute path into ".", so the
 * bytes depend only on the sources and the clang version, not on where the checkout lives.
 */
public final class BpfCompiler {
    private final Toolchain tools;
    private final Path root;
    private final Path stampDir;
    private final String clangVersion;

    public BpfCompiler(Toolchain tools, Path root, Path stampDir) throws CompileException {
        this.tools = tools;
        this.root = root.toAbsolutePath().normalize();
        this.stampDir = stampDir;
        this.clangVersion = tools.clangVersion();
    }

    /** Compiles unless the stamp shows the same command, clang and inputs produced this output; true if compiled. */
    public boolean compile(Path source, String arch, List<Path> includes, Path output) throws CompileException {
        List<String> flags = flags(source, arch, includes);
        Path stamp = stampDir.resolve(arch).resolve(output.getFileName() + ".stamp");
        String command = String.join(" ", flags);
        try {
            if (Stamp.read(stamp).filter(s -> s.upToDate(command, clangVersion, root, output)).isPresent()) {
                return false;
            }
            Files.createDirectories(output.getParent());
            Files.createDirectories(stamp.getParent());
            Path tmp = output.resolveSibling(output.getFileName() + ".tmp");
            Path depfile = stamp.resolveSibling(output.getFileName() + ".d");
            List<String> args = new ArrayList<>(flags);
            args.addAll(List.of("-MD", "-MF", depfile.toAbsolutePath().toString(), "-o", tmp.toAbsolutePath().toString()));
            Toolchain.Result r = tools.clang(args, root);
            if (r.exitCode() != 0) {
                Files.deleteIfExists(tmp);
                throw new CompileException("clang failed on " + rel(source) + " for " + arch + ":\n" + errorLines(r.output()));
            }
            // Drop DWARF: the loader needs only .BTF/.BTF.ext, which -g keeps.
            Toolchain.Result s = tools.strip(List.of("-g", tmp.toAbsolutePath().toString()), root);
            if (s.exitCode() != 0) {
                throw new CompileException("llvm-strip failed on " + output.getFileName() + ": " + s.output().strip());
            }
            Files.move(tmp, output, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            Stamp.create(command, clangVersion, root, Depfile.parse(depfile), output).write(stamp);
            return true;
        } catch (IOException e) {
            throw new CompileException("compiling " + rel(source) + " for " + arch + ": " + e);
        }
    }

    List<String> flags(Path source, String arch, List<Path> includes) {
        List<String> flags = new ArrayList<>(List.of("-target", "bpfel", "-D__TARGET_ARCH_" + arch, "-g", "-O2",
                "-mcpu=v3", "-fno-ident", "-fdebug-prefix-map=" + root + "=.", "-ffile-prefix-map=" + root + "=.",
                "-fdebug-compilation-dir=."));
        for (Path include : includes) {
            flags.add("-I" + rel(include));
        }
        flags.addAll(List.of("-c", rel(source)));
        return flags;
    }

    private String rel(Path p) {
        String rel = root.relativize(p.toAbsolutePath().normalize()).toString();
        return rel.isEmpty() ? "." : rel;
    }

    /** clang's {@code file:line:col: error:} lines (with notes dropped); everything if it printed none. */
    static String errorLines(String output) {
        String errors = output.lines().filter(l -> l.matches("^\\S+:\\d+:\\d+: (fatal )?error: .*"))
                .collect(Collectors.joining("\n"));
        return errors.isEmpty() ? output.strip() : errors;
    }
}
