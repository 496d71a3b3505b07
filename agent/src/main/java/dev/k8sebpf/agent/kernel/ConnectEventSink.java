package dev.k8sebpf.agent.kernel;

import dev.k8sebpf.agent.bpf.ConnectEvent;

/** Receives each connect attempt drained from the kernel, on the thread that calls {@link L4Kernel#poll}. */
@FunctionalInterface
public interface ConnectEventSink {
    void accept(ConnectEvent event);
}
