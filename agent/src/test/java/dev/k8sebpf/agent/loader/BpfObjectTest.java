package dev.k8sebpf.agent.loader;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The FFM layer against the real kernel, with the test-only program src/test/c/probe.bpf.c. */
class BpfObjectTest {
    private static final long DISCARD_TAG = 0xd15c;
    private static final MethodHandle GETPPID = Linker.nativeLinker().downcallHandle(
            Linker.nativeLinker().defaultLookup().find("getppid").orElseThrow(), FunctionDescriptor.of(JAVA_INT));
    private static final int PID = (int) ProcessHandle.current().pid();
    private static byte[] elf;

    @BeforeAll
    static void compile() throws Exception {
        KernelPreconditions.requireBpf();
        elf = TestObjects.compile("probe.bpf.c");
    }

    @Test
    void everyCallArrivesOnceThroughTheRingAcrossManyWraparounds() throws Exception {
        int calls = 2000; // 24-byte records in a 4 KiB ring: the ring wraps about 12 times
        List<Long> tags = new ArrayList<>();
        try (BpfObject object = openForThisProcess(); Arena arena = Arena.ofConfined()) {
            object.load();
            setTag(object, arena, 42);
            try (BpfLink link = object.program("on_getppid").attach();
                 RingBufferReader ring = RingBufferReader.open(object.map("records"))) {
                RecordHandler handler = (data, offset, length) -> {
                    assertThat(length).isEqualTo(16);
                    assertThat(data.get(JAVA_INT, offset + 8)).isEqualTo(PID);
                    tags.add(data.get(JAVA_LONG, offset));
                };
                for (int i = 0; i < calls; i++) {
                    getppid();
                    if (i % 50 == 49) {
                        ring.poll(handler);
                    }
                }
                ring.poll(handler);
            }
            assertThat(tags).hasSize(calls).containsOnly(42L);
            assertThat(perCpuSum(object.map("calls"))).isEqualTo(calls);
        }
    }

    @Test
    void discardedRecordsAreConsumedButNotHandedOver() throws Exception {
        List<Long> tags = new ArrayList<>();
        try (BpfObject object = openForThisProcess(); Arena arena = Arena.ofConfined()) {
            object.load();
            try (BpfLink link = object.program("on_getppid").attach();
                 RingBufferReader ring = RingBufferReader.open(object.map("records"))) {
                setTag(object, arena, DISCARD_TAG);
                for (int i = 0; i < 300; i++) {
                    getppid();
                }
                assertThat(ring.poll((data, offset, length) -> tags.add(data.get(JAVA_LONG, offset)))).isZero();
                setTag(object, arena, 7);
                for (int i = 0; i < 3; i++) {
                    getppid();
                }
                assertThat(ring.poll((data, offset, length) -> tags.add(data.get(JAVA_LONG, offset)))).isEqualTo(3);
            }
        }
        assertThat(tags).containsExactly(7L, 7L, 7L);
    }

    @Test
    void aVerifierRejectionCarriesTheVerifierLogAndTheErrnoName() throws Exception {
        try (BpfObject object = openForThisProcess()) {
            object.program("rejected").setAutoload(true);
            assertThatThrownBy(object::load)
                    .isInstanceOfSatisfying(BpfException.class, e -> {
                        assertThat(e.errnoName()).isEqualTo("EACCES");
                        assertThat(e.libbpfLog()).anyMatch(line -> line.contains("invalid mem access 'map_value_or_null'")
                                && line.contains("-- END PROG LOAD LOG --") && line.length() > 4096);
                        assertThat(e.getMessage()).startsWith("load BPF object: EACCES").contains("R0 invalid mem access");
                    });
        }
    }

    @Test
    void closingDetachesAndUnloadsEverything() throws Exception {
        KernelPreconditions.requireTool("bpftool");
        List<Long> ids;
        try (BpfObject object = openForThisProcess()) {
            object.load();
            BpfLink link = object.program("on_getppid").attach();
            ids = BpfTool.programIds(List.of("on_getppid"));
            assertThat(ids).isNotEmpty();
            assertThat(BpfTool.linkedProgramIds()).containsAnyElementsOf(ids);
            link.close();
            link.close(); // idempotent
        }
        assertThat(BpfTool.linkedProgramIds()).doesNotContainAnyElementsOf(ids);
        assertThat(BpfTool.loadedProgramIds()).doesNotContainAnyElementsOf(ids);
    }

    @Test
    void errorsNameTheErrno() {
        assertThatThrownBy(() -> Libc.openDirectory("/nonexistent/cgroup"))
                .isInstanceOf(BpfException.class).hasMessage("open /nonexistent/cgroup: ENOENT");
    }

    private static BpfObject openForThisProcess() throws BpfException {
        BpfObject object = BpfObject.open("probe", elf);
        object.map(".rodata").setInitialValue(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(PID).array());
        return object;
    }

    private static void setTag(BpfObject object, Arena arena, long tag) throws BpfException {
        object.map("tags").update(arena.allocateFrom(JAVA_INT, 0), arena.allocateFrom(JAVA_LONG, tag));
    }

    private static long perCpuSum(BpfMap map) throws BpfException {
        return map.sumPerCpu(0, BpfMap.possibleCpus());
    }

    private static void getppid() {
        int ppid;
        try {
            ppid = (int) GETPPID.invokeExact();
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
        assertThat(ppid).isPositive();
    }
}
