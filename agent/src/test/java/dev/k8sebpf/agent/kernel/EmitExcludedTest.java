package dev.k8sebpf.agent.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import dev.k8sebpf.agent.hooks.OwnProcess;
import dev.k8sebpf.agent.loader.KernelPreconditions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** With emitExcluded, excluded attempts still arrive, marked, and are still tallied. */
class EmitExcludedTest {
    /** A copy of curl under a name no other process on the machine has. */
    private static final String EXCLUDED_COMM = "l4-emit-curl";
    private static final int PROCESSES = 6;

    @BeforeAll
    static void requireKernel() {
        KernelPreconditions.requireBpf();
        KernelPreconditions.requireTool("curl");
    }

    @Test
    void excludedAttemptsArriveMarked(@TempDir Path dir) throws Exception {
        Path curl = Files.copy(Path.of("/usr/bin/curl"), dir.resolve(EXCLUDED_COMM));
        try (L4Kernel kernel = L4Kernel.open(new L4Options(Optional.empty(), List.of(EXCLUDED_COMM), true, OwnProcess.NOBODY));
             LoopbackServer server = new LoopbackServer("127.0.0.1")) {
            EventCollector events = new EventCollector(kernel);
            long before = kernel.excludedAttempts();
            for (int i = 0; i < PROCESSES; i++) {
                Subprocess.run(List.of(curl.toString(), "-s", "-o", "/dev/null", "--max-time", "5",
                        "http://127.0.0.1:" + server.port() + "/"));
            }
            assertThat(events.to("127.0.0.1", server.port(), PROCESSES)).hasSize(PROCESSES).allSatisfy(e -> {
                assertThat(e.excluded()).isEqualTo(1);
                assertThat(e.commString()).isEqualTo(EXCLUDED_COMM);
            });
            assertThat(kernel.excludedAttempts() - before).isEqualTo(PROCESSES);
        }
    }
}
