package dev.k8sebpf.agent.kubernetes;

import dev.k8sebpf.agent.mapping.Destination;
import dev.k8sebpf.agent.mapping.IpKey;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodIP;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns a Service, EndpointSlice or Pod into the IP claims it makes. Only these few strings survive the
 * object: they are interned because one namespace or Service name is repeated across thousands of
 * endpoints, and a pod name appears both in its EndpointSlice and in its Pod.
 */
final class Claims {
    static final String SERVICE_NAME_LABEL = "kubernetes.io/service-name";
    private static final Logger LOG = LoggerFactory.getLogger(Claims.class);

    private Claims() {
    }

    /** Every ClusterIP (both families on dual-stack) → (ns, svc, ""). Headless and ExternalName claim nothing. */
    static List<Claim> ofService(Service service) {
        var spec = service.getSpec();
        if (spec == null) {
            return List.of();
        }
        List<String> ips = spec.getClusterIPs() != null && !spec.getClusterIPs().isEmpty()
                ? spec.getClusterIPs()
                : spec.getClusterIP() == null ? List.of() : List.of(spec.getClusterIP());
        var destination = new Destination(namespace(service), name(service), "");
        var claims = new ArrayList<Claim>(ips.size());
        for (String ip : ips) {
            if (ip != null && !ip.isEmpty() && !"None".equals(ip)) {
                addParsed(claims, service, ip, destination);
            }
        }
        return claims;
    }

    /** Every endpoint address → (ns, owning Service, target Pod or ""). Slices not owned by a Service claim nothing. */
    static List<Claim> ofEndpointSlice(EndpointSlice slice) {
        Map<String, String> labels = slice.getMetadata().getLabels();
        String service = labels == null ? null : labels.get(SERVICE_NAME_LABEL);
        if (service == null || "FQDN".equals(slice.getAddressType()) || slice.getEndpoints() == null) {
            return List.of();
        }
        String namespace = namespace(slice);
        service = service.intern();
        var claims = new ArrayList<Claim>();
        for (Endpoint endpoint : slice.getEndpoints()) {
            if (endpoint.getAddresses() == null) {
                continue;
            }
            ObjectReference target = endpoint.getTargetRef();
            String pod = target != null && "Pod".equals(target.getKind()) && target.getName() != null
                    ? target.getName().intern() : "";
            var destination = new Destination(namespace, service, pod);
            for (String ip : endpoint.getAddresses()) {
                addParsed(claims, slice, ip, destination);
            }
        }
        return claims;
    }

    /**
     * Every pod IP → (ns, "", pod). hostNetwork pods claim nothing (their IP is the node's), nor do finished
     * pods, whose IPs the network plugin has released for reuse.
     */
    static List<Claim> ofPod(Pod pod) {
        if (pod.getSpec() != null && Boolean.TRUE.equals(pod.getSpec().getHostNetwork())) {
            return List.of();
        }
        var status = pod.getStatus();
        if (status == null || "Succeeded".equals(status.getPhase()) || "Failed".equals(status.getPhase())) {
            return List.of();
        }
        List<String> ips = new ArrayList<>(2);
        if (status.getPodIPs() != null && !status.getPodIPs().isEmpty()) {
            for (PodIP podIp : status.getPodIPs()) {
                ips.add(podIp.getIp());
            }
        } else if (status.getPodIP() != null) {
            ips.add(status.getPodIP());
        }
        var destination = new Destination(namespace(pod), "", name(pod));
        var claims = new ArrayList<Claim>(ips.size());
        for (String ip : ips) {
            if (ip != null && !ip.isEmpty()) {
                addParsed(claims, pod, ip, destination);
            }
        }
        return claims;
    }

    static String namespace(HasMetadata object) {
        String namespace = object.getMetadata().getNamespace();
        return namespace == null ? "" : namespace.intern();
    }

    static String name(HasMetadata object) {
        return object.getMetadata().getName().intern();
    }

    private static void addParsed(List<Claim> claims, HasMetadata owner, String ip, Destination destination) {
        try {
            claims.add(new Claim(IpKey.parse(ip), destination));
        } catch (IllegalArgumentException e) {
            LOG.warn("Skipping address {} of {} {}/{}: not an IP address", ip, owner.getKind(),
                    owner.getMetadata().getNamespace(), owner.getMetadata().getName());
        }
    }
}
