package dev.k8sebpf.agent.loader;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;

/**
 * Which hook tiers must work on the kernel the tests run on, and which one auto mode must pick. The
 * kernel matrix (bin/kernel-matrix) passes them per guest kernel as system properties
 * (kernel.expect.l4.tiers, .l4.auto, .l7.tiers, .l7.auto); without them they are this build machine's
 * (Linux 6.18 without kprobes and BPF trampolines, see /work/shared/kernel-facts.md): a tier listed
 * here that does not work fails its tests, a tier not listed that starts working fails the tier-selection tests.
 */
public record KernelExpectations(String name, List<String> l4Tiers, String l4Auto, List<String> l7Tiers, String l7Auto) {
    private static final KernelExpectations CURRENT = new KernelExpectations(
            System.getProperty("kernel.expect.name", "build machine"),
            tiers("kernel.expect.l4.tiers", "cgroup,syscall_tracepoint"),
            System.getProperty("kernel.expect.l4.auto", "cgroup"),
            tiers("kernel.expect.l7.tiers", "sock_tracepoint,syscall_tracepoint"),
            System.getProperty("kernel.expect.l7.auto", "sock_tracepoint"));

    public static KernelExpectations current() {
        return CURRENT;
    }

    /** Whether this is the build machine (no kernel.expect.* properties) rather than a matrix guest. */
    public boolean buildMachine() {
        return System.getProperty("kernel.expect.name") == null;
    }

    public boolean l4Works(String tier) {
        return l4Tiers.contains(tier);
    }

    public boolean l7Works(String tier) {
        return l7Tiers.contains(tier);
    }

    /**
     * Records an observation for the matrix's README table (kernel.facts.file, one key=value a line);
     * does nothing outside the matrix.
     */
    public static void fact(String key, String value) {
        String file = System.getProperty("kernel.facts.file");
        if (file == null) {
            return;
        }
        try {
            Files.writeString(Path.of(file), key + "=" + value.replace('\n', ' ') + "\n",
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * JVM options for the JVMs tests start (the agent, a JVM with fewer capabilities): the matrix passes
     * C1-only there (kernel.matrix.child.jvm.options), since C2 compiling under emulation slows starts
     * by minutes; none elsewhere.
     */
    public static List<String> childJvmOptions() {
        return Arrays.stream(System.getProperty("kernel.matrix.child.jvm.options", "").split(" "))
                .filter(s -> !s.isEmpty()).toList();
    }

    private static List<String> tiers(String property, String fallback) {
        return Arrays.stream(System.getProperty(property, fallback).split(",")).map(String::strip)
                .filter(s -> !s.isEmpty()).toList();
    }
}
