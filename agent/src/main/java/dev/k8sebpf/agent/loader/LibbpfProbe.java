package dev.k8sebpf.agent.loader;


/** Whether libbpf can be loaded at all, asked before anything touches the downcall handles. */
public final class LibbpfProbe {
    private LibbpfProbe() {
    }

    public static String libraryName() {
        return Libbpf.LIBRARY_NAME;
    }

    /** Whether libbpf can be loaded: the agent's own copy or the system's ({@link #origin()} says which). */
    public static boolean installed() {
        return LibbpfLibrary.find().lookup().isPresent();
    }

    /** "the agent's own copy", "the system's", or why neither could be loaded. */
    public static String origin() {
        return LibbpfLibrary.find().origin();
    }
}
