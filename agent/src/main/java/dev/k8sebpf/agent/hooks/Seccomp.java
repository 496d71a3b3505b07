package dev.k8sebpf.agent.hooks;

import dev.k8sebpf.agent.loader.BpfMap;
import dev.k8sebpf.agent.loader.Libc;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Tells a seccomp filter that refuses bpf() apart from a kernel that refuses a program: both end in
 * EPERM, but only the first is fixed in the pod spec. containers/common's default profile (podman,
 * CRI-O) allows bpf and perf_event_open only with CAP_SYS_ADMIN, which the DaemonSet does not grant.
 */
final class Seccomp {
    private static final int SECCOMP_MODE_FILTER = 2;

    private Seccomp() {
    }

    /** The one line to print when bpf() itself is refused under a seccomp filter; empty otherwise. */
    static Optional<String> refusesBpf() {
        String status;
        try {
            status = Files.readString(Path.of("/proc/self/status"));
        } catch (IOException e) {
            return Optional.empty();
        }
        if (mode(status) != SECCOMP_MODE_FILTER) {
            return Optional.empty();
        }
        int errno = BpfMap.probeCreate();
        return errno == 0 ? Optional.empty() : Optional.of(message(Libc.errnoName(errno)));
    }

    static String message(String errno) {
        return "bpf() is refused (" + errno + ") by this container's seccomp filter (Seccomp: 2 in /proc/self/status)"
                + " although CAP_BPF and CAP_PERFMON are granted: the runtime's default profile allows bpf and"
                + " perf_event_open only with CAP_SYS_ADMIN; install deploy/seccomp/agent.json on the node and set"
                + " seccompProfile {type: Localhost, localhostProfile: agent.json} (deploy/README.md, Seccomp)";
    }

    /**
     * What to add to a failure whose tiers could not attach with EPERM under a seccomp filter: the tracepoint
     * tiers' perf_event_open() is then most likely refused by the profile (containers/common v0.60–v0.66,
     * CRI-O 1.31–1.35, allow bpf with CAP_BPF but perf_event_open only with CAP_SYS_ADMIN). Empty otherwise.
     */
    static Optional<String> perfEventHint(String reasons) {
        if (!reasons.matches("(?s).*attach \\S+ EPERM.*")) {
            return Optional.empty();
        }
        String status;
        try {
            status = Files.readString(Path.of("/proc/self/status"));
        } catch (IOException e) {
            return Optional.empty();
        }
        return mode(status) == SECCOMP_MODE_FILTER ? Optional.of(PERF_EVENT_HINT) : Optional.empty();
    }

    static final String PERF_EVENT_HINT = "attaching a tracepoint was refused (EPERM) under this container's seccomp"
            + " filter (Seccomp: 2) although CAP_PERFMON is granted: the runtime's default profile allows"
            + " perf_event_open only with CAP_SYS_ADMIN; use deploy/seccomp/agent.json (deploy/README.md, Seccomp)";

    /** The {@code Seccomp:} field of /proc/PID/status: 0 none, 1 strict, 2 filter; -1 when absent. */
    static int mode(String procStatus) {
        return procStatus.lines().filter(line -> line.startsWith("Seccomp:"))
                .map(line -> Integer.parseInt(line.substring("Seccomp:".length()).strip()))
                .findFirst().orElse(-1);
    }
}
