package dev.k8sebpf.agent.loader;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;

/** The few libc calls the loader needs that the JDK does not offer: mmap of a map fd, directory fds, errno names. */
public final class Libc {
    static final int PROT_READ = 0x1;
    static final int PROT_WRITE = 0x2;
    static final int MAP_SHARED = 0x1;
    private static final int O_RDONLY = 0;
    private static final int O_CLOEXEC = 0x80000; // same on x86-64 and arm64 (O_DIRECTORY is not, so it is left out)
    private static final int SC_PAGESIZE = 30;

    private static final SymbolLookup LIBC = NativeCall.LINKER.defaultLookup();

    private static final MethodHandle MMAP = NativeCall.downcallWithErrno(LIBC, "mmap",
            FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG));
    private static final MethodHandle MUNMAP = NativeCall.downcall(LIBC, "munmap",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG));
    // open(2) is variadic; no mode argument is passed because O_CREAT is never used.
    private static final MethodHandle OPEN = NativeCall.LINKER.downcallHandle(
            LIBC.find("open").orElseThrow(), FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT),
            Linker.Option.captureCallState("errno"), Linker.Option.firstVariadicArg(2));
    private static final MethodHandle CLOSE = NativeCall.downcall(LIBC, "close",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle SYSCONF = NativeCall.downcall(LIBC, "sysconf",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT));
    private static final MethodHandle STRERRORNAME_NP = NativeCall.downcall(LIBC, "strerrorname_np",
            FunctionDescriptor.of(ADDRESS, JAVA_INT));
    static final MethodHandle VSNPRINTF = NativeCall.downcall(LIBC, "vsnprintf",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, ADDRESS, ADDRESS));

    private Libc() {
    }

    /** The symbolic name of an errno value, e.g. {@code EPERM}; {@code errno 4242} when libc has none. */
    public static String errnoName(int errno) {
        try {
            MemorySegment name = (MemorySegment) STRERRORNAME_NP.invokeExact(errno);
            return name.equals(MemorySegment.NULL) ? "errno " + errno : name.reinterpret(64).getString(0);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    static long pageSize() {
        try {
            return (long) SYSCONF.invokeExact(SC_PAGESIZE);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    static MemorySegment mmap(long length, int prot, int fd, long offset) throws BpfException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = NativeCall.callState(arena);
            MemorySegment address = (MemorySegment) MMAP.invokeExact(state, MemorySegment.NULL, length, prot,
                    MAP_SHARED, fd, offset);
            if (address.address() == -1L) {
                throw new BpfException("mmap of fd " + fd, NativeCall.errno(state));
            }
            return address.reinterpret(length);
        } catch (BpfException e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    static void munmap(MemorySegment mapping) {
        try {
            int rc = (int) MUNMAP.invokeExact(mapping, mapping.byteSize());
            assert rc == 0 : "munmap failed";
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /** A read-only directory fd, e.g. of a cgroup2 mount to attach cgroup programs to. */
    public static int openDirectory(String path) throws BpfException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = NativeCall.callState(arena);
            int fd = (int) OPEN.invokeExact(state, arena.allocateFrom(path), O_RDONLY | O_CLOEXEC);
            if (fd < 0) {
                throw new BpfException("open " + path, NativeCall.errno(state));
            }
            return fd;
        } catch (BpfException e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    public static void close(int fd) {
        try {
            int rc = (int) CLOSE.invokeExact(fd);
            assert rc == 0 : "close failed";
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }
}
