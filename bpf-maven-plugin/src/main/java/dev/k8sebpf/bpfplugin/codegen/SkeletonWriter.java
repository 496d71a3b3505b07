package dev.k8sebpf.bpfplugin.codegen;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.FieldSpec;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.TypeSpec;
import dev.k8sebpf.bpfplugin.model.MapDef;
import dev.k8sebpf.bpfplugin.model.Names;
import dev.k8sebpf.bpfplugin.model.ObjectModel;
import dev.k8sebpf.bpfplugin.model.ProgramDef;
import dev.k8sebpf.bpfplugin.model.RodataVar;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.util.Base64;
import java.util.List;
import javax.lang.model.element.Modifier;

/** One skeleton per object: program and map names, hooks, .rodata setters, the object's bytes. */
final class SkeletonWriter {
    private final String pkg;
    private final ShapeCode code;

    SkeletonWriter(String pkg) {
        this.pkg = pkg;
        this.code = new ShapeCode(pkg);
    }

    static String className(ObjectModel m) {
        return Names.upperCamel(m.baseName()) + "Skeleton";
    }

    TypeSpec write(ObjectModel m, List<String> arches) {
        ClassName self = ClassName.get(pkg, className(m));
        TypeSpec.Builder t = TypeSpec.classBuilder(self).addModifiers(Modifier.PUBLIC, Modifier.FINAL)
                .addJavadoc("Skeleton of {@code $L}: its programs, maps and {@code .rodata} variables.\n", m.objectFile())
                .addField(FieldSpec.builder(String.class, "OBJECT_FILE", Modifier.PUBLIC, Modifier.STATIC, Modifier.FINAL)
                        .initializer("$S", m.objectFile()).build())
                .addMethod(MethodSpec.constructorBuilder().addModifiers(Modifier.PRIVATE).build())
                .addMethod(objectBytes(self, arches));
        if (!m.programs().isEmpty()) {
            t.addType(programs(m.programs()));
        }
        if (!m.maps().isEmpty()) {
            t.addType(maps(m.maps()));
        }
        if (!m.rodataVars().isEmpty()) {
            t.addType(rodata(self.nestedClass("Rodata"), m));
        }
        return t.build();
    }

    private MethodSpec objectBytes(ClassName self, List<String> arches) {
        return MethodSpec.methodBuilder("objectBytes").addModifiers(Modifier.PUBLIC, Modifier.STATIC)
                .returns(byte[].class)
                .addJavadoc("The object compiled for {@code arch} ($L), from the classpath at {@code /bpf/<arch>/}.\n",
                        String.join(", ", arches))
                .addParameter(String.class, "arch")
                .addStatement("String resource = \"/bpf/\" + arch + \"/\" + OBJECT_FILE")
                .beginControlFlow("try ($T in = $T.class.getResourceAsStream(resource))", InputStream.class, self)
                .beginControlFlow("if (in == null)")
                .addStatement("throw new $T($S + resource)", IllegalStateException.class, "BPF object not on the classpath: ")
                .endControlFlow()
                .addStatement("return in.readAllBytes()")
                .nextControlFlow("catch ($T e)", IOException.class)
                .addStatement("throw new $T($S + resource, e)", UncheckedIOException.class, "cannot read ")
                .endControlFlow().build();
    }

    private static TypeSpec programs(List<ProgramDef> programs) {
        TypeSpec.Builder t = TypeSpec.enumBuilder("Program").addModifiers(Modifier.PUBLIC)
                .addJavadoc("Programs by function name; the section names the hook libbpf attaches to.\n");
        for (ProgramDef p : programs) {
            t.addEnumConstant(Names.upperSnake(p.name()), TypeSpec.anonymousClassBuilder("$S, $S", p.name(), p.section()).build());
        }
        return accessors(t, List.of(String.class, String.class), List.of("programName", "section")).build();
    }

    private static TypeSpec maps(List<MapDef> maps) {
        TypeSpec.Builder t = TypeSpec.enumBuilder("BpfMap").addModifiers(Modifier.PUBLIC)
                .addJavadoc("Maps of the {@code .maps} section; sizes are 0 where the map declares none.\n");
        for (MapDef m : maps) {
            t.addEnumConstant(Names.upperSnake(m.name()), TypeSpec.anonymousClassBuilder("$S, $L, $LL, $LL, $LL",
                    m.name(), m.type(), m.keySize(), m.valueSize(), m.maxEntries()).build());
        }
        return accessors(t, List.of(String.class, int.class, long.class, long.class, long.class),
                List.of("mapName", "type", "keySize", "valueSize", "maxEntries")).build();
    }

    /** Final fields, a constructor and one accessor per field. */
    private static TypeSpec.Builder accessors(TypeSpec.Builder t, List<Class<?>> types, List<String> names) {
        MethodSpec.Builder ctor = MethodSpec.constructorBuilder();
        for (int i = 0; i < names.size(); i++) {
            String n = names.get(i);
            t.addField(types.get(i), n, Modifier.PRIVATE, Modifier.FINAL);
            ctor.addParameter(types.get(i), n).addStatement("this.$L = $L", n, n);
            t.addMethod(MethodSpec.methodBuilder(n).addModifiers(Modifier.PUBLIC).returns(types.get(i))
                    .addStatement("return $L", n).build());
        }
        return t.addMethod(ctor.build());
    }

    private TypeSpec rodata(ClassName self, ObjectModel m) {
        TypeSpec.Builder t = TypeSpec.classBuilder(self).addModifiers(Modifier.PUBLIC, Modifier.STATIC, Modifier.FINAL)
                .addJavadoc("The {@code .rodata} image: set {@code const volatile} globals, then give {@link #toBytes()}"
                        + " to bpf_map__set_initial_value before load.\n")
                .addField(FieldSpec.builder(String.class, "MAP_NAME", Modifier.PUBLIC, Modifier.STATIC, Modifier.FINAL)
                        .initializer("$S", ".rodata").build())
                .addField(FieldSpec.builder(String.class, "INITIAL", Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
                        .addJavadoc("The object's .rodata section, base64.\n")
                        .initializer("$S", Base64.getEncoder().encodeToString(m.rodataImage())).build())
                .addField(FieldSpec.builder(byte[].class, "image", Modifier.PRIVATE, Modifier.FINAL)
                        .initializer("$T.getDecoder().decode(INITIAL)", Base64.class).build())
                .addField(FieldSpec.builder(MemorySegment.class, "seg", Modifier.PRIVATE, Modifier.FINAL)
                        .initializer("$T.ofArray(image)", MemorySegment.class).build())
                .addMethod(MethodSpec.constructorBuilder().addModifiers(Modifier.PUBLIC)
                        .addJavadoc("Starts from the object's initial values.\n").build());
        for (RodataVar v : m.rodataVars()) {
            CodeBlock.Builder body = CodeBlock.builder();
            code.encodeFrom(body, "value", v.shape(), CodeBlock.of("$LL", v.offset()), 0, v.cName());
            t.addMethod(MethodSpec.methodBuilder(v.javaName()).addModifiers(Modifier.PUBLIC).returns(self)
                    .addJavadoc("Sets {@code $L} (offset $L, $L bytes).\n", v.cName(), v.offset(), v.size())
                    .addParameter(code.javaType(v.shape()), "value")
                    .addCode(body.build())
                    .addStatement("return this").build());
        }
        return t.addMethod(MethodSpec.methodBuilder("toBytes").addModifiers(Modifier.PUBLIC).returns(byte[].class)
                .addStatement("return image.clone()").build()).build();
    }
}
