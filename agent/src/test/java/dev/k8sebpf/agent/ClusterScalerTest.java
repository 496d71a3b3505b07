package dev.k8sebpf.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.k8sebpf.agent.loader.KernelPreconditions;
import dev.k8sebpf.agent.scaler.externalscaler.ScaledObjectRef;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cluster scaler (MODE=scaler) against the real kernel: two simulated nodes on this kernel, each an
 * agent scoped to its own cgroup subtree (CGROUP_SUBTREE), found by two scaler replicas through a mock API
 * server's Pods; KEDA's side is a grpc-java client as KEDA uses it. Service shop/checkout has zero pods:
 * its ClusterIP 127.79.1.1 has no listener, so attempts are refused connects.
 */
@EnableKubernetesMockClient(crud = true, https = false)
class ClusterScalerTest {
    private static final String ZERO_PODS_IP = "127.79.1.1";
    private static final String NAMESPACE = "k8s-ebpf";

    static KubernetesMockServer server;
    static KubernetesClient client;

    @TempDir
    Path dir;

    private final List<AutoCloseable> resources = new ArrayList<>();
    private final Map<String, AgentProcess> scalers = new HashMap<>();
    private final Map<String, Integer> scalerPorts = new HashMap<>();
    private Path mapping;
    private Path kubeconfig;
    private NodeCgroup nodeA;
    private NodeCgroup nodeB;
    private AgentProcess agentA;
    private int servicePort;

    @BeforeEach
    void prepare() throws Exception {
        KernelPreconditions.requireBpf();
        KernelPreconditions.requireCgroup2Root();
        mapping = Files.writeString(dir.resolve("mapping.yaml"), """
                apiVersion: v1
                kind: Service
                metadata: {name: checkout, namespace: shop}
                spec: {clusterIP: %s}
                """.formatted(ZERO_PODS_IP));
        kubeconfig = Kubeconfig.write(dir, client.getConfiguration().getMasterUrl());
        try (var probe = new ServerSocket(0, 1, InetAddress.getByName(ZERO_PODS_IP))) {
            servicePort = probe.getLocalPort(); // nobody listens there once the probe is closed
        }
        nodeA = keep(NodeCgroup.create("node-a"));
        nodeB = keep(NodeCgroup.create("node-b"));
    }

    /** Node A's agent and two scaler replicas; node B's agent comes later in each test. */
    private void startNodeAAndTwoReplicas() throws Exception {
        agentA = startAgent("agent-a", nodeA, AgentProcess.freePort());
        startScaler("replica-1");
        startScaler("replica-2");
    }

    @AfterEach
    void stopAll() throws Exception {
        for (AgentProcess scaler : scalers.values()) {
            scaler.close();
        }
        for (int i = resources.size() - 1; i >= 0; i--) {
            resources.get(i).close(); // agents before their cgroups
        }
        client.pods().inNamespace(NAMESPACE).delete();
    }

    private <T extends AutoCloseable> T keep(T resource) {
        resources.add(resource);
        return resource;
    }

    private AgentProcess startAgent(String pod, NodeCgroup node, int streamPort) throws Exception {
        AgentProcess agent = keep(AgentProcess.start(dir, Map.of("MODE", "local", "MAPPING_FILE", mapping.toString(),
                "CGROUP_SUBTREE", node.path().toString(), "ATTEMPT_STREAM_ADDR", "127.0.0.1:" + streamPort)));
        agent.awaitReady(Duration.ofSeconds(60));
        client.pods().inNamespace(NAMESPACE).resource(AgentPod.of(pod, UUID.randomUUID().toString(), streamPort))
                .createOr(p -> p.update());
        return agent;
    }

    private AgentProcess startScaler(String name) throws Exception {
        int port = scalerPorts.computeIfAbsent(name, n -> freePort());
        AgentProcess scaler = AgentProcess.start(dir, Map.of("MODE", "scaler", "SCALER_ADDR", "127.0.0.1:" + port,
                "AGENT_NAMESPACE", NAMESPACE, "KUBECONFIG", kubeconfig.toString()));
        scalers.put(name, scaler);
        scaler.awaitReady(Duration.ofSeconds(60));
        return scaler;
    }

