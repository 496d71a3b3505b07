package dev.k8sebpf.bpfplugin.model;

import java.util.List;

/** A C enum to generate as a Java enum; constants keep their C names and values. */
public record EnumDef(String cName, String javaName, int size, boolean signed, List<Constant> constants) {
    public record Constant(String name, long value) {}
}
