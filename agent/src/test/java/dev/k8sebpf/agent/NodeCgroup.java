package dev.k8sebpf.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A cgroup2 directory standing for one simulated node (CGROUP_SUBTREE): made under this host's cgroup2
 * mount, its processes are the node's pods; removed on close (it is empty by then: they have exited).
 */
final class NodeCgroup implements AutoCloseable {
    private final Path directory;

    private NodeCgroup(Path directory) {
        this.directory = directory;
    }

    static NodeCgroup create(String name) throws IOException {
        Path directory = mountPoint().resolve("k8sebpf-" + name + "-" + ProcessHandle.current().pid());
        Files.createDirectory(directory);
        return new NodeCgroup(directory);
    }

    /** The cgroup2 mount point (/sys/fs/cgroup/unified on a hybrid host, /sys/fs/cgroup on a v2 one). */
    private static Path mountPoint() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
            String[] fields = line.split(" ");
            int separator = List.of(fields).indexOf("-");
            if (separator > 0 && fields[separator + 1].equals("cgroup2")) {
                return Path.of(fields[4]);
            }
        }
        throw new IllegalStateException("no cgroup2 mount");
    }

    Path path() {
        return directory;
    }

    /** One TCP connect from a process of this node to a port nobody listens on; returns once it was refused. */
    void connectRefused(String address, int port) throws IOException, InterruptedException {
        Process process = new ProcessBuilder("python3", "-c", String.join("\n",
                "import os, socket",
                "open('" + directory.resolve("cgroup.procs") + "', 'w').write(str(os.getpid()))",
                "s = socket.socket()",
                "print(s.connect_ex(('" + address + "', " + port + ")), flush=True)")).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes()).strip();
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(output).as("connect_ex: ECONNREFUSED").isEqualTo("111");
    }

    @Override
    public void close() throws IOException {
        Files.deleteIfExists(directory); // rmdir: the kernel removes the cgroup's files with it
    }
}
