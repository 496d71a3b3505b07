package dev.k8sebpf.bpfplugin.codegen;

import com.palantir.javapoet.ArrayTypeName;
import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.TypeName;
import dev.k8sebpf.bpfplugin.model.Field;
import dev.k8sebpf.bpfplugin.model.Shape;
import java.lang.foreign.ValueLayout;

/**
 * Java types and decode/encode statements for a {@link Shape}. The segment variable is always {@code seg};
 * offsets are code expressions so the same statements serve records (base {@code offset}) and .rodata.
 */
final class ShapeCode {
    private final String pkg;
    private final ClassName layouts;

    ShapeCode(String pkg) {
        this.pkg = pkg;
        this.layouts = LayoutsWriter.className(pkg);
    }

    TypeName javaType(Shape shape) {
        return switch (shape) {
            case Shape.Scalar s -> switch (s) {
                case BOOL -> TypeName.BOOLEAN;
                case S8 -> TypeName.BYTE;
                case S16 -> TypeName.SHORT;
                case U8, U16, S32 -> TypeName.INT;
                case U32, S64, U64 -> TypeName.LONG;
                case F32 -> TypeName.FLOAT;
                case F64 -> TypeName.DOUBLE;
            };
            case Shape.Array a -> isByteArray(a) ? ArrayTypeName.of(TypeName.BYTE) : ArrayTypeName.of(javaType(a.element()));
            case Shape.StructRef r -> ClassName.get(pkg, r.javaName());
            case Shape.EnumRef e -> ClassName.get(pkg, e.javaName());
        };
    }

    static boolean isByteArray(Shape.Array a) {
        return a.element() instanceof Shape.Scalar s && s.byteSized();
    }

    static CodeBlock at(CodeBlock base, long add) {
        return add == 0 ? base : CodeBlock.of("$L + $LL", base, add);
    }

    /** Statements that declare {@code name} and fill it from the field at {@code base}. */
    CodeBlock decodeField(Field f, CodeBlock base, String name) {
        CodeBlock.Builder b = CodeBlock.builder();
        CodeBlock where = at(base, f.byteOffset());
        if (f.bitfield()) {
            CodeBlock raw = CodeBlock.of("$T.getBits(seg, $L, $L, $L, $L)", layouts, where, f.bitOffset() % 8,
                    f.bitSize(), bitfieldSigned(f.shape()));
            b.addStatement("$T $L = $L", javaType(f.shape()), name, fromLong(f.shape(), raw));
        } else {
            decodeInto(b, CodeBlock.of("$T $L", javaType(f.shape()), name), name, f.shape(), where, 0);
        }
        return b.build();
    }

    private void decodeInto(CodeBlock.Builder b, CodeBlock lhs, String path, Shape shape, CodeBlock where, int depth) {
        if (!(shape instanceof Shape.Array a)) {
            b.addStatement("$L = $L", lhs, read(shape, where));
        } else if (isByteArray(a)) {
            b.addStatement("$L = seg.asSlice($L, $L).toArray($T.JAVA_BYTE)", lhs, where, a.length(), ValueLayout.class);
        } else {
            b.addStatement("$L = $L", lhs, newArray(a));
            String i = "i" + depth;
            b.beginControlFlow("for (int $L = 0; $L < $L; $L++)", i, i, a.length(), i);
            String element = path + "[" + i + "]";
            decodeInto(b, CodeBlock.of("$L", element), element, a.element(), CodeBlock.of("$L + $L * $LL", where, i, a.stride()), depth + 1);
            b.endControlFlow();
        }
    }

    /** {@code new int[3][]} for an int[3][4]: the outer dimension, inner ones filled by nested loops. */
    private CodeBlock newArray(Shape.Array a) {
        TypeName leaf = javaType(a.element());
        int extraDims = 0;
        while (leaf instanceof ArrayTypeName arr) {
            leaf = arr.componentType();
            extraDims++;
        }
        return CodeBlock.of("new $T[$L]$L", leaf, a.length(), "[]".repeat(extraDims));
    }

    /** Statements that write the value {@code path} of the field at {@code base}. */
    CodeBlock encodeField(Field f, CodeBlock base, String path) {
        CodeBlock.Builder b = CodeBlock.builder();
        CodeBlock where = at(base, f.byteOffset());
        if (f.bitfield()) {
            b.addStatement("$T.setBits(seg, $L, $L, $L, $L)", layouts, where, f.bitOffset() % 8, f.bitSize(),
                    toLong(f.shape(), path));
        } else {
            encodeFrom(b, path, f.shape(), where, 0, f.cName());
        }
        return b.build();
    }

    void encodeFrom(CodeBlock.Builder b, String path, Shape shape, CodeBlock where, int depth, String cName) {
        if (!(shape instanceof Shape.Array a)) {
            b.add(write(shape, where, path));
        } else if (isByteArray(a)) {
            b.addStatement("$T.putBytes(seg, $L, $L, $L, $S)", layouts, where, a.length(), path, cName);
        } else {
            b.addStatement("$T.checkLength($L.length, $L, $S)", layouts, path, a.length(), cName);
            String i = "i" + depth;
            b.beginControlFlow("for (int $L = 0; $L < $L; $L++)", i, i, a.length(), i);
            encodeFrom(b, path + "[" + i + "]", a.element(), CodeBlock.of("$L + $L * $LL", where, i, a.stride()), depth + 1, cName);
            b.endControlFlow();
        }
    }

