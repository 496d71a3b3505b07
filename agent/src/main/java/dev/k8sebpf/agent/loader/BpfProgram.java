package dev.k8sebpf.agent.loader;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/** One program of an open {@link BpfObject}; valid until the object is closed. */
public final class BpfProgram {
    private final MemorySegment program;
    private final String name;
    private final String section;

    BpfProgram(MemorySegment program) {
        this.program = program;
        try {
            this.name = ((MemorySegment) Libbpf.PROGRAM_NAME.invokeExact(program)).reinterpret(Long.MAX_VALUE).getString(0);
            this.section = ((MemorySegment) Libbpf.PROGRAM_SECTION_NAME.invokeExact(program))
                    .reinterpret(Long.MAX_VALUE).getString(0);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    public String name() {
        return name;
    }

    /** The ELF section, e.g. {@code cgroup/connect4}; it says which hook the program is for. */
    public String section() {
        return section;
    }

    /** Before load: whether this program is loaded into the kernel at all. */
    public void setAutoload(boolean autoload) throws BpfException {
        int rc;
        try {
            rc = (int) Libbpf.PROGRAM_SET_AUTOLOAD.invokeExact(program, autoload);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
        if (rc < 0) {
            throw new BpfException("set autoload of " + name, -rc);
        }
    }

    /** After load: the kernel's fd of the program, e.g. to find it in {@code bpftool prog list}. */
    public int fd() {
        try {
            return (int) Libbpf.PROGRAM_FD.invokeExact(program);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /** Attaches by section name (tracepoint, kprobe, fentry ...). */
    public BpfLink attach() throws BpfException {
        try (Arena arena = Arena.ofConfined(); LibbpfLog.Capture log = LibbpfLog.capture()) {
            MemorySegment state = NativeCall.callState(arena);
            MemorySegment link = (MemorySegment) Libbpf.PROGRAM_ATTACH.invokeExact(state, program);
            return linkOrThrow(link, state, "attach " + name, log);
        } catch (BpfException e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /**
     * Attaches a cgroup program with a bpf_link. Links to a cgroup are always multi-attach, so this
     * coexists with other programs on the same hook (e.g. Cilium's socket-LB), as long as none of them
     * was attached exclusively.
     */
    public BpfLink attachCgroup(int cgroupFd) throws BpfException {
        try (Arena arena = Arena.ofConfined(); LibbpfLog.Capture log = LibbpfLog.capture()) {
            MemorySegment state = NativeCall.callState(arena);
            MemorySegment link = (MemorySegment) Libbpf.PROGRAM_ATTACH_CGROUP.invokeExact(state, program, cgroupFd);
            return linkOrThrow(link, state, "attach " + name + " to cgroup", log);
        } catch (BpfException e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    private BpfLink linkOrThrow(MemorySegment link, MemorySegment state, String operation, LibbpfLog.Capture log)
            throws BpfException {
        if (link.equals(MemorySegment.NULL)) {
            throw new BpfException(operation, NativeCall.errno(state), log.lines());
        }
        return new BpfLink(link);
    }
}
