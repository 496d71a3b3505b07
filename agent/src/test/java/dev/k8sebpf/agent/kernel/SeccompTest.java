package dev.k8sebpf.agent.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SeccompTest {
    @Test
    void readsTheFilterMode() {
        assertThat(Seccomp.mode("Name:\tjava\nSeccomp:\t2\nSeccomp_filters:\t1\n")).isEqualTo(2);
        assertThat(Seccomp.mode("Seccomp:\t0\n")).isZero();
    }

    @Test
    void aStatusWithoutTheFieldIsUnknown() {
        assertThat(Seccomp.mode("Name:\tjava\n")).isEqualTo(-1);
    }

    @Test
    void theLineNamesSeccompAndTheShippedProfile() {
        assertThat(Seccomp.message("EPERM")).contains("seccomp").contains("EPERM").contains("deploy/seccomp/agent.json")
                .doesNotContain("\\n");
    }
}
