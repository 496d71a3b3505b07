package dev.k8sebpf.agent.l7;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.k8sebpf.agent.bpf.HttpSkeleton;
import dev.k8sebpf.agent.hooks.KernelException;
import dev.k8sebpf.agent.hooks.ObjectFiles;
import dev.k8sebpf.agent.hooks.OwnProcess;
import dev.k8sebpf.agent.hooks.TierObject;
import dev.k8sebpf.agent.hooks.TierUnavailable;
import dev.k8sebpf.agent.loader.BpfObject;
import dev.k8sebpf.agent.loader.BpfProgram;
import dev.k8sebpf.agent.loader.KernelExpectations;
import dev.k8sebpf.agent.loader.KernelPreconditions;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * HTTP tier selection on this kernel, against its {@link KernelExpectations}: auto mode picks the
 * expected tier after skipping the better ones with their reasons, and every tier not expected to work
 * here fails with one line when forced. On the build machine (Linux 6.18 without kprobes and BPF
 * trampolines: the kprobe tier passes the verifier but cannot attach, fentry cannot load) the exact
 * reasons are pinned too.
 */
class L7TierSelectionTest {
    private static final byte[] RODATA = new HttpSkeleton.Rodata().toBytes();
    private static final KernelExpectations EXPECTED = KernelExpectations.current();

    @BeforeAll
    static void requireKernel() {
        KernelPreconditions.requireBpf();
    }

    @Test
    void autoModeTakesTheExpectedTierAfterTheBetterOnes() throws Exception {
        try (L7Kernel kernel = L7Kernel.open(Optional.empty(), OwnProcess.NOBODY, true, true)) {
            KernelExpectations.fact("l7.auto", kernel.tier().label());
            assertThat(kernel.tier().label()).isEqualTo(EXPECTED.l7Auto());
            List<String> better = Arrays.stream(L7HookTier.values()).takeWhile(t -> t != kernel.tier())
                    .map(L7HookTier::label).toList();
            String reason = kernel.tierReason();
            assertThat(reason).doesNotContain("\n");
            if (better.isEmpty()) {
                assertThat(reason).isEqualTo(kernel.tier().label() + ": preferred");
            }
            List<String> fallbacks = Arrays.asList(reason.split("; "));
            for (int i = 0; i < better.size(); i++) {
                assertThat(fallbacks.get(i)).startsWith(better.get(i) + ": ");
            }
        }
    }

    /** Every tier: forced, it attaches where expected (its count suite checks more) or fails with one line. */
    @ParameterizedTest
    @EnumSource(L7HookTier.class)
    void aForcedTierAttachesWhereExpectedAndElseFailsWithOneLine(L7HookTier tier) throws Exception {
        String prefix = "HTTP hook tier " + tier.label() + " was forced but does not work here: ";
        if (EXPECTED.l7Works(tier.label())) {
            try (L7Kernel kernel = L7Kernel.open(Optional.of(tier), OwnProcess.NOBODY, true, true)) {
                assertThat(kernel.tier()).isEqualTo(tier);
            }
            return;
        }
        assertThatThrownBy(() -> L7Kernel.open(Optional.of(tier), OwnProcess.NOBODY, true, true))
                .isInstanceOfSatisfying(KernelException.class, e -> {
                    assertThat(e.userMessage()).startsWith(prefix).doesNotContain("\n");
                    KernelExpectations.fact("l7.refused." + tier.label(), e.userMessage().substring(prefix.length()));
                });
    }

    @Test
    void onTheBuildMachineFentryAndKprobeFallBackWithTheirReasons() throws Exception {
        assumeTrue(EXPECTED.buildMachine(), "the build machine's own kernel only");
        List<L7HookTier> candidates = List.of(L7HookTier.FENTRY, L7HookTier.KPROBE, L7HookTier.SOCK_TRACEPOINT);
        try (L7Kernel kernel = L7Kernel.open(candidates, false, OwnProcess.NOBODY, true, true)) {
            assertThat(kernel.tier()).isEqualTo(L7HookTier.SOCK_TRACEPOINT);
            assertThat(kernel.tierReason()).isEqualTo("fentry: load EPERM; kprobe: attach kprobe_inet_recvmsg ENOENT");
        }
        assertThatThrownBy(() -> L7Kernel.open(Optional.of(L7HookTier.KPROBE), OwnProcess.NOBODY, true, true))
                .isInstanceOfSatisfying(KernelException.class, e -> assertThat(e.userMessage())
                        .isEqualTo("HTTP hook tier kprobe was forced but does not work here: attach kprobe_inet_recvmsg ENOENT"));
        assertThatThrownBy(() -> L7Kernel.open(Optional.of(L7HookTier.FENTRY), OwnProcess.NOBODY, true, true))
                .isInstanceOfSatisfying(KernelException.class, e -> assertThat(e.userMessage())
                        .isEqualTo("HTTP hook tier fentry was forced but does not work here: load EPERM"));
    }

    @Test
    void kprobeTierPassesTheVerifier() throws Exception {
        // where kprobes attach, the count suite runs this tier; the build machine can only verify it
        assumeTrue(EXPECTED.buildMachine() || EXPECTED.l7Works("kprobe"), "the kprobe tier does not load on " + EXPECTED.name());
        assertOnlyTierLoads(L7HookTier.KPROBE, ObjectFiles.forThisArch(HttpSkeleton::objectBytes));
    }

    /**
     * The arm64 build cannot be verified on x86: its kprobe programs read arm64 registers (struct
     * user_pt_regs), which an x86 kernel's BTF lacks, so libbpf stops at that relocation. This pins
     * that reason; if the build ever loads there, assert {@code assertOnlyTierLoads} instead.
     */
    @Test
    void arm64KprobeTierStopsAtTheArm64RegistersOnX86() {
        assumeTrue(System.getProperty("os.arch").equals("amd64"), "an x86 kernel's BTF only");
        assertThatThrownBy(() -> TierObject.load(L7HookTier.KPROBE, HttpSkeleton.objectBytes("arm64"), RODATA))
                .isInstanceOfSatisfying(TierUnavailable.class, f -> assertThat(f.libbpfLog())
                        .anyMatch(line -> line.contains("failed to resolve CO-RE relocation <byte_off> [") && line.contains("] struct user_pt_regs.regs[")));
    }

    /** The tier's programs got a program fd from the verifier; the object's other programs were not loaded. */
    private static void assertOnlyTierLoads(L7HookTier tier, byte[] elf) throws Exception {
        try (BpfObject object = TierObject.load(tier, elf, RODATA)) {
            assertThat(object.programs().stream().filter(tier::owns).mapToInt(BpfProgram::fd))
                    .isNotEmpty().allMatch(fd -> fd >= 0);
            assertThat(object.programs().stream().filter(p -> !tier.owns(p)).mapToInt(BpfProgram::fd))
                    .isNotEmpty().allMatch(fd -> fd < 0);
        }
    }
}
