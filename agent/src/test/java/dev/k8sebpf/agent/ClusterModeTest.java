package dev.k8sebpf.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** MODE=cluster wiring of Main (hooks off, so no root needed): readiness follows the first sync, Services get their series. */
@EnableKubernetesMockClient(crud = true, https = false)
class ClusterModeTest {
    static KubernetesMockServer server;
    static KubernetesClient client;

    @TempDir
    Path dir;

    private Path kubeconfig(String apiServer) throws IOException {
        return Kubeconfig.write(dir, apiServer);
    }

    private static String activation(String namespace, String service) {
        return "internal_tcp_service_attempts_total{destination_namespace=\"" + namespace + "\",destination_service=\""
                + service + "\"} 0.0";
    }

    private static void await(String what, Await.Condition condition) throws Exception {
        Await.until(what, Duration.ofSeconds(20), condition);
    }

    @Test
    void servicesOfTheClusterGetActivationSeries() throws Exception {
        client.services().inNamespace("shop").resource(new ServiceBuilder().withNewMetadata().withName("web").endMetadata()
                .withNewSpec().withClusterIP("10.96.0.10").endSpec().build()).create();
        try (AgentProcess agent = AgentProcess.start(dir, Map.of("MODE", "cluster", "ENABLE_L4", "false",
                "KUBECONFIG", kubeconfig(client.getConfiguration().getMasterUrl()).toString()))) {
            agent.awaitReady(Duration.ofSeconds(30));
            assertThat(agent.get("/metrics").body()).contains(activation("shop", "web"))
                    .contains("internal_agent_mapping_entries 1.0");

            client.services().inNamespace("shop").withName("web").delete();
            await("the deleted Service's series to go", () -> !agent.get("/metrics").body().contains(activation("shop", "web")));
            assertThat(agent.terminate()).isIn(0, 143);
        }
    }

    @Test
    void notReadyUntilTheApiServerAnswers() throws Exception {
        try (var closed = new java.net.ServerSocket(0)) {
            String unreachable = "http://127.0.0.1:" + closed.getLocalPort();
            closed.close();
            try (AgentProcess agent = AgentProcess.start(dir, Map.of("MODE", "cluster", "ENABLE_L4", "false",
                    "KUBECONFIG", kubeconfig(unreachable).toString()))) {
                await("the HTTP server", () -> {
                    try {
                        return agent.get("/healthz").statusCode() == 200;
                    } catch (IOException notYet) {
                        return false;
                    }
                });
                HttpResponse<String> readyz = agent.get("/readyz");
                assertThat(readyz.statusCode()).isEqualTo(503);
                assertThat(readyz.body()).isEqualTo("not ok: Kubernetes mappings not synced yet\n");
                assertThat(agent.terminate()).isIn(0, 143);
            }
        }
    }
}
