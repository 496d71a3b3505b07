package dev.k8sebpf.agent.loader;

import java.lang.foreign.Arena;
import java.lang.foreign.SymbolLookup;

/** Whether libbpf can be loaded at all, asked before anything touches the downcall handles. */
public final class LibbpfProbe {
    private LibbpfProbe() {
    }

    public static String libraryName() {
        return Libbpf.LIBRARY_NAME;
    }

    public static boolean installed() {
        try (Arena arena = Arena.ofConfined()) {
            SymbolLookup.libraryLookup(Libbpf.LIBRARY_NAME, arena);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
