package dev.k8sebpf.bpfplugin.codegen;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.TypeSpec;
import dev.k8sebpf.bpfplugin.model.EnumDef;
import javax.lang.model.element.Modifier;

/** One Java enum per C enum, with an UNKNOWN constant for values this code does not know. */
final class EnumWriter {
    private final String pkg;

    EnumWriter(String pkg) {
        this.pkg = pkg;
    }

    TypeSpec write(EnumDef e) {
        ClassName self = ClassName.get(pkg, e.javaName());
        String unknown = e.constants().stream().anyMatch(c -> c.name().equals("UNKNOWN")) ? "UNKNOWN_VALUE" : "UNKNOWN";
        TypeSpec.Builder t = TypeSpec.enumBuilder(self).addModifiers(Modifier.PUBLIC)
                .addJavadoc("C {@code enum $L} ($L bytes, $L).\n", e.cName(), e.size(), e.signed() ? "signed" : "unsigned");
        for (EnumDef.Constant c : e.constants()) {
            t.addEnumConstant(c.name(), TypeSpec.anonymousClassBuilder("$LL", c.value()).build());
        }
        t.addEnumConstant(unknown, TypeSpec.anonymousClassBuilder("0L")
                .addJavadoc("A value this enum does not declare (the object is newer than this code).\n").build());
        return t.addField(long.class, "value", Modifier.PRIVATE, Modifier.FINAL)
                .addMethod(MethodSpec.constructorBuilder().addParameter(long.class, "value")
                        .addStatement("this.value = value").build())
                .addMethod(MethodSpec.methodBuilder("value").addModifiers(Modifier.PUBLIC).returns(long.class)
                        .addJavadoc("The C value (raw bits for unsigned 64-bit values).\n")
                        .beginControlFlow("if (this == $L)", unknown)
                        .addStatement("throw new $T($S)", IllegalStateException.class, unknown + " has no C value")
                        .endControlFlow()
                        .addStatement("return value").build())
                .addMethod(MethodSpec.methodBuilder("of").addModifiers(Modifier.PUBLIC, Modifier.STATIC).returns(self)
                        .addParameter(long.class, "value")
                        .beginControlFlow("for ($T c : values())", self)
                        .beginControlFlow("if (c != $L && c.value == value)", unknown)
                        .addStatement("return c")
                        .endControlFlow()
                        .endControlFlow()
                        .addStatement("return $L", unknown).build())
                .build();
    }
}
