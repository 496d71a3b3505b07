package dev.k8sebpf.bpfplugin.codegen;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.FieldSpec;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.TypeSpec;
import dev.k8sebpf.bpfplugin.model.Field;
import dev.k8sebpf.bpfplugin.model.Names;
import dev.k8sebpf.bpfplugin.model.Shape;
import dev.k8sebpf.bpfplugin.model.StructDef;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.stream.Collectors;
import javax.lang.model.element.Modifier;

/** One record per C struct/union: components in C order, SIZE, field offsets, decode, encode, String accessors. */
final class RecordWriter {
    private static final CodeBlock BASE = CodeBlock.of("offset");
    private final String pkg;
    private final ShapeCode code;

    RecordWriter(String pkg) {
        this.pkg = pkg;
        this.code = new ShapeCode(pkg);
    }

    TypeSpec write(StructDef s) {
        ClassName self = ClassName.get(pkg, s.javaName());
        MethodSpec.Builder ctor = MethodSpec.constructorBuilder();
        CodeBlock.Builder doc = CodeBlock.builder()
                .add("C {@code $L $L}, $L bytes, little-endian.\n", s.union() ? "union" : "struct", s.cName(), s.size());
        if (s.union()) {
            doc.add("Every member is decoded; {@code encode} writes them in order, so the last one wins.\n");
        }
        doc.add("\n");
        for (Field f : s.fields()) {
            ctor.addParameter(code.javaType(f.shape()), f.javaName());
            doc.add("@param $L {@code $L} at byte $L$L\n", f.javaName(), f.cName(), f.byteOffset(),
                    f.bitfield() ? ", bits " + (f.bitOffset() % 8) + ".." + (f.bitOffset() % 8 + f.bitSize() - 1) : "");
        }
        TypeSpec.Builder t = TypeSpec.recordBuilder(self)
                .addModifiers(Modifier.PUBLIC)
                .addJavadoc(doc.build())
                .recordConstructor(ctor.build())
                .addField(FieldSpec.builder(long.class, "SIZE", Modifier.PUBLIC, Modifier.STATIC, Modifier.FINAL)
                        .addJavadoc("{@code sizeof($L $L)}.\n", s.union() ? "union" : "struct", s.cName())
                        .initializer("$LL", s.size()).build())
                .addFields(offsets(s))
                .addMethod(decode(s, self))
                .addMethod(encode(s));
        for (Field f : s.fields()) {
            if (f.shape() instanceof Shape.Array a && a.cChar() && ShapeCode.isByteArray(a) && !f.bitfield()) {
                t.addMethod(MethodSpec.methodBuilder(f.javaName() + "String").addModifiers(Modifier.PUBLIC)
                        .returns(String.class)
                        .addJavadoc("{@code $L} up to its first NUL, as UTF-8.\n", f.cName())
                        .addStatement("return $T.cString($L)", LayoutsWriter.className(pkg), f.javaName()).build());
            }
        }
        return t.build();
    }

    /** OFFSET_<FIELD> per byte-aligned member: lets a hot path read single fields in place instead of decoding all. */
    private static List<FieldSpec> offsets(StructDef s) {
        return s.fields().stream().filter(f -> !f.bitfield())
                .map(f -> FieldSpec.builder(long.class, "OFFSET_" + Names.upperSnake(f.cName()),
                                Modifier.PUBLIC, Modifier.STATIC, Modifier.FINAL)
                        .addJavadoc("Byte offset of {@code $L}.\n", f.cName())
                        .initializer("$LL", f.byteOffset()).build())
                .toList();
    }

    private MethodSpec decode(StructDef s, ClassName self) {
        MethodSpec.Builder m = MethodSpec.methodBuilder("decode")
                .addModifiers(Modifier.PUBLIC, Modifier.STATIC).returns(self)
                .addJavadoc("Reads a {@code $L} at {@code offset} (offsets as BTF gives them).\n", s.cName())
                .addParameter(MemorySegment.class, "seg").addParameter(long.class, "offset");
        for (Field f : s.fields()) {
            m.addCode(code.decodeField(f, BASE, local(f)));
        }
        String args = s.fields().stream().map(RecordWriter::local).collect(Collectors.joining(", "));
        return m.addStatement("return new $T($L)", self, args).build();
    }

    private MethodSpec encode(StructDef s) {
        MethodSpec.Builder m = MethodSpec.methodBuilder("encode").addModifiers(Modifier.PUBLIC)
                .addJavadoc("Writes this {@code $L} at {@code offset}; padding bytes are zeroed.\n", s.cName())
                .addParameter(MemorySegment.class, "seg").addParameter(long.class, "offset")
                .addStatement("seg.asSlice(offset, SIZE).fill((byte) 0)");
        for (Field f : s.fields()) {
            m.addCode(code.encodeField(f, BASE, f.javaName()));
        }
        return m.build();
    }

    /** Locals avoid the parameter and loop names. */
    private static String local(Field f) {
        String n = f.javaName();
        return n.equals("seg") || n.equals("offset") || n.matches("i\\d+") ? n + "_" : n;
    }
}
