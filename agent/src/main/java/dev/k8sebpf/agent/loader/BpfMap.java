package dev.k8sebpf.agent.loader;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** One map of an open {@link BpfObject}; valid until the object is closed. */
public final class BpfMap {
    private static final long BPF_ANY = 0;
    private static final int BPF_MAP_TYPE_ARRAY = 2;

    private final MemorySegment map;
    private final String name;

    BpfMap(MemorySegment map, String name) {
        this.map = map;
        this.name = name;
    }

    /**
     * Creates and closes a one-element array map: whether the bpf() syscall itself is allowed here.
     * Returns 0, or the errno (EPERM when a seccomp filter or missing CAP_BPF refuses it).
     */
    public static int probeCreate() {
        int fd;
        try {
            fd = (int) Libbpf.MAP_CREATE.invokeExact(BPF_MAP_TYPE_ARRAY, MemorySegment.NULL, 4, 4, 1, MemorySegment.NULL);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
        if (fd < 0) {
            return -fd; // libbpf 1.x returns -errno
        }
        Libc.close(fd);
        return 0;
    }

    public String name() {
        return name;
    }

    public int fd() {
        try {
            return (int) Libbpf.MAP_FD.invokeExact(map);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    public long maxEntries() {
        try {
            return Integer.toUnsignedLong((int) Libbpf.MAP_MAX_ENTRIES.invokeExact(map));
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    public long valueSize() {
        try {
            return Integer.toUnsignedLong((int) Libbpf.MAP_VALUE_SIZE.invokeExact(map));
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /** Before load: the initial contents, e.g. of {@code .rodata}; libbpf copies them. */
    public void setInitialValue(byte[] data) throws BpfException {
        int rc;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment copy = arena.allocate(Math.max(1, data.length));
            copy.copyFrom(MemorySegment.ofArray(data));
            rc = (int) Libbpf.MAP_SET_INITIAL_VALUE.invokeExact(map, copy, (long) data.length);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
        if (rc < 0) {
            throw new BpfException("set initial value of " + name + " (" + data.length + " bytes)", -rc);
        }
    }

    /** After load: creates or replaces one element. Segments must be native memory. */
    public void update(MemorySegment key, MemorySegment value) throws BpfException {
        int rc;
        try {
            rc = (int) Libbpf.MAP_UPDATE_ELEM.invokeExact(map, key, key.byteSize(), value, value.byteSize(), BPF_ANY);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
        if (rc < 0) {
            throw new BpfException("update of map " + name, -rc);
        }
    }

    /**
     * After load: the elements of an array map created with BPF_F_MMAPABLE, shared with the kernel
     * (read and write, no syscall per access). Unmap with {@link #unmap}.
     */
    public MemorySegment mmapArray() throws BpfException {
        long page = Libc.pageSize();
        long bytes = (maxEntries() * valueSize() + page - 1) / page * page;
        return Libc.mmap(bytes, Libc.PROT_READ | Libc.PROT_WRITE, fd(), 0);
    }

    /** Undoes {@link #mmapArray}. */
    public static void unmap(MemorySegment mapping) {
        Libc.munmap(mapping);
    }

    /**
     * After load: reads one element into {@code value} (native memory). For per-CPU maps the value holds
     * one 8-byte-aligned slot per possible CPU ({@link #possibleCpus()}).
     */
    public void lookup(MemorySegment key, MemorySegment value) throws BpfException {
        int rc;
        try {
            rc = (int) Libbpf.MAP_LOOKUP_ELEM.invokeExact(map, key, key.byteSize(), value, value.byteSize(), 0L);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
        if (rc < 0) {
            throw new BpfException("lookup in map " + name, -rc);
        }
    }

    /**
     * After load: the sum over all CPUs of the {@code __u64} at {@code index} of a per-CPU array, e.g. a
     * stats counter every CPU bumps without atomics.
     *
     * @param cpus {@link #possibleCpus()}, counted once by the caller
     */
    public long sumPerCpu(int index, int cpus) throws BpfException {
        try (Arena arena = Arena.ofConfined()) {
            // one slot per possible CPU, each padded to 8 bytes (exactly the __u64 here)
            MemorySegment values = arena.allocate(ValueLayout.JAVA_LONG, cpus);
            lookup(arena.allocateFrom(ValueLayout.JAVA_INT, index), values);
            long sum = 0;
            for (int cpu = 0; cpu < cpus; cpu++) {
                sum += values.getAtIndex(ValueLayout.JAVA_LONG, cpu);
            }
            return sum;
        }
    }

    public static int possibleCpus() throws BpfException {
        int n;
        try {
            n = (int) Libbpf.NUM_POSSIBLE_CPUS.invokeExact();
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
        if (n < 0) {
            throw new BpfException("libbpf_num_possible_cpus", -n);
        }
        return n;
    }
}
