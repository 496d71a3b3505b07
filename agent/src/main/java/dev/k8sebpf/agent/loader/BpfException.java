package dev.k8sebpf.agent.loader;

import java.util.List;

/** A failed libbpf or libc call: the operation, its errno, and what libbpf logged meanwhile (e.g. the verifier log). */
public final class BpfException extends Exception {
    private final int errno;
    private final List<String> libbpfLog;

    public BpfException(String operation, int errno) {
        this(operation, errno, List.of());
    }

    public BpfException(String operation, int errno, List<String> libbpfLog) {
        super(operation + ": " + Libc.errnoName(errno)
                + (libbpfLog.isEmpty() ? "" : "\n" + String.join("\n", libbpfLog)));
        this.errno = errno;
        this.libbpfLog = List.copyOf(libbpfLog);
    }

    public int errno() {
        return errno;
    }

    /** e.g. {@code EPERM}. */
    public String errnoName() {
        return Libc.errnoName(errno);
    }

    public List<String> libbpfLog() {
        return libbpfLog;
    }
}
