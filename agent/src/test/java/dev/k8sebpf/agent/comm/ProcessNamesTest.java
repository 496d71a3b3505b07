package dev.k8sebpf.agent.comm;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProcessNamesTest {
    private final ProcessNames names = new ProcessNames(List.of(" agent ", "", "kube-controller-manager"));

    @Test
    void namesAndExclusionFromTheCommBytes() {
        assertThat(names.of(comm("nginx"))).isEqualTo(new ProcessNames.Process("nginx", false));
        assertThat(names.of(comm("agent"))).isEqualTo(new ProcessNames.Process("agent", true));
        assertThat(names.of(comm("kube-controller"))).isEqualTo(new ProcessNames.Process("kube-controller", true));
        assertThat(names.of(comm(""))).isEqualTo(new ProcessNames.Process("", false));
    }

    @Test
    void aSeenCommIsAnsweredFromTheCacheAndCollisionsStayCorrect() {
        ProcessNames.Process first = names.of(comm("python3"));
        assertThat(names.of(comm("python3"))).isSameAs(first);
        for (int i = 0; i < 500; i++) { // more comms than slots: every answer still names its own comm
            assertThat(names.of(comm("worker-" + i)).name()).isEqualTo("worker-" + i);
        }
        assertThat(names.of(comm("agent")).excluded()).isTrue();
    }

    private static byte[] comm(String name) {
        return Arrays.copyOf(name.getBytes(StandardCharsets.UTF_8), 16);
    }
}
