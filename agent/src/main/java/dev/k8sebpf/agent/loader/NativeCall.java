package dev.k8sebpf.agent.loader;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout.PathElement;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

/** Shared plumbing for the hand-written downcall handles of {@link Libbpf} and {@link Libc}. */
final class NativeCall {
    static final Linker LINKER = Linker.nativeLinker();
    private static final Linker.Option CAPTURE_ERRNO = Linker.Option.captureCallState("errno");
    private static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CALL_STATE.varHandle(PathElement.groupElement("errno"));

    private NativeCall() {
    }

    static MethodHandle downcall(SymbolLookup lookup, String name, FunctionDescriptor descriptor,
                                 Linker.Option... options) {
        MemorySegment symbol = lookup.find(name)
                .orElseThrow(() -> new UnsatisfiedLinkError("symbol not exported: " + name));
        return LINKER.downcallHandle(symbol, descriptor, options);
    }

    /** A handle whose first argument is a call-state segment that receives errno right after the call. */
    static MethodHandle downcallWithErrno(SymbolLookup lookup, String name, FunctionDescriptor descriptor) {
        return downcall(lookup, name, descriptor, CAPTURE_ERRNO);
    }

    static MemorySegment callState(Arena arena) {
        return arena.allocate(CALL_STATE);
    }

    static int errno(MemorySegment callState) {
        return (int) ERRNO.get(callState, 0L);
    }
}
