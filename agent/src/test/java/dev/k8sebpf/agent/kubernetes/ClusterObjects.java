package dev.k8sebpf.agent.kubernetes;

import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodIP;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import java.util.Arrays;
import java.util.List;

/** Builders for the cluster objects the tests and the benchmark create. */
final class ClusterObjects {
    private ClusterObjects() {
    }

    static Service service(String namespace, String name, String... clusterIps) {
        return new ServiceBuilder().withNewMetadata().withNamespace(namespace).withName(name).endMetadata()
                .withNewSpec().withClusterIP(clusterIps[0]).withClusterIPs(clusterIps)
                .addNewPort().withPort(80).endPort().endSpec().build();
    }

    /** An endpoint of {@code pod} (null: no targetRef) with the given addresses. */
    static Endpoint endpoint(String pod, String... addresses) {
        var builder = new EndpointBuilder().withAddresses(addresses);
        if (pod != null) {
            builder.withTargetRef(new ObjectReferenceBuilder().withKind("Pod").withName(pod).build());
        }
        return builder.build();
    }

    static EndpointSlice slice(String namespace, String name, String service, Endpoint... endpoints) {
        String family = endpoints.length > 0 && endpoints[0].getAddresses().getFirst().contains(":") ? "IPv6" : "IPv4";
        return new EndpointSliceBuilder().withNewMetadata().withNamespace(namespace).withName(name)
                .addToLabels(Claims.SERVICE_NAME_LABEL, service).endMetadata()
                .withAddressType(family).withEndpoints(endpoints).build();
    }

    static Pod pod(String namespace, String name, boolean hostNetwork, String... ips) {
        List<PodIP> podIps = Arrays.stream(ips).map(PodIP::new).toList();
        return new PodBuilder().withNewMetadata().withNamespace(namespace).withName(name).endMetadata()
                .withNewSpec().withHostNetwork(hostNetwork).addNewContainer().withName("c").withImage("i").endContainer().endSpec()
                .withNewStatus().withPhase("Running").withPodIP(ips.length > 0 ? ips[0] : null).withPodIPs(podIps).endStatus()
                .build();
    }
}
