package dev.k8sebpf.agent.hooks;

/** The connect hooks cannot run here. {@link #userMessage()} is one line saying why and what to do. */
public class KernelException extends Exception {
    public KernelException(String userMessage) {
        super(userMessage);
    }

    public KernelException(String userMessage, Throwable cause) {
        super(userMessage, cause);
    }

    public String userMessage() {
        return getMessage();
    }
}
