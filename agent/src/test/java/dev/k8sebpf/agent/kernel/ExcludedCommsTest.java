package dev.k8sebpf.agent.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class ExcludedCommsTest {
    @Test
    void keepsTheFifteenBytesTheKernelKeepsOfAName() {
        assertThat(ExcludedComms.of(List.of("my-worker-thread")).names()).containsExactly("my-worker-threa");
    }

    @Test
    void dropsBlanksAndDuplicates() {
        assertThat(ExcludedComms.of(List.of(" kubelet ", "", "kubelet", "curl")).names())
                .containsExactly("kubelet", "curl");
    }

    @Test
    void keysAreNulTerminated() {
        byte[] comm = ExcludedComms.key("abcdefghijklmno").comm();
        assertThat(comm).hasSize(16);
        assertThat(comm[15]).isZero();
        assertThat(ExcludedComms.key("curl").commString()).isEqualTo("curl");
    }
}
