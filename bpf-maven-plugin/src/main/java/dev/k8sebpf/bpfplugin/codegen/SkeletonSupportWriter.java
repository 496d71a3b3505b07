package dev.k8sebpf.bpfplugin.codegen;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.FieldSpec;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.ParameterSpec;
import com.palantir.javapoet.TypeSpec;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.util.Base64;
import java.util.List;
import javax.lang.model.element.Modifier;

/**
 * The public support class of the generated skeletons: everything that does not depend on the object
 * (classpath lookup, the enums' accessors, the {@code .rodata} image), so a skeleton holds only its object's facts.
 */
final class SkeletonSupportWriter {
    static final String NAME = "BpfSkeletons";
    /** Components of a program spec, which are also the accessors of a skeleton's {@code Program} enum. */
    static final List<Class<?>> PROGRAM_TYPES = List.of(String.class, String.class);
    static final List<String> PROGRAM_NAMES = List.of("programName", "section");
    /** Components of a map spec, which are also the accessors of a skeleton's {@code BpfMap} enum. */
    static final List<Class<?>> MAP_TYPES = List.of(String.class, int.class, long.class, long.class, long.class);
    static final List<String> MAP_NAMES = List.of("mapName", "type", "keySize", "valueSize", "maxEntries");

    private SkeletonSupportWriter() {}

    static TypeSpec write(String pkg) {
        ClassName self = className(pkg);
        ClassName programSpec = self.nestedClass("ProgramSpec");
        ClassName mapSpec = self.nestedClass("MapSpec");
        return TypeSpec.classBuilder(self).addModifiers(Modifier.PUBLIC, Modifier.FINAL)
                .addJavadoc("What every generated skeleton shares; a skeleton adds only its object's programs, maps and"
                        + " {@code .rodata} variables.\n")
                .addMethod(MethodSpec.constructorBuilder().addModifiers(Modifier.PRIVATE).build())
                .addMethod(objectBytes())
                .addType(spec(programSpec, "A program: its function name and the section naming the hook libbpf attaches to.\n",
                        PROGRAM_TYPES, PROGRAM_NAMES))
                .addType(spec(mapSpec, "A map of the {@code .maps} section; sizes are 0 where the map declares none.\n",
                        MAP_TYPES, MAP_NAMES))
                .addType(constant(self.nestedClass("ProgramConstant"), programSpec, PROGRAM_TYPES, PROGRAM_NAMES))
                .addType(constant(self.nestedClass("MapConstant"), mapSpec, MAP_TYPES, MAP_NAMES))
                .addType(rodataImage())
                .build();
    }

    static ClassName className(String pkg) {
        return ClassName.get(pkg, NAME);
    }

    private static MethodSpec objectBytes() {
        return MethodSpec.methodBuilder("objectBytes").addModifiers(Modifier.STATIC)
                .returns(byte[].class)
                .addJavadoc("The bytes of {@code objectFile} compiled for {@code arch}, from the classpath at {@code /bpf/<arch>/}.\n")
                .addParameter(String.class, "arch")
                .addParameter(String.class, "objectFile")
                .addStatement("String resource = \"/bpf/\" + arch + \"/\" + objectFile")
                .beginControlFlow("try ($T in = $L.class.getResourceAsStream(resource))", InputStream.class, NAME)
                .beginControlFlow("if (in == null)")
                .addStatement("throw new $T($S + resource)", IllegalStateException.class, "BPF object not on the classpath: ")
                .endControlFlow()
                .addStatement("return in.readAllBytes()")
                .nextControlFlow("catch ($T e)", IOException.class)
                .addStatement("throw new $T($S + resource, e)", UncheckedIOException.class, "cannot read ")
                .endControlFlow().build();
    }

    private static TypeSpec spec(ClassName name, String javadoc, List<Class<?>> types, List<String> names) {
        MethodSpec.Builder ctor = MethodSpec.constructorBuilder();
        for (int i = 0; i < names.size(); i++) {
            ctor.addParameter(ParameterSpec.builder(types.get(i), names.get(i)).build());
        }
        return TypeSpec.recordBuilder(name).addModifiers(Modifier.PUBLIC).addJavadoc(javadoc)
                .recordConstructor(ctor.build()).build();
    }

    /** The interface a skeleton's enum implements: it holds its spec, the interface answers the accessors. */
    private static TypeSpec constant(ClassName name, ClassName spec, List<Class<?>> types, List<String> names) {
        TypeSpec.Builder t = TypeSpec.interfaceBuilder(name).addModifiers(Modifier.PUBLIC)
                .addJavadoc("Accessors of a skeleton's enum constant, answered from its {@link $T}.\n", spec)
                .addMethod(MethodSpec.methodBuilder("spec").addModifiers(Modifier.PUBLIC, Modifier.ABSTRACT)
                        .returns(spec).build());
        for (int i = 0; i < names.size(); i++) {
            t.addMethod(MethodSpec.methodBuilder(names.get(i)).addModifiers(Modifier.PUBLIC, Modifier.DEFAULT)
                    .returns(types.get(i)).addStatement("return spec().$L()", names.get(i)).build());
        }
        return t.build();
    }

    private static TypeSpec rodataImage() {
        return TypeSpec.classBuilder("RodataImage").addModifiers(Modifier.PUBLIC, Modifier.ABSTRACT, Modifier.STATIC)
                .addJavadoc("A {@code .rodata} image: a skeleton's {@code Rodata} sets {@code const volatile} globals in"
                        + " {@code seg}, then {@link #toBytes()} goes to bpf_map__set_initial_value before load.\n")
                .addField(FieldSpec.builder(String.class, "MAP_NAME", Modifier.PUBLIC, Modifier.STATIC, Modifier.FINAL)
                        .initializer("$S", ".rodata").build())
                .addField(byte[].class, "image", Modifier.PRIVATE, Modifier.FINAL)
                .addField(MemorySegment.class, "seg", Modifier.PROTECTED, Modifier.FINAL)
                .addMethod(MethodSpec.constructorBuilder().addModifiers(Modifier.PROTECTED)
                        .addJavadoc("Starts from {@code initial}, the object's {@code .rodata} section in base64.\n")
                        .addParameter(String.class, "initial")
                        .addStatement("this.image = $T.getDecoder().decode(initial)", Base64.class)
                        .addStatement("this.seg = $T.ofArray(image)", MemorySegment.class).build())
                .addMethod(MethodSpec.methodBuilder("toBytes").addModifiers(Modifier.PUBLIC).returns(byte[].class)
                        .addStatement("return image.clone()").build())
                .build();
    }
}