    private CodeBlock read(Shape shape, CodeBlock where) {
        return switch (shape) {
            case Shape.Scalar s -> switch (s) {
                case BOOL -> CodeBlock.of("seg.get($T.JAVA_BYTE, $L) != 0", ValueLayout.class, where);
                case S8 -> CodeBlock.of("seg.get($T.JAVA_BYTE, $L)", ValueLayout.class, where);
                case U8 -> CodeBlock.of("Byte.toUnsignedInt(seg.get($T.JAVA_BYTE, $L))", ValueLayout.class, where);
                case S16 -> CodeBlock.of("seg.get($T.LE_SHORT, $L)", layouts, where);
                case U16 -> CodeBlock.of("Short.toUnsignedInt(seg.get($T.LE_SHORT, $L))", layouts, where);
                case S32 -> CodeBlock.of("seg.get($T.LE_INT, $L)", layouts, where);
                case U32 -> CodeBlock.of("Integer.toUnsignedLong(seg.get($T.LE_INT, $L))", layouts, where);
                case S64, U64 -> CodeBlock.of("seg.get($T.LE_LONG, $L)", layouts, where);
                case F32 -> CodeBlock.of("seg.get($T.LE_FLOAT, $L)", layouts, where);
                case F64 -> CodeBlock.of("seg.get($T.LE_DOUBLE, $L)", layouts, where);
            };
            case Shape.StructRef r -> CodeBlock.of("$T.decode(seg, $L)", javaType(r), where);
            case Shape.EnumRef e -> CodeBlock.of("$T.of($L)", javaType(e), enumRaw(e, where));
            case Shape.Array a -> throw new IllegalArgumentException("arrays are decoded by decodeInto");
        };
    }

    private CodeBlock enumRaw(Shape.EnumRef e, CodeBlock where) {
        return switch (e.size()) {
            case 1 -> e.signed() ? CodeBlock.of("(long) seg.get($T.JAVA_BYTE, $L)", ValueLayout.class, where)
                    : CodeBlock.of("Byte.toUnsignedLong(seg.get($T.JAVA_BYTE, $L))", ValueLayout.class, where);
            case 2 -> CodeBlock.of(e.signed() ? "(long) seg.get($T.LE_SHORT, $L)" : "Short.toUnsignedLong(seg.get($T.LE_SHORT, $L))", layouts, where);
            case 4 -> CodeBlock.of(e.signed() ? "(long) seg.get($T.LE_INT, $L)" : "Integer.toUnsignedLong(seg.get($T.LE_INT, $L))", layouts, where);
            default -> CodeBlock.of("seg.get($T.LE_LONG, $L)", layouts, where);
        };
    }

    private CodeBlock write(Shape shape, CodeBlock where, String v) {
        return switch (shape) {
            case Shape.Scalar s -> switch (s) {
                case BOOL -> CodeBlock.builder().addStatement("seg.set($T.JAVA_BYTE, $L, (byte) ($L ? 1 : 0))", ValueLayout.class, where, v).build();
                case S8 -> CodeBlock.builder().addStatement("seg.set($T.JAVA_BYTE, $L, $L)", ValueLayout.class, where, v).build();
                case U8 -> CodeBlock.builder().addStatement("seg.set($T.JAVA_BYTE, $L, (byte) $L)", ValueLayout.class, where, v).build();
                case S16 -> set("LE_SHORT", where, v);
                case U16 -> set("LE_SHORT", where, "(short) " + v);
                case S32 -> set("LE_INT", where, v);
                case U32 -> set("LE_INT", where, "(int) " + v);
                case S64, U64 -> set("LE_LONG", where, v);
                case F32 -> set("LE_FLOAT", where, v);
                case F64 -> set("LE_DOUBLE", where, v);
            };
            case Shape.StructRef r -> CodeBlock.builder().addStatement("$L.encode(seg, $L)", v, where).build();
            case Shape.EnumRef e -> switch (e.size()) {
                case 1 -> CodeBlock.builder().addStatement("seg.set($T.JAVA_BYTE, $L, (byte) $L.value())", ValueLayout.class, where, v).build();
                case 2 -> set("LE_SHORT", where, "(short) " + v + ".value()");
                case 4 -> set("LE_INT", where, "(int) " + v + ".value()");
                default -> set("LE_LONG", where, v + ".value()");
            };
            case Shape.Array a -> throw new IllegalArgumentException("arrays are encoded by encodeFrom");
        };
    }

    private CodeBlock set(String layout, CodeBlock where, String value) {
        return CodeBlock.builder().addStatement("seg.set($T.$L, $L, $L)", layouts, layout, where, value).build();
    }

    private static boolean bitfieldSigned(Shape shape) {
        return shape instanceof Shape.Scalar s ? s.signed() : ((Shape.EnumRef) shape).signed();
    }

    private CodeBlock fromLong(Shape shape, CodeBlock raw) {
        return switch (shape) {
            case Shape.Scalar s -> switch (s) {
                case BOOL -> CodeBlock.of("$L != 0", raw);
                case S8 -> CodeBlock.of("(byte) $L", raw);
                case S16 -> CodeBlock.of("(short) $L", raw);
                case U8, U16, S32 -> CodeBlock.of("(int) $L", raw);
                default -> raw;
            };
            case Shape.EnumRef e -> CodeBlock.of("$T.of($L)", javaType(e), raw);
            default -> throw new IllegalArgumentException("bitfields are integers or enums");
        };
    }

    private static String toLong(Shape shape, String v) {
        return switch (shape) {
            case Shape.Scalar.BOOL -> "(" + v + " ? 1L : 0L)";
            case Shape.EnumRef e -> v + ".value()";
            default -> v;
        };
    }
}
