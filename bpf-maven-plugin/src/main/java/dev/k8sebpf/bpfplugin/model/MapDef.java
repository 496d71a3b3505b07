package dev.k8sebpf.bpfplugin.model;

/** A map declared in the {@code .maps} section (BTF-defined map). Sizes are 0 when not declared. */
public record MapDef(String name, int type, long keySize, long valueSize, long maxEntries) {}
