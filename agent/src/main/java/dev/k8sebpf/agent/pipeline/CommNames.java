package dev.k8sebpf.agent.pipeline;

import dev.k8sebpf.agent.bpf.ConnectEvent;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Interns process names: a node has few distinct comms, so a small direct-mapped cache keyed by the
 * 16 comm bytes turns the per-event String decode into two long compares. Event thread only.
 */
final class CommNames {
    private static final int SLOTS = 64; // power of two
    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private final long[] first = new long[SLOTS];
    private final long[] second = new long[SLOTS];
    private final String[] names = new String[SLOTS];

    String nameOf(ConnectEvent event) {
        byte[] comm = event.comm();
        long a = (long) LONG.get(comm, 0);
        long b = (long) LONG.get(comm, 8);
        long h = (a * 0x9E37_79B9_7F4A_7C15L) ^ b;
        int slot = (int) (h ^ (h >>> 29)) & (SLOTS - 1);
        String name = names[slot];
        if (name == null || first[slot] != a || second[slot] != b) {
            name = event.commString();
            first[slot] = a;
            second[slot] = b;
            names[slot] = name;
        }
        return name;
    }
}
