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
import java.util.Base64;
import java.util.List;
import javax.lang.model.element.Modifier;

/** One skeleton per object: program and map names, hooks, .rodata setters, the object's bytes. */
final class SkeletonWriter {
    private final String pkg;
    private final ShapeCode code;
    private final ClassName support;

    SkeletonWriter(String pkg) {
        this.pkg = pkg;
        this.code = new ShapeCode(pkg);
        this.support = SkeletonSupportWriter.className(pkg);
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
                .addMethod(objectBytes(arches));
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

    private MethodSpec objectBytes(List<String> arches) {
        return MethodSpec.methodBuilder("objectBytes").addModifiers(Modifier.PUBLIC, Modifier.STATIC)
                .returns(byte[].class)
                .addJavadoc("The object compiled for {@code arch} ($L), from the classpath at {@code /bpf/<arch>/}.\n",
                        String.join(", ", arches))
                .addParameter(String.class, "arch")
                .addStatement("return $T.objectBytes(arch, OBJECT_FILE)", support).build();
    }

    private TypeSpec programs(List<ProgramDef> programs) {
        TypeSpec.Builder t = TypeSpec.enumBuilder("Program").addModifiers(Modifier.PUBLIC)
                .addJavadoc("Programs by function name; the section names the hook libbpf attaches to.\n");
        for (ProgramDef p : programs) {
            t.addEnumConstant(Names.upperSnake(p.name()), TypeSpec.anonymousClassBuilder("$S, $S", p.name(), p.section()).build());
        }
        return constantOf(t, "ProgramConstant", "ProgramSpec",
                SkeletonSupportWriter.PROGRAM_TYPES, SkeletonSupportWriter.PROGRAM_NAMES);
    }

    private TypeSpec maps(List<MapDef> maps) {
        TypeSpec.Builder t = TypeSpec.enumBuilder("BpfMap").addModifiers(Modifier.PUBLIC)
                .addJavadoc("Maps of the {@code .maps} section; sizes are 0 where the map declares none.\n");
        for (MapDef m : maps) {
            t.addEnumConstant(Names.upperSnake(m.name()), TypeSpec.anonymousClassBuilder("$S, $L, $LL, $LL, $LL",
                    m.name(), m.type(), m.keySize(), m.valueSize(), m.maxEntries()).build());
        }
        return constantOf(t, "MapConstant", "MapSpec", SkeletonSupportWriter.MAP_TYPES, SkeletonSupportWriter.MAP_NAMES);
    }

    /** The enum holds its constants' specs; the support interface answers the accessors from them. */
    private TypeSpec constantOf(TypeSpec.Builder t, String constant, String specName, List<Class<?>> types,
            List<String> names) {
        ClassName spec = support.nestedClass(specName);
        MethodSpec.Builder ctor = MethodSpec.constructorBuilder();
        for (int i = 0; i < names.size(); i++) {
            ctor.addParameter(types.get(i), names.get(i));
        }
        ctor.addStatement("this.spec = new $T($L)", spec, String.join(", ", names));
        return t.addSuperinterface(support.nestedClass(constant))
                .addField(spec, "spec", Modifier.PRIVATE, Modifier.FINAL)
                .addMethod(ctor.build())
                .addMethod(MethodSpec.methodBuilder("spec").addAnnotation(Override.class).addModifiers(Modifier.PUBLIC)
                        .returns(spec).addStatement("return spec").build())
                .build();
    }

    private TypeSpec rodata(ClassName self, ObjectModel m) {
        TypeSpec.Builder t = TypeSpec.classBuilder(self).addModifiers(Modifier.PUBLIC, Modifier.STATIC, Modifier.FINAL)
                .superclass(support.nestedClass("RodataImage"))
                .addJavadoc("The {@code .rodata} image of {@code $L}: one setter per {@code const volatile} global.\n",
                        m.objectFile())
                .addMethod(MethodSpec.constructorBuilder().addModifiers(Modifier.PUBLIC)
                        .addJavadoc("Starts from the object's initial values.\n")
                        .addStatement("super($S)", Base64.getEncoder().encodeToString(m.rodataImage())).build());
        for (RodataVar v : m.rodataVars()) {
            CodeBlock.Builder body = CodeBlock.builder();
            code.encodeFrom(body, "value", v.shape(), CodeBlock.of("$LL", v.offset()), 0, v.cName());
            t.addMethod(MethodSpec.methodBuilder(v.javaName()).addModifiers(Modifier.PUBLIC).returns(self)
                    .addJavadoc("Sets {@code $L} (offset $L, $L bytes).\n", v.cName(), v.offset(), v.size())
                    .addParameter(code.javaType(v.shape()), "value")
                    .addCode(body.build())
                    .addStatement("return this").build());
        }
        return t.build();
    }
}
