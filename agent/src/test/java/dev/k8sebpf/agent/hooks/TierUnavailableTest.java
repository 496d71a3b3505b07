package dev.k8sebpf.agent.hooks;

import static org.assertj.core.api.Assertions.assertThat;

import dev.k8sebpf.agent.loader.BpfException;
import org.junit.jupiter.api.Test;

class TierUnavailableTest {
    private static final int ENOSYS = 38;
    private static final int EPERM = 1;

    @Test
    void anOpenedObjectWhoseLoadGetsEnosysMeansNoBpf() {
        assertThat(new TierUnavailable("load", new BpfException("load", ENOSYS)).loadNotImplemented()).isTrue();
    }

    @Test
    void enosysElsewhereOrAnotherLoadErrorIsNot() {
        assertThat(new TierUnavailable("attach tp_sys_enter_connect", new BpfException("attach", ENOSYS))
                .loadNotImplemented()).isFalse();
        assertThat(new TierUnavailable("load", new BpfException("load", EPERM)).loadNotImplemented()).isFalse();
        assertThat(new TierUnavailable("no cgroup2 mount").loadNotImplemented()).isFalse();
    }

    @Test
    void theLineNamesTheArchitectureAndQemuUserMode() {
        assertThat(TierChoice.bpfNotImplemented("aarch64"))
                .startsWith("the bpf() system call is not implemented here (ENOSYS): libbpf opened the aarch64 object")
                .contains("QEMU user mode").endsWith("run it on an aarch64 kernel").doesNotContain("\n");
    }
}
