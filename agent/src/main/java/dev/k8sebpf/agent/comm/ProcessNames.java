package dev.k8sebpf.agent.comm;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Process names of events (L4 and L7), and whether an exclude list names them. A node has few distinct
 * comms, so a small direct-mapped cache keyed by the 16 comm bytes answers both with two long compares:
 * no String per event. Event thread only.
 */
public final class ProcessNames {
    /** What is known about one comm. */
    public record Process(String name, boolean excluded) {
    }

    private static final int COMM_LEN = 16;
    private static final int SLOTS = 64; // power of two
    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private final Set<String> excluded = new HashSet<>();
    private final long[] first = new long[SLOTS];
    private final long[] second = new long[SLOTS];
    private final Process[] processes = new Process[SLOTS];

    /** @param excludedComms process names to leave out; the kernel keeps 15 bytes, so longer ones match their prefix */
    public ProcessNames(List<String> excludedComms) {
        for (String comm : excludedComms) {
            byte[] bytes = comm.strip().getBytes(StandardCharsets.UTF_8);
            if (bytes.length > 0) {
                excluded.add(new String(bytes, 0, Math.min(bytes.length, COMM_LEN - 1), StandardCharsets.UTF_8));
            }
        }
    }

    /** @param comm the event's 16 comm bytes, NUL-terminated */
    public Process of(byte[] comm) {
        long a = (long) LONG.get(comm, 0);
        long b = (long) LONG.get(comm, 8);
        long h = (a * 0x9E37_79B9_7F4A_7C15L) ^ b;
        int slot = (int) (h ^ (h >>> 29)) & (SLOTS - 1);
        Process process = processes[slot];
        if (process == null || first[slot] != a || second[slot] != b) {
            String name = decode(comm);
            process = new Process(name, excluded.contains(name));
            first[slot] = a;
            second[slot] = b;
            processes[slot] = process;
        }
        return process;
    }

    private static String decode(byte[] comm) {
        int n = 0;
        while (n < comm.length && comm[n] != 0) {
            n++;
        }
        return new String(comm, 0, n, StandardCharsets.UTF_8);
    }
}
