package dev.k8sebpf.bpfplugin.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.k8sebpf.bpfplugin.TestObjects;
import java.lang.foreign.MemorySegment;
import java.lang.reflect.RecordComponent;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * gcc lays out shapes.h for the host (x86_64, little-endian) and writes known values; the records
 * generated from clang's BTF must read every field back, and encode must give the same bytes.
 */
class RoundTripTest {
    @TempDir
    Path dir;

    private byte[] written;
    private ClassLoader generated;

    @BeforeEach
    void generateCompileAndWrite() throws Exception {
        SortedMap<String, String> files = TestObjects.shapesProject(dir).generate(TestObjects.shapesArtifacts(dir));
        List<String> paths = new ArrayList<>();
        for (Map.Entry<String, String> e : files.entrySet()) {
            Path p = dir.resolve("gen").resolve(e.getKey());
            Files.createDirectories(p.getParent());
            Files.writeString(p, e.getValue());
            paths.add(p.toString());
        }
        Path classes = Files.createDirectories(dir.resolve("classes"));
        List<String> args = new ArrayList<>(List.of("-d", classes.toString(), "-Xlint:all", "-Werror"));
        args.addAll(paths);
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        assertThat(javac.run(null, null, null, args.toArray(String[]::new))).as("javac of generated sources").isZero();
        generated = new URLClassLoader(new URL[] {classes.toUri().toURL()}, getClass().getClassLoader());

        Path writer = dir.resolve("writer");
        run("gcc", "-Wall", "-Werror", "-I", TestObjects.C_DIR.toString(), "-o", writer.toString(),
                TestObjects.C_DIR.resolve("shapes_writer.c").toString());
        run(writer.toString(), dir.resolve("out.bin").toString());
        written = Files.readAllBytes(dir.resolve("out.bin"));
    }

    private static void run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).inheritIO().start();
        assertThat(p.waitFor()).as(String.join(" ", cmd)).isZero();
    }

    private Record decode(String simpleName, long offset) throws Exception {
        Class<?> c = generated.loadClass(TestObjects.PACKAGE + "." + simpleName);
        return (Record) c.getMethod("decode", MemorySegment.class, long.class).invoke(null, MemorySegment.ofArray(written), offset);
    }

    private long size(String simpleName) throws Exception {
        return generated.loadClass(TestObjects.PACKAGE + "." + simpleName).getField("SIZE").getLong(null);
    }

    @Test
    void everyFieldOfShapesReadsBackAsGccWroteIt() throws Exception {
        assertThat(written).hasSize((int) (size("Shapes") + size("Key")));
        Map<String, Object> expected = new LinkedHashMap<>();
        expected.put("u8v", 200);
        expected.put("s8v", (byte) -100);
        expected.put("u16v", 60000);
        expected.put("s16v", (short) -30000);
        expected.put("u32v", 4_000_000_000L);
        expected.put("s32v", -2_000_000_000);
        expected.put("u64v", 0xF000000000000001L);
        expected.put("s64v", -9_000_000_000_000_000_000L);
        expected.put("flag", true);
        expected.put("name", bytes("hello", 12));
        expected.put("raw", new byte[] {1, 2, (byte) 250});
        expected.put("ports", new int[] {1, 65535, 443});
        expected.put("grid", new int[][] {{1, -2, 3}, {-4, 5, -6}});
        expected.put("names", new byte[][] {bytes("ab", 5), bytes("cdef", 5)});
        expected.put("in", Map.of("a", 65000, "b", (byte) -7));
        expected.put("ins", List.of(Map.of("a", 1, "b", (byte) -1), Map.of("a", 2, "b", (byte) -2)));
        expected.put("num", Map.of("asU32", 0xDEADBEEFL, "bytes", new byte[] {(byte) 0xEF, (byte) 0xBE, (byte) 0xAD, (byte) 0xDE}));
        expected.put("color", "BLUE");
        expected.put("wide", "WIDE_HUGE");
        expected.put("neg", "NEG_MINUS");
        expected.put("mode", "MODE_ON");
        expected.put("bfA", 5L);
        expected.put("bfB", 300L);
        expected.put("bfC", -9);
        expected.put("bfD", 0xABCDEF1234L);
        expected.put("bfE", true);
        expected.put("f", 1.5f);
        expected.put("d", -2.25);
        expected.put("cv", 77L);
        expected.put("point", Map.of("x", 3, "y", 4));
        expected.put("pos", Map.of("lat", (short) -10, "lon", (short) 20));
        expected.put("id", 0x01020304L);
        expected.put("idb", new byte[] {4, 3, 2, 1});
        expected.put("uptr", 0x1122334455667788L);
        Record shapes = decode("Shapes", 0);
        assertMatches(shapes, expected, "shapes");
        assertThat(shapes.getClass().getMethod("nameString").invoke(shapes)).isEqualTo("hello");
    }

    @Test
    void keyReadsBackAndEncodeReproducesGccsBytes() throws Exception {
        long shapesSize = size("Shapes");
        Record key = decode("Key", shapesSize);
        assertMatches(key, Map.of("id", 42L, "comm", bytes("curl", 8)), "key");
        assertThat(key.getClass().getMethod("commString").invoke(key)).isEqualTo("curl");
        for (Record r : List.of(decode("Shapes", 0), key)) {
            long offset = r == key ? shapesSize : 0;
            long size = size(r.getClass().getSimpleName());
            MemorySegment out = MemorySegment.ofArray(new byte[(int) size]);
            out.fill((byte) 0x5a);
            r.getClass().getMethod("encode", MemorySegment.class, long.class).invoke(r, out, 0L);
            assertThat(out.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE)).as(r.getClass().getSimpleName())
                    .isEqualTo(Arrays.copyOfRange(written, (int) offset, (int) (offset + size)));
        }
    }

    private static byte[] bytes(String s, int length) {
        return Arrays.copyOf(s.getBytes(StandardCharsets.US_ASCII), length);
    }

    @SuppressWarnings("unchecked")
    private static void assertMatches(Object actual, Object expected, String path) throws Exception {
        switch (actual) {
            case Record r -> {
                Map<String, Object> want = (Map<String, Object>) expected;
                Map<String, Object> have = new LinkedHashMap<>();
                for (RecordComponent c : r.getClass().getRecordComponents()) {
                    have.put(c.getName(), c.getAccessor().invoke(r));
                }
                assertThat(have.keySet()).as(path + " components").containsExactlyInAnyOrderElementsOf(want.keySet());
                for (Map.Entry<String, Object> e : want.entrySet()) {
                    assertMatches(have.get(e.getKey()), e.getValue(), path + "." + e.getKey());
                }
            }
            case Enum<?> e -> assertThat(e.name()).as(path).isEqualTo(expected);
            case Object[] arr when expected instanceof List<?> list -> {
                List<Object> want = (List<Object>) list;
                assertThat(arr).as(path).hasSize(want.size());
                for (int i = 0; i < arr.length; i++) {
                    assertMatches(arr[i], want.get(i), path + "[" + i + "]");
                }
            }
            default -> {
                if (actual.getClass().isArray() && !(expected instanceof List)) {
                    assertThat(Arrays.deepEquals(new Object[] {actual}, new Object[] {expected}))
                            .as(path + ": " + Arrays.deepToString(new Object[] {actual})).isTrue();
                } else {
                    assertThat(actual).as(path).isEqualTo(expected);
                }
            }
        }
    }
}
