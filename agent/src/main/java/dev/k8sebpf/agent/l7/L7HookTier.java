package dev.k8sebpf.agent.l7;

import dev.k8sebpf.agent.bpf.BpfSkeletons;
import dev.k8sebpf.agent.bpf.HttpSkeleton;
import dev.k8sebpf.agent.bpf.HttpSyscallsSkeleton;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import java.util.function.LongFunction;

/**
 * How the HTTP hooks learn of a receive, best first; one BPF object each, with the same maps and events.
 * The sock tracepoint (Linux 6.3+) fires for socket receives only; the syscall tracepoints, for kernels
 * without it, slow down every syscall on the node while attached.
 */
public enum L7HookTier {
    SOCK_TRACEPOINT("sock_tracepoint", "raw tracepoint sock_recv_length, tracepoint sock/inet_sock_set_state",
            HttpSkeleton.OBJECT_FILE, HttpSkeleton::objectBytes,
            tgid -> new HttpSkeleton.Rodata().agentTgid(tgid).toBytes(), HttpSkeleton.Program.values()),
    SYSCALL_TRACEPOINT("syscall_tracepoint",
            "tracepoints syscalls/sys_enter|exit_read|readv|recvfrom|recvmsg, sock/inet_sock_set_state",
            HttpSyscallsSkeleton.OBJECT_FILE, HttpSyscallsSkeleton::objectBytes,
            tgid -> new HttpSyscallsSkeleton.Rodata().agentTgid(tgid).toBytes(), HttpSyscallsSkeleton.Program.values());

    private final String label;
    private final String hooks;
    private final String objectFile;
    private final Function<String, byte[]> objectBytes;
    private final LongFunction<byte[]> rodata;
    private final List<String> programs;

    L7HookTier(String label, String hooks, String objectFile, Function<String, byte[]> objectBytes,
               LongFunction<byte[]> rodata, BpfSkeletons.ProgramConstant[] programs) {
        this.label = label;
        this.hooks = hooks;
        this.objectFile = objectFile;
        this.objectBytes = objectBytes;
        this.rodata = rodata;
        this.programs = Arrays.stream(programs).map(BpfSkeletons.ProgramConstant::programName).toList();
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
        return objectFile;
    }

    /** The object for an architecture ("x86", "arm64"). */
    Function<String, byte[]> objectBytes() {
        return objectBytes;
    }

    /** The .rodata image that tells the programs which process to skip. */
    byte[] rodata(long ignoredTgid) {
        return rodata.apply(ignoredTgid);
    }

    List<String> programs() {
        return programs;
    }
}
