package dev.k8sebpf.agent.mapping;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesList;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectReference;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * MODE=local: mappings from a file of Kubernetes Services and EndpointSlices, as printed by
 * {@code kubectl get svc,endpointslices -A -o yaml} (a {@code kind: List}) or as multi-document YAML.
 * A ClusterIP maps to (namespace, service, ""), an endpoint address to (namespace, service, pod).
 */
public record MappingFile(Set<ServiceName> services, Map<IpKey, Destination> addresses) {
    private static final Logger LOG = LoggerFactory.getLogger(MappingFile.class);
    private static final String SERVICE_NAME_LABEL = "kubernetes.io/service-name";

    /** A Service known from the file, by namespace and name. */
    public record ServiceName(String namespace, String name) {
        @Override
        public String toString() {
            return namespace + "/" + name;
        }
    }

    public MappingFile {
        services = Set.copyOf(services);
        addresses = Map.copyOf(addresses);
    }

    public static MappingFile read(Path file) throws MappingFileException {
        Object parsed;
        try (InputStream in = Files.newInputStream(file)) {
            parsed = new KubernetesSerialization().unmarshal(in);
        } catch (IOException e) {
            throw new MappingFileException(file, "cannot read it (" + e.getClass().getSimpleName() + ": " + e.getMessage() + ")");
        } catch (RuntimeException e) {
            throw new MappingFileException(file, "not valid Kubernetes YAML: " + rootMessage(e));
        }
        var builder = new Builder(file);
        for (Object object : flatten(file, parsed)) {
            builder.add(object);
        }
        return builder.build();
    }

    /** Registers every Service and puts every address into the table. */
    public void applyTo(MappingTable table, ServiceCatalog catalog) {
        services.forEach(service -> catalog.serviceAdded(service.namespace(), service.name()));
        addresses.forEach(table::put);
    }

    private static List<Object> flatten(Path file, Object parsed) throws MappingFileException {
        List<Object> objects = new ArrayList<>();
        switch (parsed) {
            case null -> { }
            case KubernetesList list when list.getItems() == null -> { } // "kind: List" without items (found by fuzzing)
            case KubernetesList list -> objects.addAll(list.getItems());
            case Collection<?> documents -> {
                for (Object document : documents) {
                    objects.addAll(flatten(file, document));
                }
            }
            case HasMetadata object -> objects.add(object);
            default -> throw new MappingFileException(file, "not a Kubernetes object or list: " + parsed.getClass().getSimpleName());
        }
        return objects;
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
        int firstLine = message.indexOf('\n');
        return firstLine < 0 ? message : message.substring(0, firstLine);
    }

    private static final class Builder {
        private final Path file;
        private final Set<ServiceName> services = new LinkedHashSet<>();
        private final Map<IpKey, Destination> addresses = new LinkedHashMap<>();
        private int ignored;

        Builder(Path file) {
            this.file = file;
        }

        void add(Object object) throws MappingFileException {
            switch (object) {
                case Service service -> addService(service);
                case EndpointSlice slice -> addSlice(slice);
                case null, default -> ignored++; // "- null" in a list's items is no object
            }
        }

        MappingFile build() {
            if (ignored > 0) {
                LOG.info("{}: ignored {} objects that are neither Services nor EndpointSlices", file, ignored);
            }
            LOG.info("{}: {} services, {} addresses", file, services.size(), addresses.size());
            return new MappingFile(services, addresses);
        }

        private void addService(Service service) throws MappingFileException {
            ServiceName name = nameOf(service);
            services.add(name);
            if (service.getSpec() == null) {
                return;
            }
            List<String> clusterIps = service.getSpec().getClusterIPs();
            if (clusterIps == null || clusterIps.isEmpty()) {
                String single = service.getSpec().getClusterIP();
                clusterIps = single == null ? List.of() : List.of(single);
            }
            for (String ip : clusterIps) {
                if (ip != null && !ip.isEmpty() && !ip.equals("None")) { // "None": a headless Service has no ClusterIP
                    addresses.put(parse(ip, "Service " + name), new Destination(name.namespace(), name.name(), ""));
                }
            }
        }

        private void addSlice(EndpointSlice slice) throws MappingFileException {
            ServiceName sliceName = nameOf(slice);
            String owner = slice.getMetadata().getLabels() == null ? null : slice.getMetadata().getLabels().get(SERVICE_NAME_LABEL);
            if (owner == null || owner.isEmpty()) {
                LOG.info("{}: EndpointSlice {} has no {} label, ignored", file, sliceName, SERVICE_NAME_LABEL);
                return;
            }
            if ("FQDN".equals(slice.getAddressType()) || slice.getEndpoints() == null) {
                return;
            }
            // The Service may be absent from the file; its slice still defines it for the activation series.
            services.add(new ServiceName(sliceName.namespace(), owner));
            for (Endpoint endpoint : slice.getEndpoints()) {
                if (endpoint == null || endpoint.getAddresses() == null) {
                    continue;
                }
                ObjectReference target = endpoint.getTargetRef();
                String pod = target != null && "Pod".equals(target.getKind()) && target.getName() != null ? target.getName() : "";
                for (String ip : endpoint.getAddresses()) {
                    addresses.put(parse(ip, "EndpointSlice " + sliceName), new Destination(sliceName.namespace(), owner, pod));
                }
            }
        }

        private ServiceName nameOf(HasMetadata object) throws MappingFileException {
            ObjectMeta meta = object.getMetadata();
            if (meta == null || meta.getName() == null || meta.getName().isEmpty()) {
                throw new MappingFileException(file, "a " + object.getKind() + " has no metadata.name");
            }
            // kubectl output always carries the namespace; hand-written files may rely on kubectl's default.
            String namespace = meta.getNamespace() == null || meta.getNamespace().isEmpty() ? "default" : meta.getNamespace();
            return new ServiceName(namespace, meta.getName());
        }

        private IpKey parse(String ip, String where) throws MappingFileException {
            if (ip == null) {
                throw new MappingFileException(file, where + ": an address is empty (null)");
            }
            try {
                return IpKey.parse(ip);
            } catch (IllegalArgumentException e) {
                throw new MappingFileException(file, where + ": " + e.getMessage());
            }
        }
    }
}
