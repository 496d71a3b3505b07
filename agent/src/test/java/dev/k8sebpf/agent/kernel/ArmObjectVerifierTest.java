package dev.k8sebpf.agent.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import dev.k8sebpf.agent.bpf.ConnectSkeleton;
import dev.k8sebpf.agent.bpf.HttpSkeleton;
import dev.k8sebpf.agent.hooks.TierObject;
import dev.k8sebpf.agent.l7.L7HookTier;
import dev.k8sebpf.agent.loader.BpfObject;
import dev.k8sebpf.agent.loader.BpfProgram;
import dev.k8sebpf.agent.loader.KernelPreconditions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** BPF bytecode is portable: the arm64 object's usable tiers must pass this (x86) kernel's verifier too. */
class ArmObjectVerifierTest {
    @BeforeAll
    static void requireKernel() {
        KernelPreconditions.requireBpf();
    }

    @ParameterizedTest
    @EnumSource(value = HookTier.class, names = {"CGROUP", "SYSCALL_TRACEPOINT"})
    void loads(HookTier tier) throws Exception {
        byte[] rodata = new ConnectSkeleton.Rodata().emitExcluded(1).toBytes();
        try (BpfObject object = TierObject.load(tier, ConnectSkeleton.objectBytes("arm64"), rodata)) {
            assertThat(object.programs().stream().filter(p -> tier.owns(p.section())).mapToInt(BpfProgram::fd))
                    .isNotEmpty().allMatch(fd -> fd >= 0);
            assertThat(object.programs().stream().filter(p -> !tier.owns(p.section())).mapToInt(BpfProgram::fd))
                    .isNotEmpty().allMatch(fd -> fd < 0);
        }
    }

    /**
     * The HTTP syscall tier reads no registers, so it loads here; the object's other tiers read arm64
     * pt_regs, which this kernel's BTF lacks, and libbpf leaves programs it does not load unrelocated.
     */
    @Test
    void httpSyscallTierLoads() throws Exception {
        try (BpfObject object = TierObject.load(L7HookTier.SYSCALL_TRACEPOINT, HttpSkeleton.objectBytes("arm64"),
                new HttpSkeleton.Rodata().toBytes())) {
            assertThat(object.programs().stream().filter(L7HookTier.SYSCALL_TRACEPOINT::owns).mapToInt(BpfProgram::fd))
                    // 8 on the reads, 4 on the sends (responses), the connection-state tracepoint
                    .hasSize(13).allMatch(fd -> fd >= 0);
        }
    }
}
