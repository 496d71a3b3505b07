package dev.k8sebpf.agent.hooks;

import dev.k8sebpf.agent.loader.BpfMap;
import dev.k8sebpf.agent.loader.Libc;
import dev.k8sebpf.agent.loader.LibbpfProbe;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings up a layer's hooks on the first of its tiers that works here, or on the forced one. A tier that
 * fails is reported in one line (the missing kernel feature when it is known, {@link TierUnavailable})
 * and the next one tried; failures no tier can get past (privileges, a seccomp filter) end the search
 * with the line that names the fix.
 */
public final class TierChoice {
    private static final Logger LOG = LoggerFactory.getLogger(TierChoice.class);
    private static final Path KERNEL_BTF = Path.of("/sys/kernel/btf/vmlinux");

    private TierChoice() {
    }

    /**
     * @param candidates the layer's tiers in the order to try them; with {@code only}: exactly one
     * @param only       why only that one may be used (e.g. the user named it): its failure is an error, not a
     *                   reason to go on; empty: the first that works
     */
    public static <T extends Tier, E> AttachedTier<T, E> attach(Layer<T, E> layer, List<T> candidates, Optional<OneTier> only)
            throws KernelException {
        boolean forced = only.isPresent();
        checkEnvironment(LibbpfProbe.installed(), KERNEL_BTF);
        List<String> fallbacks = new ArrayList<>();
        for (T tier : candidates) {
            String reason = !fallbacks.isEmpty() ? String.join("; ", fallbacks)
                    : tier.label() + ": " + only.map(OneTier::reason).orElse("preferred");
            try {
                AttachedTier<T, E> attached = AttachedTier.attach(layer, tier, ObjectFiles.forThisArch(tier::objectBytes), reason);
                LOG.info("{} hooks attached: tier {}{} ({}): {}", layer.hooksName(), tier.label(),
                        attached.cgroup().map(path -> " at " + path).orElse(""), reason, tier.hooks());
                return attached;
            } catch (TierUnavailable e) {
                // a known cause is the whole story (one line below); else the verifier's words matter
                e.libbpfLog().forEach(forced || !e.knownCause() ? LOG::warn : LOG::debug);
                if (e.permissionDenied() && !Capabilities.current().canLoadBpf()) {
                    throw new KernelException("missing privileges to load BPF programs: needs CAP_BPF and CAP_PERFMON"
                            + " (or root)", e);
                }
                if (e.loadNotImplemented() && Libc.errnoName(BpfMap.probeCreate()).equals("ENOSYS")) {
                    // bpf() itself is missing, so no tier can load: one line instead of "load ENOSYS" four times.
                    throw new KernelException(bpfNotImplemented(System.getProperty("os.arch")), e);
                }
                if (e.permissionDenied()) {
                    // No tier can load while seccomp refuses bpf() itself: say so instead of "load EPERM" four times.
                    Optional<String> seccomp = Seccomp.refusesBpf();
                    if (seccomp.isPresent()) {
                        throw new KernelException(seccomp.get(), e);
                    }
                }
                if (forced) {
                    throw new KernelException(layer.tierName() + " " + tier.label() + " " + only.get().failure() + " does not work here: "
                            + e.reason() + Seccomp.perfEventHint(e.reason()).map(hint -> "; " + hint).orElse(""), e);
                }
                if (e.misconfigured()) {
                    LOG.warn("{} {} does not work here: {}", layer.tierName(), tier.label(), e.reason());
                } else {
                    LOG.info("{} {} does not work here: {}", layer.tierName(), tier.label(), e.reason());
                }
                fallbacks.add(tier.label() + ": " + e.reason());
            }
        }
        String reasons = String.join("; ", fallbacks);
        throw new KernelException("no " + layer.tierName() + " works here: " + reasons
                + Seccomp.perfEventHint(reasons).map(hint -> "; " + hint).orElse(""));
    }

    /** The line for a bpf() that returns ENOSYS: a kernel without it, or an emulator that does not pass it through. */
    static String bpfNotImplemented(String arch) {
        return "the bpf() system call is not implemented here (ENOSYS): libbpf opened the " + arch + " object, but"
                + " loading it needs bpf(); the kernel was built without CONFIG_BPF_SYSCALL, or the agent runs under an"
                + " emulator that does not pass bpf() through (QEMU user mode, as for an arm64 image run through"
                + " binfmt_misc on an x86-64 host): run it on an " + arch + " kernel";
    }

    static void checkEnvironment(boolean libbpfInstalled, Path kernelBtf) throws KernelException {
        if (!libbpfInstalled) {
            throw new KernelException(LibbpfProbe.libraryName() + " not found: apt-get install libbpf1"
                    + (LibbpfProbe.installed() ? "" : " (" + LibbpfProbe.origin() + ")"));
        }
        if (!Files.exists(kernelBtf)) {
            throw new KernelException("kernel BTF not found at " + kernelBtf
                    + ": needs a kernel built with CONFIG_DEBUG_INFO_BTF=y");
        }
    }
}
