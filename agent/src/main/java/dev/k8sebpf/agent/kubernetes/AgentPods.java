package dev.k8sebpf.agent.kubernetes;

import dev.k8sebpf.agent.kubernetes.SourceKey.Kind;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * MODE=scaler: the agents, as list+watch of their Pods in one namespace by label (RBAC: list and watch
 * pods there, nothing else). A Pod is an agent endpoint while it has a Pod IP, is not finished, and
 * declares the container port named {@code portName} (the DaemonSet runs with hostNetwork, so that is
 * the node's address and port). A dropped watch relists; only Pods missing from the new list are gone.
 */
public final class AgentPods implements AutoCloseable {
    private final KubernetesClient client;
    private final ResourceWatch<Pod> watch;

    private AgentPods(KubernetesClient client, ResourceWatch<Pod> watch) {
        this.client = client;
        this.watch = watch;
    }

    public static AgentPods start(Config config, String namespace, String labelSelector, String portName,
                                  AgentDirectory directory) {
        KubernetesClient client = ClusterMapping.watchClient(config);
        var watch = new ResourceWatch<>(Kind.POD, namespace, client.pods().inNamespace(namespace).withLabelSelector(labelSelector),
                new Sink(portName, directory), new Backoff(ClusterMapping.FIRST_RETRY, ClusterMapping.MAX_RETRY));
        watch.start();
        return new AgentPods(client, watch);
    }

    /** True once the Pods have been listed (the directory then knows every agent). */
    public boolean synced() {
        return watch.synced();
    }

    @Override
    public void close() {
        watch.close();
        client.close();
    }

    /** Pods → agent endpoints, telling the directory only of changes. */
    private static final class Sink implements WatchSink<Pod> {
        private final String portName;
        private final AgentDirectory directory;
        private final Map<SourceKey, String> uids = new HashMap<>();

        Sink(String portName, AgentDirectory directory) {
            this.portName = portName;
            this.directory = directory;
        }

        @Override
        public synchronized void upsert(SourceKey key, Pod pod) {
            Optional<Integer> port = port(pod);
            String ip = pod.getStatus() == null ? null : pod.getStatus().getPodIP();
            String phase = pod.getStatus() == null ? "" : String.valueOf(pod.getStatus().getPhase());
            if (port.isEmpty() || ip == null || ip.isEmpty() || phase.equals("Succeeded") || phase.equals("Failed")) {
                delete(key);
                return;
            }
            String uid = pod.getMetadata().getUid();
            String previous = uids.put(key, uid);
            if (previous != null && !previous.equals(uid)) {
                directory.agentGone(previous);
            }
            directory.agentSeen(uid, key.name(), ip, port.get());
        }

        private Optional<Integer> port(Pod pod) {
            if (pod.getSpec() == null) {
                return Optional.empty();
            }
            return pod.getSpec().getContainers().stream().flatMap(c -> c.getPorts().stream())
                    .filter(p -> portName.equals(p.getName())).map(ContainerPort::getContainerPort).findFirst();
        }

        @Override
        public synchronized void delete(SourceKey key) {
            String uid = uids.remove(key);
            if (uid != null) {
                directory.agentGone(uid);
            }
        }

        @Override
        public synchronized void retainOnly(Kind kind, String namespace, Set<SourceKey> listed) {
            for (SourceKey key : Set.copyOf(uids.keySet())) {
                if (!listed.contains(key)) {
                    delete(key);
                }
            }
        }
    }
}
