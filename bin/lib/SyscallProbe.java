import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

/**
 * bin/image-check: whether this machine (or QEMU's user mode, run through binfmt_misc) passes the two kernel
 * calls the agent's hooks need through. Calls bpf(BPF_MAP_CREATE) of a one-element array and
 * perf_event_open() of a software cpu-clock counter by number, through libc's syscall(), and prints
 * "bpf 0" / "perf_event_open 0" on success, else the call's errno name, e.g. "bpf ENOSYS".
 */
public class SyscallProbe {
    private static final Linker LINKER = Linker.nativeLinker();
    private static final MemoryLayout STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));

    public static void main(String[] args) throws Throwable {
        boolean arm64 = System.getProperty("os.arch").equals("aarch64");
        MethodHandle syscall = LINKER.downcallHandle(LINKER.defaultLookup().find("syscall").orElseThrow(),
                FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG),
                Linker.Option.captureCallState("errno"), Linker.Option.firstVariadicArg(1));
        MethodHandle strerrorname = LINKER.downcallHandle(LINKER.defaultLookup().find("strerrorname_np").orElseThrow(),
                FunctionDescriptor.of(ADDRESS, JAVA_INT));
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(STATE);
            MemorySegment map = arena.allocate(128); // union bpf_attr for BPF_MAP_CREATE
            map.set(JAVA_INT, 0, 2); // BPF_MAP_TYPE_ARRAY
            map.set(JAVA_INT, 4, 4); // key size
            map.set(JAVA_INT, 8, 4); // value size
            map.set(JAVA_INT, 12, 1); // max entries
            long bpf = (long) syscall.invokeExact(state, arm64 ? 280L : 321L, 0L, map.address(), 128L, 0L, 0L);
            report("bpf", bpf, state, strerrorname);
            MemorySegment event = arena.allocate(128); // struct perf_event_attr
            event.set(JAVA_INT, 0, 1); // PERF_TYPE_SOFTWARE
            event.set(JAVA_INT, 4, 128); // size
            // config 0 = PERF_COUNT_SW_CPU_CLOCK; this process, any CPU, no group
            long perf = (long) syscall.invokeExact(state, arm64 ? 241L : 298L, event.address(), 0L, -1L, -1L, 0L);
            report("perf_event_open", perf, state, strerrorname);
        }
    }

    private static void report(String call, long result, MemorySegment state, MethodHandle strerrorname) throws Throwable {
        if (result >= 0) {
            System.out.println(call + " 0");
            return;
        }
        MemorySegment name = (MemorySegment) strerrorname.invokeExact((int) ERRNO.get(state, 0L));
        System.out.println(call + " " + name.reinterpret(32).getString(0));
    }
}
