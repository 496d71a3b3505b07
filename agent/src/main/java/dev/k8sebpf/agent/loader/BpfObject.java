package dev.k8sebpf.agent.loader;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;

/** A BPF ELF object opened from memory with libbpf: configure programs and maps, load, then attach. */
public final class BpfObject implements AutoCloseable {
    // struct bpf_object_open_opts up to object_name; libbpf treats the fields after `sz` bytes as unset.
    private static final long OPEN_OPTS_SIZE = 16;

    private final Arena arena;
    private final MemorySegment object;
    private final List<BpfProgram> programs;
    private boolean closed;

    private BpfObject(Arena arena, MemorySegment object) {
        this.arena = arena;
        this.object = object;
        this.programs = listPrograms(object);
    }

    /** Opens (parses) an object; nothing is in the kernel until {@link #load()}. */
    public static BpfObject open(String name, byte[] elf) throws BpfException {
        Arena arena = Arena.ofShared();
        try (Arena call = Arena.ofConfined(); LibbpfLog.Capture log = LibbpfLog.capture()) {
            // libbpf reads the ELF in place until close, so the buffer lives as long as the object.
            MemorySegment buffer = arena.allocate(elf.length, 8);
            buffer.copyFrom(MemorySegment.ofArray(elf));
            MemorySegment opts = call.allocate(OPEN_OPTS_SIZE, 8);
            opts.set(ValueLayout.JAVA_LONG, 0, OPEN_OPTS_SIZE);
            opts.set(ValueLayout.ADDRESS, 8, call.allocateFrom(name));
            MemorySegment state = NativeCall.callState(call);
            MemorySegment object = (MemorySegment) Libbpf.OBJECT_OPEN_MEM.invokeExact(state, buffer, (long) elf.length, opts);
            if (object.equals(MemorySegment.NULL)) {
                throw new BpfException("open BPF object " + name, NativeCall.errno(state), log.lines());
            }
            return new BpfObject(arena, object);
        } catch (BpfException e) {
            arena.close();
            throw e;
        } catch (Throwable t) {
            arena.close();
            throw new AssertionError(t);
        }
    }

    private static List<BpfProgram> listPrograms(MemorySegment object) {
        List<BpfProgram> found = new ArrayList<>();
        try {
            MemorySegment program = (MemorySegment) Libbpf.OBJECT_NEXT_PROGRAM.invokeExact(object, MemorySegment.NULL);
            while (!program.equals(MemorySegment.NULL)) {
                found.add(new BpfProgram(program));
                program = (MemorySegment) Libbpf.OBJECT_NEXT_PROGRAM.invokeExact(object, program);
            }
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
        return List.copyOf(found);
    }

    public List<BpfProgram> programs() {
        return programs;
    }

    public BpfProgram program(String name) {
        return programs.stream().filter(p -> p.name().equals(name)).findFirst()
                .orElseThrow(() -> new NoSuchElementException("no BPF program " + name + " in the object"));
    }

    /** A map by name; internal maps are found by their section name, e.g. {@code .rodata}. */
    public BpfMap map(String name) {
        try (Arena call = Arena.ofConfined()) {
            MemorySegment map = (MemorySegment) Libbpf.OBJECT_FIND_MAP_BY_NAME.invokeExact(object, call.allocateFrom(name));
            if (map.equals(MemorySegment.NULL)) {
                throw new NoSuchElementException("no BPF map " + name + " in the object");
            }
            return new BpfMap(map, name);
        } catch (NoSuchElementException e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /** Creates the maps and loads the autoloaded programs; a verifier rejection carries the verifier log. */
    public void load() throws BpfException {
        int rc;
        List<String> log;
        try (LibbpfLog.Capture capture = LibbpfLog.capture()) {
            rc = (int) Libbpf.OBJECT_LOAD.invokeExact(object);
            log = capture.lines();
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
        if (rc < 0) {
            throw new BpfException("load BPF object", -rc, log);
        }
    }

    /** Unloads everything that no link or open fd still holds. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            Libbpf.OBJECT_CLOSE.invokeExact(object);
        } catch (Throwable t) {
            throw new AssertionError(t);
        } finally {
            arena.close();
        }
    }
}
