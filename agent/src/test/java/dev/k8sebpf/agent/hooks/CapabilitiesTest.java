package dev.k8sebpf.agent.hooks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class CapabilitiesTest {
    @Test
    void bpfAndPerfmonTogetherSuffice() {
        assertThat(Capabilities.parse("CapEff:\t000000c000000000\n").canLoadBpf()).isTrue();
    }

    @Test
    void bpfAloneDoesNot() {
        assertThat(Capabilities.parse("CapEff:\t0000008000000000\n").canLoadBpf()).isFalse();
    }

    @Test
    void sysAdminImpliesBoth() {
        assertThat(Capabilities.parse("Name:\tx\nCapEff:\t0000000000200000\n").canLoadBpf()).isTrue();
    }

    @Test
    void noCapabilities() {
        assertThat(Capabilities.parse("CapEff:\t0000000000000000\n").canLoadBpf()).isFalse();
    }

    @Test
    void rejectsAStatusWithoutCapEff() {
        assertThatThrownBy(() -> Capabilities.parse("Name:\tx\n")).isInstanceOf(IllegalArgumentException.class);
    }
}
