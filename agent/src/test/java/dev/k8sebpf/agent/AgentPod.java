package dev.k8sebpf.agent;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;

/** An agent's Pod as the scaler's discovery sees it: DaemonSet label, port {@code attempts}, a Pod IP on loopback. */
final class AgentPod {
    private AgentPod() {
    }

    static Pod of(String name, String uid, int streamPort) {
        return new PodBuilder()
                .withNewMetadata().withName(name).withUid(uid).addToLabels("app.kubernetes.io/name", "k8s-ebpf-agent").endMetadata()
                .withNewSpec().addNewContainer().withName("agent").addNewPort().withName("attempts")
                .withContainerPort(streamPort).endPort().endContainer().endSpec()
                .withNewStatus().withPhase("Running").withPodIP("127.0.0.1").endStatus().build();
    }
}
