package dev.k8sebpf.agent.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import dev.k8sebpf.agent.loader.KernelPreconditions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CgroupRootTest {
    @Test
    void findsTheCgroup2MountAmongCgroupV1Mounts() {
        String mountinfo = """
                31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
                32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu
                41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
                """;
        assertThat(CgroupRoot.find(mountinfo)).hasValue("/sys/fs/cgroup/unified");
    }

    @Test
    void readsOptionalFieldsAndEscapedMountPoints() {
        String mountinfo = "29 22 0:26 / /sys/fs/my\\040cgroup rw,nosuid shared:4 master:1 - cgroup2 cgroup2 rw\n";
        assertThat(CgroupRoot.find(mountinfo)).hasValue("/sys/fs/my cgroup");
    }

    @Test
    void skipsABindMountOfASubtree() {
        String mountinfo = """
                50 40 0:30 /kubepods/pod1 /host/cgroup rw - cgroup2 cgroup2 rw
                51 40 0:30 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw
                """;
        assertThat(CgroupRoot.find(mountinfo)).hasValue("/sys/fs/cgroup");
    }

    @Test
    void emptyWithoutCgroup2() {
        assertThat(CgroupRoot.find("32 31 0:29 / /sys/fs/cgroup/cpu rw - cgroup cgroup rw,cpu\n")).isEmpty();
    }

    @Test
    void prefersTheHostRootAboveAPodsCgroupNamespace() {
        String mountinfo = """
                700 690 0:30 / /sys/fs/cgroup ro - cgroup2 cgroup rw
                701 700 0:30 /../../.. /sys/fs/cgroup ro - cgroup2 cgroup2 rw
                702 690 0:30 /../.. /elsewhere ro - cgroup2 cgroup2 rw
                """;
        assertThat(CgroupRoot.find(mountinfo)).hasValue("/sys/fs/cgroup");
    }

    @Test
    void ofEqualMountsTheLastOneHidesTheOthers() {
        String mountinfo = """
                51 40 0:30 / /a rw - cgroup2 cgroup2 rw
                52 40 0:30 / /b rw - cgroup2 cgroup2 rw
                """;
        assertThat(CgroupRoot.find(mountinfo)).hasValue("/b");
    }

    @Test
    void aDirectoryWithCgroupEventsIsACgroupOfItsOwn(@TempDir Path dir) throws IOException {
        Files.createFile(dir.resolve("cgroup.events"));
        assertThat(CgroupRoot.blindness(dir)).hasValueSatisfying(reason -> assertThat(reason)
                .contains(dir.toString()).contains("hostPath /sys/fs/cgroup"));
    }

    @Test
    void aDirectoryWithoutCgroupEventsIsTheRoot(@TempDir Path dir) {
        assertThat(CgroupRoot.blindness(dir)).isEmpty();
    }

    /** On the real hierarchy: its root is not blind, a child cgroup (what a container's own mount shows) is. */
    @Test
    void theKernelMarksEveryCgroupButTheRoot() throws IOException {
        KernelPreconditions.requireCgroup2Root();
        Path root = Path.of(CgroupRoot.find(Files.readString(Path.of("/proc/self/mountinfo"))).orElseThrow());
        Path child = Files.createTempDirectory(root, "cgroup-root-test-");
        try {
            assertThat(CgroupRoot.blindness(root)).isEmpty();
            assertThat(CgroupRoot.blindness(child)).isPresent();
        } finally {
            Files.delete(child); // a cgroup directory goes with rmdir, its files with it
        }
    }
}
