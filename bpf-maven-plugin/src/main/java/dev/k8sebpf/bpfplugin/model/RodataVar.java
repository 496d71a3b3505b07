package dev.k8sebpf.bpfplugin.model;

/** A {@code const volatile} global in {@code .rodata}; the offset comes from its ELF symbol. */
public record RodataVar(String cName, String javaName, long offset, long size, Shape shape) {}
