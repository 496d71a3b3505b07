package dev.k8sebpf.agent.hooks;

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

    @Test
    void onlyAnAttachEpermCallsForThePerfEventHint() {
        // Whether the hint is given also depends on this process's own Seccomp field; without EPERM at attach, never.
        assertThat(Seccomp.perfEventHint("cgroup: load EPERM; kprobe: attach kprobe_tcp_v4_connect ENOENT")).isEmpty();
        boolean filtered = Seccomp.mode(readStatus()) == 2;
        assertThat(Seccomp.perfEventHint("syscall_tracepoint: attach tp_sys_enter_connect EPERM").isPresent()).isEqualTo(filtered);
    }

    private static String readStatus() {
        try {
            return java.nio.file.Files.readString(java.nio.file.Path.of("/proc/self/status"));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
