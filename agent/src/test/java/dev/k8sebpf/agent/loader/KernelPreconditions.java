package dev.k8sebpf.agent.loader;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.k8sebpf.agent.hooks.Capabilities;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** What real-kernel tests need. Under CI=true a missing piece fails the test; elsewhere it skips it. */
public final class KernelPreconditions {
    private KernelPreconditions() {
    }

    public static void requireBpf() {
        require(LibbpfProbe.installed(), "libbpf.so.1 is not installed");
        require(Files.exists(Path.of("/sys/kernel/btf/vmlinux")), "the kernel has no BTF (/sys/kernel/btf/vmlinux)");
        require(Capabilities.current().canLoadBpf(), "needs CAP_BPF and CAP_PERFMON (run as root)");
    }

    /** A cgroup2 hierarchy mounted here, seen from its root (the initial cgroup namespace), and root to write it. */
    public static void requireCgroup2Root() {
        String cgroupNamespace;
        try {
            cgroupNamespace = Files.readSymbolicLink(Path.of("/proc/self/ns/cgroup")).toString();
        } catch (IOException e) {
            cgroupNamespace = "";
        }
        // 0xEFFFFFFB: the initial cgroup namespace's fixed inode (include/linux/proc_ns.h, CGROUP_NS_INIT_INO)
        require(cgroupNamespace.equals("cgroup:[4026531835]"), "not in the initial cgroup namespace");
        require(Capabilities.current().canLoadBpf(), "needs root (creates a cgroup)");
    }

    /** A command line tool on PATH, e.g. clang-19 or bpftool. */
    public static void requireTool(String tool) {
        boolean found;
        try {
            found = new ProcessBuilder("sh", "-c", "command -v " + tool).start().waitFor() == 0;
        } catch (IOException e) {
            found = false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            found = false;
        }
        require(found, tool + " is not installed");
    }

    private static void require(boolean present, String missing) {
        if (!present && "true".equals(System.getenv("CI"))) {
            fail(missing);
        }
        assumeTrue(present, missing);
    }
}
