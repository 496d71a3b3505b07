package dev.k8sebpf.agent.hooks;

import java.util.function.Function;

/** Picks the committed BPF object build (x86 or arm64) for this JVM; what is missing becomes a user-facing error. */
public final class ObjectFiles {
    private ObjectFiles() {
    }

    /** @param objectBytes a skeleton's {@code objectBytes(arch)}, e.g. {@code ConnectSkeleton::objectBytes} */
    public static byte[] forThisArch(Function<String, byte[]> objectBytes) throws KernelException {
        String osArch = System.getProperty("os.arch");
        String arch = switch (osArch) {
            case "amd64", "x86_64" -> "x86";
            case "aarch64" -> "arm64";
            default -> throw new KernelException("unsupported architecture " + osArch + ": BPF objects exist for amd64 and aarch64");
        };
        try {
            return objectBytes.apply(arch);
        } catch (IllegalStateException e) {
            throw new KernelException("BPF object missing from the agent: " + e.getMessage(), e);
        }
    }
}
