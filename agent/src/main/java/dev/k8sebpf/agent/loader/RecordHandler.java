package dev.k8sebpf.agent.loader;

import java.lang.foreign.MemorySegment;

/** Receives one ring buffer record: {@code length} bytes at {@code offset} of {@code data}, valid only during the call. */
@FunctionalInterface
public interface RecordHandler {
    void handle(MemorySegment data, long offset, int length);
}
