package dev.k8sebpf.agent;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.HashMap;

/** For the benchmark mains: fabric8's mock API server in CRUD mode on loopback, as the tests' extension makes it. */
final class MockApi implements AutoCloseable {
    private final KubernetesMockServer server;
    private final KubernetesClient client;

    MockApi() {
        server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(), new KubernetesCrudDispatcher(), false);
        server.init(InetAddress.getLoopbackAddress(), 0);
        client = server.createClient();
    }

    KubernetesClient client() {
        return client;
    }

    /** Registers an agent's Pod in the scaler's namespace (k8s-ebpf). */
    void agentPod(String name, int streamPort) {
        client.pods().inNamespace("k8s-ebpf").resource(AgentPod.of(name, "uid-" + name, streamPort)).create();
    }

    /** A scaler replica (MODE=scaler) watching this API server, serving KEDA on {@code scalerPort}. */
    AgentProcess startScaler(Path dir, int scalerPort, int maxServices) throws IOException {
        return AgentProcess.start(dir, java.util.Map.of("MODE", "scaler", "SCALER_ADDR", "127.0.0.1:" + scalerPort,
                "AGENT_NAMESPACE", "k8s-ebpf", "SCALER_MAX_SERVICES", String.valueOf(maxServices),
                "KUBECONFIG", Kubeconfig.write(dir, client.getConfiguration().getMasterUrl()).toString()));
    }

    @Override
    public void close() {
        client.close();
        server.destroy();
    }
}
