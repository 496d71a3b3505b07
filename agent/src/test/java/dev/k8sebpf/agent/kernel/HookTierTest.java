package dev.k8sebpf.agent.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import dev.k8sebpf.agent.bpf.ConnectSkeleton;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class HookTierTest {
    @Test
    void everyProgramOfTheObjectBelongsToExactlyOneTier() {
        for (ConnectSkeleton.Program program : ConnectSkeleton.Program.values()) {
            assertThat(Arrays.stream(HookTier.values()).filter(t -> t.owns(program.section())))
                    .as(program.section()).hasSize(1);
        }
    }

    @Test
    void everyTierHasPrograms() {
        for (HookTier tier : HookTier.values()) {
            assertThat(Arrays.stream(ConnectSkeleton.Program.values()).filter(p -> tier.owns(p.section())))
                    .as(tier.label()).isNotEmpty();
        }
    }

    @Test
    void labelsAreTheEnvironmentValues() {
        assertThat(Arrays.stream(HookTier.values()).map(HookTier::label))
                .containsExactly("cgroup", "fentry", "kprobe", "syscall_tracepoint");
    }
}
