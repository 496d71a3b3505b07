package dev.k8sebpf.bpfplugin.codegen;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.FieldSpec;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.TypeSpec;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import javax.lang.model.element.Modifier;

/** The package-private helper class every generated record uses: little-endian layouts and bit access. */
final class LayoutsWriter {
    static final String NAME = "BpfLayouts";

    private LayoutsWriter() {}

    static TypeSpec write() {
        TypeSpec.Builder t = TypeSpec.classBuilder(NAME)
                .addModifiers(Modifier.PUBLIC, Modifier.FINAL)
                .addJavadoc("Little-endian, unaligned layouts and bit helpers shared by the generated records. The layouts are\n"
                        + "public for code that reads single fields in place at a record's {@code OFFSET_} constants.\n")
                .addMethod(MethodSpec.constructorBuilder().addModifiers(Modifier.PRIVATE).build());
        layout(t, "LE_SHORT", ValueLayout.OfShort.class, "JAVA_SHORT_UNALIGNED");
        layout(t, "LE_INT", ValueLayout.OfInt.class, "JAVA_INT_UNALIGNED");
        layout(t, "LE_LONG", ValueLayout.OfLong.class, "JAVA_LONG_UNALIGNED");
        layout(t, "LE_FLOAT", ValueLayout.OfFloat.class, "JAVA_FLOAT_UNALIGNED");
        layout(t, "LE_DOUBLE", ValueLayout.OfDouble.class, "JAVA_DOUBLE_UNALIGNED");
        return t.addMethod(readSpan()).addMethod(writeSpan()).addMethod(getBits()).addMethod(setBits())
                .addMethod(putBytes()).addMethod(checkLength()).addMethod(cString()).build();
    }

    private static void layout(TypeSpec.Builder t, String name, Class<?> type, String base) {
        t.addField(FieldSpec.builder(type, name, Modifier.PUBLIC, Modifier.STATIC, Modifier.FINAL)
                .initializer("$T.$L.withOrder($T.LITTLE_ENDIAN)", ValueLayout.class, base, ByteOrder.class).build());
    }

    private static MethodSpec readSpan() {
        return MethodSpec.methodBuilder("readSpan").addModifiers(Modifier.PRIVATE, Modifier.STATIC).returns(long.class)
                .addParameter(MemorySegment.class, "seg").addParameter(long.class, "offset").addParameter(int.class, "span")
                .addStatement("long raw = 0")
                .beginControlFlow("for (int i = 0; i < span; i++)")
                .addStatement("raw |= (seg.get($T.JAVA_BYTE, offset + i) & 0xFFL) << (8 * i)", ValueLayout.class)
                .endControlFlow()
                .addStatement("return raw").build();
    }

    private static MethodSpec writeSpan() {
        return MethodSpec.methodBuilder("writeSpan").addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                .addParameter(MemorySegment.class, "seg").addParameter(long.class, "offset").addParameter(int.class, "span")
                .addParameter(long.class, "raw")
                .beginControlFlow("for (int i = 0; i < span; i++)")
                .addStatement("seg.set($T.JAVA_BYTE, offset + i, (byte) (raw >>> (8 * i)))", ValueLayout.class)
                .endControlFlow().build();
    }

    private static MethodSpec getBits() {
        return MethodSpec.methodBuilder("getBits").addModifiers(Modifier.STATIC).returns(long.class)
                .addJavadoc("Reads a bitfield of {@code bits} bits starting {@code shift} bits into the byte at {@code offset}.\n")
                .addParameter(MemorySegment.class, "seg").addParameter(long.class, "offset").addParameter(int.class, "shift")
                .addParameter(int.class, "bits").addParameter(boolean.class, "signed")
                .addStatement("long raw = readSpan(seg, offset, (shift + bits + 7) / 8) >>> shift")
                .addStatement("int unused = 64 - bits")
                .addStatement("return signed ? (raw << unused) >> unused : (raw << unused) >>> unused").build();
    }

    private static MethodSpec setBits() {
        return MethodSpec.methodBuilder("setBits").addModifiers(Modifier.STATIC)
                .addParameter(MemorySegment.class, "seg").addParameter(long.class, "offset").addParameter(int.class, "shift")
                .addParameter(int.class, "bits").addParameter(long.class, "value")
                .addStatement("int span = (shift + bits + 7) / 8")
                .addStatement("long mask = (bits == 64 ? -1L : (1L << bits) - 1) << shift")
                .addStatement("long raw = readSpan(seg, offset, span)")
                .addStatement("writeSpan(seg, offset, span, (raw & ~mask) | ((value << shift) & mask))").build();
    }

    private static MethodSpec putBytes() {
        return MethodSpec.methodBuilder("putBytes").addModifiers(Modifier.STATIC)
                .addJavadoc("Copies {@code value} into a {@code length}-byte array field, zero-filling the rest.\n")
                .addParameter(MemorySegment.class, "seg").addParameter(long.class, "offset").addParameter(int.class, "length")
                .addParameter(byte[].class, "value").addParameter(String.class, "field")
                .beginControlFlow("if (value.length > length)")
                .addStatement("throw new $T(field + $S + length + $S + value.length)", IllegalArgumentException.class,
                        " holds ", " bytes, got ")
                .endControlFlow()
                .addStatement("$T.copy(value, 0, seg, $T.JAVA_BYTE, offset, value.length)", MemorySegment.class, ValueLayout.class)
                .addStatement("seg.asSlice(offset + value.length, length - value.length).fill((byte) 0)").build();
    }

    private static MethodSpec checkLength() {
        return MethodSpec.methodBuilder("checkLength").addModifiers(Modifier.STATIC)
                .addParameter(int.class, "actual").addParameter(int.class, "expected").addParameter(String.class, "field")
                .beginControlFlow("if (actual != expected)")
                .addStatement("throw new $T(field + $S + expected + $S + actual)", IllegalArgumentException.class,
                        " needs ", " elements, got ")
                .endControlFlow().build();
    }

    private static MethodSpec cString() {
        return MethodSpec.methodBuilder("cString").addModifiers(Modifier.STATIC).returns(String.class)
                .addJavadoc("The bytes up to the first NUL, as UTF-8.\n")
                .addParameter(byte[].class, "bytes")
                .addStatement("int n = 0")
                .beginControlFlow("while (n < bytes.length && bytes[n] != 0)")
                .addStatement("n++")
                .endControlFlow()
                .addStatement("return new $T(bytes, 0, n, $T.UTF_8)", String.class, StandardCharsets.class).build();
    }

    static ClassName className(String pkg) {
        return ClassName.get(pkg, NAME);
    }
}
