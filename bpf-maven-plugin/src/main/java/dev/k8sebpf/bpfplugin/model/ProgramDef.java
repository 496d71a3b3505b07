package dev.k8sebpf.bpfplugin.model;

/** A BPF program: its function name and the ELF section that tells libbpf its hook. */
public record ProgramDef(String name, String section) {}
