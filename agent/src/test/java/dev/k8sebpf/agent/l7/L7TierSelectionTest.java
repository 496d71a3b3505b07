package dev.k8sebpf.agent.l7;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.k8sebpf.agent.bpf.HttpKernelFunctionsSkeleton;
import dev.k8sebpf.agent.kernel.KernelException;
import dev.k8sebpf.agent.kernel.ObjectFiles;
import dev.k8sebpf.agent.loader.BpfObject;
import dev.k8sebpf.agent.loader.BpfProgram;
import dev.k8sebpf.agent.loader.KernelPreconditions;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * HTTP tier selection on this kernel (Linux 6.18 without kprobes and BPF trampolines): the sock
 * tracepoint works, the kprobe tier passes the verifier but cannot attach, the fentry tier cannot load.
 * Should kprobes or fentry ever work here, these tests fail: then run {@link HttpRequestCountSuite} on
 * those tiers instead.
 */
class L7TierSelectionTest {
    @BeforeAll
    static void requireKernel() {
        KernelPreconditions.requireBpf();
    }

    @Test
    void autoModeTakesTheSockTracepointFirst() throws Exception {
        try (L7Kernel kernel = L7Kernel.open(Optional.empty(), 0)) {
            assertThat(kernel.tier()).isEqualTo(L7HookTier.SOCK_TRACEPOINT);
            assertThat(kernel.skipped()).isEmpty();
        }
    }

    @Test
    void fentryAndKprobeFallBackWithTheirReasons() throws Exception {
        List<L7HookTier> candidates = List.of(L7HookTier.FENTRY, L7HookTier.KPROBE, L7HookTier.SOCK_TRACEPOINT);
        try (L7Kernel kernel = L7Kernel.open(candidates, false, 0)) {
            assertThat(kernel.tier()).isEqualTo(L7HookTier.SOCK_TRACEPOINT);
            assertThat(kernel.skipped()).containsExactly("fentry: load EPERM", "kprobe: attach kprobe_sock_recvmsg ENOENT");
        }
    }

    @Test
    void kprobeTierPassesTheVerifier() throws Exception {
        assertOnlyTierLoads(L7HookTier.KPROBE, ObjectFiles.forThisArch(HttpKernelFunctionsSkeleton::objectBytes));
    }

    /**
     * The arm64 build cannot be verified here: its kprobe programs read arm64 registers (struct
     * user_pt_regs), which this x86 kernel's BTF lacks, so libbpf stops at that relocation. This pins
     * that reason; if the build ever loads here, assert {@code assertOnlyTierLoads} instead.
     */
    @Test
    void arm64KprobeTierStopsAtTheArm64Registers() {
        assertThatThrownBy(() -> L7Kernel.load(L7HookTier.KPROBE, HttpKernelFunctionsSkeleton.objectBytes("arm64"), 0))
                .isInstanceOfSatisfying(L7Kernel.TierFailure.class, f -> assertThat(f.getCause().libbpfLog())
                        .anyMatch(line -> line.contains("failed to resolve CO-RE relocation <byte_off> [") && line.contains("] struct user_pt_regs.regs[")));
    }

    @Test
    void forcedKprobeNamesTheTierAndTheFailingStep() {
        assertThatThrownBy(() -> L7Kernel.open(Optional.of(L7HookTier.KPROBE), 0))
                .isInstanceOfSatisfying(KernelException.class, e -> assertThat(e.userMessage())
                        .isEqualTo("HTTP hook tier kprobe was forced but does not work here: attach kprobe_sock_recvmsg ENOENT"));
    }

    @Test
    void forcedFentryIsRefusedAtLoad() {
        assertThatThrownBy(() -> L7Kernel.open(Optional.of(L7HookTier.FENTRY), 0))
                .isInstanceOfSatisfying(KernelException.class, e -> assertThat(e.userMessage())
                        .isEqualTo("HTTP hook tier fentry was forced but does not work here: load EPERM"));
    }

    /** The tier's programs got a program fd from the verifier; the object's other programs were not loaded. */
    private static void assertOnlyTierLoads(L7HookTier tier, byte[] elf) throws Exception {
        try (BpfObject object = L7Kernel.load(tier, elf, 0)) {
            assertThat(object.programs().stream().filter(p -> tier.programs().contains(p.name())).mapToInt(BpfProgram::fd))
                    .hasSize(tier.programs().size()).allMatch(fd -> fd >= 0);
            assertThat(object.programs().stream().filter(p -> !tier.programs().contains(p.name())).mapToInt(BpfProgram::fd))
                    .isNotEmpty().allMatch(fd -> fd < 0);
        }
    }
}
