package dev.k8sebpf.agent.hooks;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class TierChoiceTest {
    @Test
    void environmentProblemsAreOneLineWithTheFix() {
        assertThatThrownBy(() -> TierChoice.checkEnvironment(false, Path.of("/sys/kernel/btf/vmlinux")))
                .hasMessage("libbpf.so.1 not found: apt-get install libbpf1");
        assertThatThrownBy(() -> TierChoice.checkEnvironment(true, Path.of("/nonexistent/vmlinux")))
                .hasMessage("kernel BTF not found at /nonexistent/vmlinux: needs a kernel built with CONFIG_DEBUG_INFO_BTF=y");
    }
}
