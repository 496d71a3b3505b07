package dev.k8sebpf.bpfplugin.compile;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The clang and llvm-strip commands, and running them with captured output. */
public record Toolchain(String clang, String llvmStrip) {

    /** Output of a finished command. */
    public record Result(int exitCode, String output) {}

    /** {@code clang --version}'s first line; identifies the compiler in incremental stamps. */
    public String clangVersion() throws CompileException {
        Result r = run(List.of(clang, "--version"), Path.of("."), clang, "bpf.clang", "clang-19");
        if (r.exitCode() != 0) {
            throw new ToolMissingException(clang + " --version failed: set -Dbpf.clang to a working clang");
        }
        return r.output().lines().findFirst().orElse("").strip();
    }

    public Result clang(List<String> args, Path cwd) throws CompileException {
        return run(with(clang, args), cwd, clang, "bpf.clang", "clang-19");
    }

    public Result strip(List<String> args, Path cwd) throws CompileException {
        return run(with(llvmStrip, args), cwd, llvmStrip, "bpf.llvmStrip", "llvm-19");
    }

    private static List<String> with(String tool, List<String> args) {
        List<String> cmd = new ArrayList<>(args.size() + 1);
        cmd.add(tool);
        cmd.addAll(args);
        return cmd;
    }

    private static Result run(List<String> cmd, Path cwd, String tool, String property, String debianPackage)
            throws CompileException {
        Process p;
        try {
            p = new ProcessBuilder(cmd).directory(cwd.toFile()).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new ToolMissingException(tool + " not found: install it (apt-get install " + debianPackage
                    + ") or set -D" + property + " to its path");
        }
        try {
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            return new Result(p.waitFor(), out);
        } catch (IOException e) {
            throw new CompileException("reading the output of " + tool + " failed: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CompileException(tool + " was interrupted");
        }
    }
}