    private static int freePort() {
        try {
            return AgentProcess.freePort();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private KedaClient keda(String replica) {
        return keep(new KedaClient(scalerPorts.get(replica)));
    }

    private void awaitStreaming(String replica, int agents) throws Exception {
        Await.until(replica + " streaming from " + agents + " agents", Duration.ofSeconds(30),
                () -> scalers.get(replica).get("/metrics").body().contains("internal_scaler_agents_streaming " + agents + ".0"));
    }

    private static ScaledObjectRef checkout(String window) {
        return KedaClient.ref("shop", Map.of("scalerAddress", "k8s-ebpf-scaler.k8s-ebpf:9103", "service", "checkout",
                "window", window));
    }

    private static String activation(double count) {
        return "internal_tcp_service_attempts_total{destination_namespace=\"shop\",destination_service=\"checkout\"} " + count;
    }

    @Test
    void anAttemptOnANodeThatCameLaterWakesEveryReplicaAndAKilledReplicaLosesNothing() throws Exception {
        startNodeAAndTwoReplicas();
        KedaClient keda = keda("replica-1");
        var shortWindow = checkout("4s");
        var longWindow = checkout("60s");
        KedaClient.Stream stream = keda.stream(shortWindow);
        assertThat(stream.next(10)).as("zero pods, no attempt yet").isFalse();

        AgentProcess agentB = startAgent("agent-b", nodeB, AgentProcess.freePort());
        awaitStreaming("replica-1", 2);
        long before = System.nanoTime();
        nodeB.connectRefused(ZERO_PODS_IP, servicePort);
        assertThat(stream.next(5)).as("pushed after one attempt on node B").isTrue();
        System.out.println("attempt on node B → replica 1's StreamIsActive true: " + (System.nanoTime() - before) / 1_000_000 + " ms");
        assertThat(keda.rate(longWindow)).as("1 attempt in 60 s").isCloseTo(1 / 60.0, within(1e-9));
        assertThat(agentB.get("/metrics").body()).contains(activation(1.0))
                .contains("internal_agent_hook_cgroup{cgroup=\"" + nodeB.path() + "\",scope=\"subtree\",tier=\"cgroup\"} 1.0");
        assertThat(agentA.get("/metrics").body()).as("node A saw nothing of node B's process").contains(activation(0.0));

        scalers.get("replica-1").close(); // SIGKILL mid-stream
        assertThat(stream.ended.get(10, java.util.concurrent.TimeUnit.SECONDS)).as("the stream breaks").isNotNull();
        KedaClient other = keda("replica-2");
        KedaClient.Stream again = other.stream(shortWindow);
        assertThat(again.next(5)).as("the other replica has the same state").isTrue();
        assertThat(other.rate(longWindow)).isCloseTo(1 / 60.0, within(1e-9));
        assertThat(again.next(10)).as("false once 4 s pass without attempts").isFalse();
        assertThat(other.isActive(shortWindow)).isFalse();
        assertThat(other.isActive(longWindow)).isTrue();
    }

    @Test
    void aRestartedAgentAddsToTheCountAndARestartedReplicaRebuildsItsView() throws Exception {
        startNodeAAndTwoReplicas();
        int portB = AgentProcess.freePort();
        AgentProcess agentB = startAgent("agent-b", nodeB, portB);
        awaitStreaming("replica-2", 2);
        KedaClient keda = keda("replica-2");
        var longWindow = checkout("60s");
        nodeB.connectRefused(ZERO_PODS_IP, servicePort);
        Await.until("the first attempt", Duration.ofSeconds(5), () -> keda.isActive(longWindow));

        // the agent restarts (same Pod, same port): its counter starts again at 0, a new instance
        assertThat(agentB.terminate()).isIn(0, 143);
        startAgent("agent-b", nodeB, portB);
        Await.until("replica 2 streaming from the new agent B", Duration.ofSeconds(30),
                () -> scalers.get("replica-2").stderr().contains("attempt stream of agent agent-b (127.0.0.1:" + portB + ") is back"));
        nodeB.connectRefused(ZERO_PODS_IP, servicePort);
        Await.until("the second attempt", Duration.ofSeconds(5), () -> keda.rate(longWindow) > 1.5 / 60);
        assertThat(keda.rate(longWindow)).as("both attempts: the restart neither resets nor subtracts")
                .isCloseTo(2 / 60.0, within(1e-9));

        // replica 1 restarts: it rebuilds from what the agents hold (the new agent B's attempt; the first died with the old one)
        scalers.get("replica-1").close();
        startScaler("replica-1");
        KedaClient rebuilt = keda("replica-1");
        assertThat(rebuilt.isActive(longWindow)).as("ready means rebuilt").isTrue();
        assertThat(rebuilt.rate(longWindow)).isCloseTo(1 / 60.0, within(1e-9));
    }

    @Test
    void badMetadataIsInvalidArgumentAndAnUnknownServiceStaysInactiveQuietly() throws Exception {
        startScaler("replica-1");
        KedaClient keda = keda("replica-1");
        assertThatThrownBy(() -> keda.isActive(KedaClient.ref("shop", Map.of("service", "checkout", "window", "soon"))))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
                    assertThat(e.getStatus().getDescription()).startsWith("scalerMetadata.window=\"soon\" is not valid");
                });
        var unknown = KedaClient.ref("shop", Map.of("service", "nobody-has-this"));
        KedaClient.Stream stream = keda.stream(unknown);
        assertThat(stream.next(5)).isFalse();
        for (int i = 0; i < 20; i++) {
            assertThat(keda.isActive(unknown)).isFalse();
        }
        assertThat(stream.next(1)).as("nothing more to say").isNull();
        assertThat(scalers.get("replica-1").stderr()).doesNotContain("nobody-has-this");
        assertThat(scalers.get("replica-1").alive()).isTrue();
    }
}
