package dev.k8sebpf.bpfplugin.model;

import java.util.List;

/** A C struct or union to generate as a Java record. */
public record StructDef(String cName, String javaName, long size, boolean union, List<Field> fields) {}
