package dev.k8sebpf.agent.kubernetes;

import static dev.k8sebpf.agent.kubernetes.Eventually.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.k8sebpf.agent.mapping.MappingTable;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** An RBAC refusal is reported once, in one line naming the verb and the resource, while retries go on. */
class ClusterMappingForbiddenTest {
    private static final String LINE = "Kubernetes RBAC forbids verb 'list' on resource 'pods' in all namespaces";

    @Test
    void forbiddenListIsLoggedOnceWithVerbAndResource() throws Exception {
        var server = new KubernetesMockServer(false);
        server.init();
        server.expect().get().withPath("/api/v1/pods?limit=500").andReturn(403, new StatusBuilder().withCode(403)
                .withReason("Forbidden").withMessage("pods is forbidden: cannot list resource \"pods\"").build()).always();
        PrintStream stderr = System.err;
        var captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        var config = new ConfigBuilder().withMasterUrl("http://127.0.0.1:" + server.getPort()).build();
        try (var mapping = ClusterMapping.start(config, Set.of(), new MappingTable(Duration.ofSeconds(1), 10, System::nanoTime),
                new RecordingCatalog(), Duration.ofMillis(100))) {
            await("the RBAC line", () -> captured.toString(StandardCharsets.UTF_8).contains(LINE));
            long requestsSeen = server.getRequestCount();
            await("more retries", () -> server.getRequestCount() >= requestsSeen + 6);
            assertThat(mapping.synced()).isFalse();
        } finally {
            System.setErr(stderr);
            server.destroy();
        }
        String log = captured.toString(StandardCharsets.UTF_8);
        assertThat(log.lines().filter(l -> l.contains(LINE))).hasSize(1)
                .allSatisfy(l -> assertThat(l).contains("grant get/list/watch"));
    }
}
