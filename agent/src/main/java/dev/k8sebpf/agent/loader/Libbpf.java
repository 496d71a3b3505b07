package dev.k8sebpf.agent.loader;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BOOLEAN;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;

/**
 * Downcall handles into libbpf. Only functions that libbpf 1.1.2 (Debian's libbpf1) exports are used.
 * Functions returning pointers report failure as NULL plus errno, so those capture errno; functions
 * returning int report a negative errno directly.
 */
final class Libbpf {
    static final String LIBRARY_NAME = LibbpfLibrary.NAME;

    private static final SymbolLookup LIB = LibbpfLibrary.find().lookup()
            .orElseThrow(() -> new IllegalStateException(LIBRARY_NAME + " not loadable: " + LibbpfLibrary.find().origin()));

    static final MethodHandle SET_PRINT = NativeCall.downcall(LIB, "libbpf_set_print",
            FunctionDescriptor.of(ADDRESS, ADDRESS));
    static final MethodHandle NUM_POSSIBLE_CPUS = NativeCall.downcall(LIB, "libbpf_num_possible_cpus",
            FunctionDescriptor.of(JAVA_INT));

    static final MethodHandle OBJECT_OPEN_MEM = NativeCall.downcallWithErrno(LIB, "bpf_object__open_mem",
            FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_LONG, ADDRESS));
    static final MethodHandle OBJECT_LOAD = NativeCall.downcall(LIB, "bpf_object__load",
            FunctionDescriptor.of(JAVA_INT, ADDRESS));
    static final MethodHandle OBJECT_CLOSE = NativeCall.downcall(LIB, "bpf_object__close",
            FunctionDescriptor.ofVoid(ADDRESS));
    static final MethodHandle OBJECT_NEXT_PROGRAM = NativeCall.downcall(LIB, "bpf_object__next_program",
            FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS));
    static final MethodHandle OBJECT_FIND_MAP_BY_NAME = NativeCall.downcall(LIB, "bpf_object__find_map_by_name",
            FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS));

    static final MethodHandle PROGRAM_NAME = NativeCall.downcall(LIB, "bpf_program__name",
            FunctionDescriptor.of(ADDRESS, ADDRESS));
    static final MethodHandle PROGRAM_SECTION_NAME = NativeCall.downcall(LIB, "bpf_program__section_name",
            FunctionDescriptor.of(ADDRESS, ADDRESS));
    static final MethodHandle PROGRAM_SET_AUTOLOAD = NativeCall.downcall(LIB, "bpf_program__set_autoload",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_BOOLEAN));
    static final MethodHandle PROGRAM_FD = NativeCall.downcall(LIB, "bpf_program__fd",
            FunctionDescriptor.of(JAVA_INT, ADDRESS));
    static final MethodHandle PROGRAM_ATTACH = NativeCall.downcallWithErrno(LIB, "bpf_program__attach",
            FunctionDescriptor.of(ADDRESS, ADDRESS));
    static final MethodHandle PROGRAM_ATTACH_CGROUP = NativeCall.downcallWithErrno(LIB, "bpf_program__attach_cgroup",
            FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_INT));

    static final MethodHandle LINK_DESTROY = NativeCall.downcall(LIB, "bpf_link__destroy",
            FunctionDescriptor.of(JAVA_INT, ADDRESS));

    static final MethodHandle MAP_NAME = NativeCall.downcall(LIB, "bpf_map__name",
            FunctionDescriptor.of(ADDRESS, ADDRESS));
    static final MethodHandle MAP_FD = NativeCall.downcall(LIB, "bpf_map__fd",
            FunctionDescriptor.of(JAVA_INT, ADDRESS));
    static final MethodHandle MAP_MAX_ENTRIES = NativeCall.downcall(LIB, "bpf_map__max_entries",
            FunctionDescriptor.of(JAVA_INT, ADDRESS));
    static final MethodHandle MAP_VALUE_SIZE = NativeCall.downcall(LIB, "bpf_map__value_size",
            FunctionDescriptor.of(JAVA_INT, ADDRESS));
    static final MethodHandle MAP_SET_INITIAL_VALUE = NativeCall.downcall(LIB, "bpf_map__set_initial_value",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG));
    static final MethodHandle MAP_UPDATE_ELEM = NativeCall.downcall(LIB, "bpf_map__update_elem",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG, ADDRESS, JAVA_LONG, JAVA_LONG));
    static final MethodHandle MAP_LOOKUP_ELEM = NativeCall.downcall(LIB, "bpf_map__lookup_elem",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG, ADDRESS, JAVA_LONG, JAVA_LONG));

    static final MethodHandle MAP_CREATE = NativeCall.downcall(LIB, "bpf_map_create",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS));

    private Libbpf() {
    }

    static {
        LibbpfLog.install();
    }
}
