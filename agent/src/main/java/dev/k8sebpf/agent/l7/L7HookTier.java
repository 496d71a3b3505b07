package dev.k8sebpf.agent.l7;

import dev.k8sebpf.agent.bpf.BpfSkeletons;
import dev.k8sebpf.agent.bpf.HttpKernelFunctionsSkeleton;
import dev.k8sebpf.agent.bpf.HttpSkeleton;
import dev.k8sebpf.agent.bpf.HttpSyscallsSkeleton;
import dev.k8sebpf.agent.hooks.Tier;
import dev.k8sebpf.agent.loader.BpfProgram;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import java.util.function.LongFunction;

/**
 * How the HTTP hooks learn of a receive, in the order auto mode tries them; every object has the same
 * maps and events. The sock tracepoint (Linux 6.3+) is a stable tracepoint that fires for socket
 * receives only. fentry and kprobe on inet_recvmsg/inet6_recvmsg serve kernels
 * 5.15 to 6.2 (bpf_task_pt_regs) without the syscall tracepoints' cost: those, the last resort, slow
 * down every syscall on the node while attached.
 */
public enum L7HookTier implements Tier {
    SOCK_TRACEPOINT("sock_tracepoint", "raw tracepoint sock_recv_length, tracepoint sock/inet_sock_set_state",
            HttpSkeleton.OBJECT_FILE, HttpSkeleton::objectBytes,
            tgid -> new HttpSkeleton.Rodata().agentTgid(tgid).toBytes(), HttpSkeleton.Program.values()),
    FENTRY("fentry", "fexit inet_recvmsg, inet6_recvmsg, tracepoint sock/inet_sock_set_state",
            HttpKernelFunctionsSkeleton.OBJECT_FILE, HttpKernelFunctionsSkeleton::objectBytes,
            L7HookTier::kernelFunctionsRodata, kernelFunctionPrograms("fexit/")),
    KPROBE("kprobe", "kprobe+kretprobe inet_recvmsg, inet6_recvmsg, tracepoint sock/inet_sock_set_state",
            HttpKernelFunctionsSkeleton.OBJECT_FILE, HttpKernelFunctionsSkeleton::objectBytes,
            L7HookTier::kernelFunctionsRodata, kernelFunctionPrograms("kprobe/", "kretprobe/")),
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

    /** http_kernel_functions.bpf.o holds both the fentry and the kprobe tier: the section tells them apart. */
    private static BpfSkeletons.ProgramConstant[] kernelFunctionPrograms(String... sectionPrefixes) {
        return Arrays.stream(HttpKernelFunctionsSkeleton.Program.values())
                .filter(p -> p.section().startsWith("tracepoint/") || Arrays.stream(sectionPrefixes).anyMatch(p.section()::startsWith))
                .toArray(BpfSkeletons.ProgramConstant[]::new);
    }

    private static byte[] kernelFunctionsRodata(long tgid) {
        return new HttpKernelFunctionsSkeleton.Rodata().agentTgid(tgid).toBytes();
    }

    @Override
    public String label() {
        return label;
    }

    @Override
    public String hooks() {
        return hooks;
    }

    @Override
    public String objectFile() {
        return objectFile;
    }

    @Override
    public byte[] objectBytes(String arch) {
        return objectBytes.apply(arch);
    }

    @Override
    public boolean owns(BpfProgram program) {
        return programs.contains(program.name());
    }

    /** The .rodata image that tells the programs which process to skip. */
    byte[] rodata(long ignoredTgid) {
        return rodata.apply(ignoredTgid);
    }
}
