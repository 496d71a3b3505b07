package dev.k8sebpf.agent.kubernetes;

import static dev.k8sebpf.agent.kubernetes.Eventually.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** MODE=scaler discovery: agent Pods by label and port name, through a watch that drops (TcpProxy). */
@EnableKubernetesMockClient(crud = true, https = false)
class AgentPodsTest {
    static KubernetesMockServer server;
    static KubernetesClient client;

    /** Which agents the directory holds now (by uid, the API server assigns them), and every removal it was told of. */
    private static final class Recording implements AgentDirectory {
        final Map<String, String> agents = new ConcurrentHashMap<>();
        final List<String> gone = new CopyOnWriteArrayList<>();

        @Override
        public void agentSeen(String uid, String podName, String host, int port) {
            agents.put(uid, podName + "@" + host + ":" + port);
        }

        @Override
        public void agentGone(String uid) {
            gone.add(agents.remove(uid));
        }
    }

    private static Pod pod(String name, String label, Integer port) {
        var builder = new PodBuilder().withNewMetadata().withName(name)
                .addToLabels("app.kubernetes.io/name", label).endMetadata()
                .withNewStatus().withPhase("Running").withPodIP("10.0.0." + name.length()).endStatus();
        if (port != null) {
            builder.withNewSpec().addNewContainer().withName("agent").addNewPort().withName("attempts")
                    .withContainerPort(port).endPort().endContainer().endSpec();
        }
        return builder.build();
    }

    /** The cut connections hold the port (FIN_WAIT) until the client closes its side: retry the bind a while. */
    private static void upAgain(TcpProxy proxy) throws Exception {
        for (int attempt = 0; ; attempt++) {
            try {
                proxy.up();
                return;
            } catch (java.net.BindException stillHeld) {
                if (attempt == 100) {
                    throw stillHeld;
                }
                Thread.sleep(100);
            }
        }
    }

    @Test
    void agentsComeAndGoAndADroppedWatchOnlyRemovesWhatWasDeleted() throws Exception {
        var pods = client.pods().inNamespace("k8s-ebpf");
        pods.resource(pod("a", "k8s-ebpf-agent", 9104)).create();
        pods.resource(pod("bb", "k8s-ebpf-agent", 9104)).create();
        pods.resource(pod("ccc", "k8s-ebpf-agent", null)).create(); // no port named attempts: not an agent endpoint
        pods.resource(pod("dddd", "something-else", 9104)).create();
        var directory = new Recording();
        try (var proxy = new TcpProxy(server.getPort())) {
            proxy.up();
            Config viaProxy = new ConfigBuilder(client.getConfiguration()).withMasterUrl(proxy.url()).build();
            try (AgentPods agents = AgentPods.start(viaProxy, "k8s-ebpf", "app.kubernetes.io/name=k8s-ebpf-agent", "attempts", directory)) {
                await("listed", agents::synced);
                assertThat(directory.agents.values()).containsExactlyInAnyOrder("a@10.0.0.1:9104", "bb@10.0.0.2:9104");

                pods.resource(pod("eeeee", "k8s-ebpf-agent", 9104)).create();
                await("a new agent", () -> directory.agents.containsValue("eeeee@10.0.0.5:9104"));

                proxy.down(); // the watch drops; meanwhile one agent goes
                pods.withName("bb").delete();
                upAgain(proxy);
                await("the relist drops the deleted agent", () -> !directory.agents.containsValue("bb@10.0.0.2:9104"));
                assertThat(directory.agents.values()).containsExactlyInAnyOrder("a@10.0.0.1:9104", "eeeee@10.0.0.5:9104");
                assertThat(directory.gone).as("survivors are never reported gone").containsExactly("bb@10.0.0.2:9104");
            }
        }
    }
}
