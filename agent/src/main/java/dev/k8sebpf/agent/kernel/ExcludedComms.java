package dev.k8sebpf.agent.kernel;

import dev.k8sebpf.agent.bpf.CommKey;
import dev.k8sebpf.agent.loader.BpfException;
import dev.k8sebpf.agent.loader.BpfMap;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** The process names of EXCLUDE_COMMS as the kernel stores them: at most 15 bytes plus NUL. */
final class ExcludedComms {
    private static final int COMM_LEN = (int) CommKey.SIZE;

    private final Set<String> names;

    private ExcludedComms(Set<String> names) {
        this.names = names;
    }

    static ExcludedComms of(List<String> comms) {
        Set<String> names = new LinkedHashSet<>();
        for (String comm : comms) {
            String name = comm.strip();
            if (!name.isEmpty()) {
                names.add(truncate(name));
            }
        }
        return new ExcludedComms(names);
    }

    Set<String> names() {
        return names;
    }

    /** The kernel keeps the first 15 bytes of a process name, so a longer name can only match that prefix. */
    private static String truncate(String name) {
        byte[] bytes = name.getBytes(StandardCharsets.UTF_8);
        return bytes.length < COMM_LEN ? name : new String(bytes, 0, COMM_LEN - 1, StandardCharsets.UTF_8);
    }

    static CommKey key(String name) {
        byte[] comm = Arrays.copyOf(name.getBytes(StandardCharsets.UTF_8), COMM_LEN);
        comm[COMM_LEN - 1] = 0;
        return new CommKey(comm);
    }

    void writeTo(BpfMap map) throws BpfException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment key = arena.allocate(CommKey.SIZE);
            MemorySegment present = arena.allocate(map.valueSize());
            present.set(ValueLayout.JAVA_BYTE, 0, (byte) 1);
            for (String name : names) {
                key(name).encode(key, 0);
                map.update(key, present);
            }
        }
    }
}
