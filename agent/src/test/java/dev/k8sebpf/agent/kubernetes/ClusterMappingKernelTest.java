package dev.k8sebpf.agent.kubernetes;

import static dev.k8sebpf.agent.kubernetes.ClusterObjects.service;
import static dev.k8sebpf.agent.kubernetes.Eventually.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.k8sebpf.agent.kernel.L4Kernel;
import dev.k8sebpf.agent.kernel.L4Options;
import dev.k8sebpf.agent.hooks.OwnProcess;
import dev.k8sebpf.agent.loader.KernelPreconditions;
import dev.k8sebpf.agent.mapping.MappingTable;
import dev.k8sebpf.agent.metrics.AgentMetrics;
import dev.k8sebpf.agent.pipeline.ConnectEventCounter;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Real kernel hooks + cluster mapping: connects to a Service's ClusterIP are counted with its labels. */
@EnableKubernetesMockClient(crud = true, https = false)
class ClusterMappingKernelTest {
    /** A loopback address no other test uses, standing in for a ClusterIP. */
    private static final String CLUSTER_IP = "127.0.0.77";
    private static final int CONNECTS = 3;

    static KubernetesMockServer server;
    static KubernetesClient client;

    @BeforeAll
    static void requireKernel() {
        KernelPreconditions.requireBpf();
    }

    @Test
    void connectsToAClusterIpAreCountedWithTheServicesLabels() throws Exception {
        client.services().inNamespace("shop").resource(service("shop", "cart", CLUSTER_IP)).create();
        var metrics = new AgentMetrics(10_000, Duration.ZERO, System::nanoTime);
        var table = new MappingTable(Duration.ofSeconds(60), 1000, System::nanoTime);
        try (var mapping = ClusterMapping.start(client.getConfiguration(), Set.of(), table, metrics);
             L4Kernel kernel = L4Kernel.open(new L4Options(Optional.empty(), List.of(), false, OwnProcess.NOBODY));
             var listener = new ServerSocket(0, 50, InetAddress.getByName(CLUSTER_IP))) {
            await("cluster mapping synced", mapping::synced);
            var counter = new ConnectEventCounter(table, metrics, false);
            for (int i = 0; i < CONNECTS; i++) {
                try (var socket = new Socket(CLUSTER_IP, listener.getLocalPort())) {
                    listener.accept().close();
                }
            }
            String activation = "internal_tcp_service_attempts_total{destination_namespace=\"shop\",destination_service=\"cart\"} "
                    + (double) CONNECTS;
            await("activation series at " + CONNECTS + " (tier " + kernel.tier().label() + ")", () -> {
                kernel.poll(counter);
                return scrape(metrics).contains(activation);
            });
            assertThat(scrape(metrics)).containsPattern(
                    "internal_tcp_attempts_total\\{destination_namespace=\"shop\",destination_pod=\"\",destination_service=\"cart\",process_comm=\"[^\"]+\"} "
                            + (double) CONNECTS);
        }
    }

    private static String scrape(AgentMetrics metrics) {
        return new String(metrics.scrape("text/plain").body(), StandardCharsets.UTF_8);
    }
}
