package dev.k8sebpf.agent.l7;

import dev.k8sebpf.agent.bpf.BpfSkeletons;
import dev.k8sebpf.agent.bpf.HttpSkeleton;
import dev.k8sebpf.agent.bpf.HttpSyscallsSkeleton;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;

/**
 * How the HTTP hooks learn of a receive, best first; one BPF object each, with the same maps and events.
 * The sock tracepoint (Linux 6.3+) fires for socket receives only; the syscall tracepoints, for kernels
 * without it, slow down every syscall on the node while attached.
 */
public enum L7HookTier {
    SOCK_TRACEPOINT("sock_tracepoint", "raw tracepoint sock_recv_length, tracepoint sock/inet_sock_set_state"),
    SYSCALL_TRACEPOINT("syscall_tracepoint",
            "tracepoints syscalls/sys_enter|exit_read|readv|recvfrom|recvmsg, sock/inet_sock_set_state");

    private final String label;
    private final String hooks;

    L7HookTier(String label, String hooks) {
        this.label = label;
        this.hooks = hooks;
    }

    /** The L7_HOOK_TIER value. */
    public String label() {
        return label;
    }

    /** What it attaches, for the log. */
    String hooks() {
        return hooks;
    }

    String objectFile() {
        return switch (this) {
            case SOCK_TRACEPOINT -> HttpSkeleton.OBJECT_FILE;
            case SYSCALL_TRACEPOINT -> HttpSyscallsSkeleton.OBJECT_FILE;
        };
    }

    Function<String, byte[]> objectBytes() {
        return switch (this) {
            case SOCK_TRACEPOINT -> HttpSkeleton::objectBytes;
            case SYSCALL_TRACEPOINT -> HttpSyscallsSkeleton::objectBytes;
        };
    }

    /** The .rodata image that tells the programs which process to skip. */
    byte[] rodata(long ignoredTgid) {
        return switch (this) {
            case SOCK_TRACEPOINT -> new HttpSkeleton.Rodata().agentTgid(ignoredTgid).toBytes();
            case SYSCALL_TRACEPOINT -> new HttpSyscallsSkeleton.Rodata().agentTgid(ignoredTgid).toBytes();
        };
    }

    List<String> programs() {
        BpfSkeletons.ProgramConstant[] programs = switch (this) {
            case SOCK_TRACEPOINT -> HttpSkeleton.Program.values();
            case SYSCALL_TRACEPOINT -> HttpSyscallsSkeleton.Program.values();
        };
        return Arrays.stream(programs).map(BpfSkeletons.ProgramConstant::programName).toList();
    }
}
