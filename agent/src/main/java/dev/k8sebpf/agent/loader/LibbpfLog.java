package dev.k8sebpf.agent.loader;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * libbpf's print callback, routed to SLF4J. While a {@link Capture} is open on a thread, the warnings and
 * infos libbpf prints on that thread (a failed load prints the verifier log) are kept for the exception
 * and logged at debug only: the caller decides whether the failure matters (a tier fallback does not).
 */
final class LibbpfLog {
    private static final Logger LOG = LoggerFactory.getLogger("libbpf");
    private static final int LIBBPF_WARN = 0;
    private static final int LIBBPF_INFO = 1;
    // va_list is passed by pointer on both ABIs; vsnprintf consumes it, so it formats a copy (that is va_copy).
    private static final long VA_LIST_SIZE = "aarch64".equals(System.getProperty("os.arch")) ? 32 : 24;
    private static final int FIRST_BUFFER = 1024;
    private static final ThreadLocal<List<String>> CAPTURED = new ThreadLocal<>();
    private static boolean installed;

    private LibbpfLog() {
    }

    static synchronized void install() {
        if (installed) {
            return;
        }
        try {
            MemorySegment callback = NativeCall.LINKER.upcallStub(
                    MethodHandles.lookup().findStatic(LibbpfLog.class, "print",
                            MethodType.methodType(int.class, int.class, MemorySegment.class, MemorySegment.class)),
                    FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS), Arena.global());
            // The returned previous printer (libbpf's stderr default) is dropped for good.
            MemorySegment stderrPrinter = (MemorySegment) Libbpf.SET_PRINT.invokeExact(callback);
            installed = true;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /** Keeps libbpf's warnings and infos on this thread until closed. */
    static Capture capture() {
        List<String> lines = new ArrayList<>();
        CAPTURED.set(lines);
        return new Capture(lines);
    }

    record Capture(List<String> lines) implements AutoCloseable {
        @Override
        public void close() {
            CAPTURED.remove();
        }
    }

    // Upcall target: must never throw, an exception here would crash the JVM.
    private static int print(int level, MemorySegment format, MemorySegment vaList) {
        try {
            List<String> capture = CAPTURED.get();
            boolean kept = capture != null && level <= LIBBPF_INFO;
            int logLevel = capture != null ? Math.max(level, LIBBPF_INFO + 1) : level;
            boolean logged = logLevel == LIBBPF_WARN ? LOG.isWarnEnabled()
                    : logLevel == LIBBPF_INFO ? LOG.isInfoEnabled() : LOG.isDebugEnabled();
            if (!kept && !logged) {
                return 0;
            }
            String message = format(format, vaList).stripTrailing();
            if (kept) {
                capture.add(message);
            }
            switch (logLevel) {
                case LIBBPF_WARN -> LOG.warn(message);
                case LIBBPF_INFO -> LOG.info(message);
                default -> LOG.debug(message);
            }
        } catch (Throwable t) {
            LOG.error("could not format a libbpf message", t);
        }
        return 0;
    }

    private static String format(MemorySegment format, MemorySegment vaList) throws Throwable {
        MemorySegment args = vaList.reinterpret(VA_LIST_SIZE);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment copy = arena.allocate(VA_LIST_SIZE, 16);
            long size = FIRST_BUFFER;
            while (true) {
                MemorySegment buffer = arena.allocate(size);
                copy.copyFrom(args);
                int needed = (int) Libc.VSNPRINTF.invokeExact(buffer, size, format, copy);
                if (needed < 0) {
                    return format.reinterpret(Long.MAX_VALUE).getString(0);
                }
                if (needed < size) {
                    return buffer.getString(0);
                }
                size = needed + 1L;
            }
        }
    }
}
