package dev.k8sebpf.agent.hooks;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The effective capabilities of this process, read from /proc/self/status. */
public final class Capabilities {
    private static final int CAP_SYS_ADMIN = 21;
    private static final int CAP_PERFMON = 38;
    private static final int CAP_BPF = 39;

    private final long effective;

    Capabilities(long effective) {
        this.effective = effective;
    }

    public static Capabilities current() {
        try {
            return parse(Files.readString(Path.of("/proc/self/status")));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Capabilities parse(String procStatus) {
        return procStatus.lines().filter(line -> line.startsWith("CapEff:"))
                .map(line -> new Capabilities(Long.parseUnsignedLong(line.substring("CapEff:".length()).strip(), 16)))
                .findFirst().orElseThrow(() -> new IllegalArgumentException("no CapEff line in /proc/self/status"));
    }

    /** Loading tracing/cgroup programs needs CAP_BPF with CAP_PERFMON, or CAP_SYS_ADMIN which implies both. */
    public boolean canLoadBpf() {
        return has(CAP_SYS_ADMIN) || (has(CAP_BPF) && has(CAP_PERFMON));
    }

    private boolean has(int capability) {
        return (effective & (1L << capability)) != 0;
    }
}
