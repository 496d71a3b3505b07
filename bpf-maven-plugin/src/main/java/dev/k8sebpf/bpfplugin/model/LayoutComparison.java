package dev.k8sebpf.bpfplugin.model;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/** Names the first difference between the models of one object compiled for two arches. */
public final class LayoutComparison {
    private LayoutComparison() {}

    public static Optional<String> firstDifference(ObjectModel a, String archA, ObjectModel b, String archB) {
        String arches = " differs between " + archA + " and " + archB;
        for (StructDef sa : a.structs()) {
            StructDef sb = b.structs().stream().filter(s -> s.javaName().equals(sa.javaName())).findFirst().orElse(null);
            if (sb == null) {
                return Optional.of("type " + sa.cName() + " exists only in the " + archA + " object");
            }
            Optional<String> field = fieldDifference(sa, sb.fields(), archB, arches);
            if (field.isPresent()) {
                return field;
            }
            if (sa.size() != sb.size()) {
                return Optional.of("type " + sa.cName() + ": size" + arches + " (" + sa.size() + " vs " + sb.size() + ")");
            }
            if (!sa.equals(sb)) {
                return Optional.of("layout of type " + sa.cName() + arches);
            }
        }
        if (!a.structs().equals(b.structs())) {
            return Optional.of("the set of generated types" + arches);
        }
        if (!a.enums().equals(b.enums())) {
            return Optional.of("the enums" + arches);
        }
        if (!a.maps().equals(b.maps())) {
            return Optional.of("the map definitions" + arches);
        }
        if (!a.programs().equals(b.programs())) {
            return Optional.of("the programs" + arches);
        }
        if (!a.rodataVars().equals(b.rodataVars()) || !Arrays.equals(a.rodataImage(), b.rodataImage())) {
            return Optional.of("the .rodata variables" + arches);
        }
        return Optional.empty();
    }

    private static Optional<String> fieldDifference(StructDef sa, List<Field> other, String archB, String arches) {
        for (int i = 0; i < sa.fields().size(); i++) {
            Field fa = sa.fields().get(i);
            String where = "type " + sa.cName() + " field " + fa.cName() + ": ";
            if (i >= other.size()) {
                return Optional.of(where + "missing in " + archB);
            }
            Field fb = other.get(i);
            if (!fb.cName().equals(fa.cName())) {
                return Optional.of(where + "member list" + arches + " (" + archB + " has " + fb.cName() + " here)");
            }
            if (fa.bitOffset() != fb.bitOffset() || fa.bitSize() != fb.bitSize()) {
                return Optional.of(where + "offset" + arches + " (bit " + fa.bitOffset() + " vs " + fb.bitOffset() + ")");
            }
            if (!fa.shape().equals(fb.shape())) {
                return Optional.of(where + "type" + arches + " (" + fa.shape() + " vs " + fb.shape() + ")");
            }
        }
        return other.size() > sa.fields().size()
                ? Optional.of("type " + sa.cName() + " field " + other.get(sa.fields().size()).cName() + ": only in " + archB)
                : Optional.empty();
    }
}
