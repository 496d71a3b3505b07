package dev.k8sebpf.agent.mapping;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.yaml.snakeyaml.LoaderOptions;

/**
 * MODE=local: mappings from a file of Kubernetes Services and EndpointSlices, as printed by
 * {@code kubectl get svc,endpointslices -A -o yaml} (a {@code kind: List}) or as multi-document YAML.
 * A ClusterIP maps to (namespace, service, ""), an endpoint address to (namespace, service, pod).
 *
 * <p>Read as a stream: a list's items are parsed one at a time into a small tree and reduced to their
 * IPs at once, so the heap holds the result (about 400 bytes per IP) and one object, never the whole
 * dump: a dump of a large cluster (10,000 Services and 10,000 slices, 14 MB) reads in the agent's heap.
 */
public record MappingFile(Set<ServiceName> services, Map<IpKey, Destination> addresses) {
    private static final Logger LOG = LoggerFactory.getLogger(MappingFile.class);
    private static final String SERVICE_NAME_LABEL = "kubernetes.io/service-name";
    // SnakeYAML refuses documents over 3 MB by default; a kind: List dump is one document
    private static final int MAX_CODE_POINTS = 1 << 30;
    private static final ObjectMapper YAML = new ObjectMapper(YAMLFactory.builder()
            .loaderOptions(largeDocuments())
            .build());

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

    private static LoaderOptions largeDocuments() {
        var options = new LoaderOptions();
        options.setCodePointLimit(MAX_CODE_POINTS);
        return options;
    }

    public static MappingFile read(Path file) throws MappingFileException {
        // a FIFO or a device would block the start (or never end) instead of failing
        if (Files.exists(file) && !Files.isRegularFile(file)) {
            throw new MappingFileException(file, "not a regular file (a directory, FIFO or device?): give the path of a"
                    + " `kubectl get svc,endpointslices -A -o yaml` dump");
        }
        var builder = new Builder(file);
        try (Reader reader = utf8(file); JsonParser parser = YAML.createParser(reader)) {
            int document = 0;
            while (parser.nextToken() != null) {
                document++;
                readDocument(parser, builder, "document " + document);
            }
        } catch (CharacterCodingException e) {
            throw notText(file);
        } catch (JsonProcessingException e) {
            if (causedByDecoding(e)) {
                throw notText(file);
            }
            throw new MappingFileException(file, "not valid Kubernetes YAML: " + firstLine(e.getOriginalMessage())
                    + location(e));
        } catch (IOException e) {
            throw new MappingFileException(file, "cannot read it (" + e.getClass().getSimpleName() + ": " + e.getMessage() + ")");
        }
        return builder.build();
    }

    private static MappingFileException notText(Path file) {
        return new MappingFileException(file, "not UTF-8 text (a binary file?): give a"
                + " `kubectl get svc,endpointslices -A -o yaml` dump");
    }

    /** SnakeYAML reports a decoding error of the reader as a YAML error. */
    private static boolean causedByDecoding(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof CharacterCodingException) {
                return true;
            }
        }
        return false;
    }

    private static Reader utf8(Path file) throws IOException {
        return new InputStreamReader(Files.newInputStream(file), StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT));
    }

    /**
     * One YAML document: a list (any object with an {@code items} array, as kubectl prints {@code kind:
     * List}), streamed item by item, or a single object.
     */
    private static void readDocument(JsonParser parser, Builder builder, String where) throws IOException, MappingFileException {
        if (parser.currentToken() == JsonToken.VALUE_NULL) {
            return; // an empty document (a trailing ---)
        }
        if (parser.currentToken() != JsonToken.START_OBJECT) {
            throw builder.bad(where + " is not a Kubernetes object or list (it is "
                    + describe(parser.currentToken()) + ")");
        }
        var fields = YAML.createObjectNode();
        boolean list = false;
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String name = parser.currentName();
            JsonToken value = parser.nextToken();
            if (name.equals("items") && value == JsonToken.START_ARRAY) {
                list = true;
                int item = 0;
                while (parser.nextToken() != JsonToken.END_ARRAY) {
                    item++;
                    JsonNode object = parser.readValueAsTree();
                    builder.add(object, where + " item " + item);
                }
            } else {
                fields.set(name, parser.readValueAsTree());
            }
        }
        if (!list) {
            builder.add(fields, where);
        }
    }

    private static String describe(JsonToken token) {
        return switch (token) {
            case START_ARRAY -> "a sequence";
            case VALUE_STRING -> "text";
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "a number";
            case VALUE_TRUE, VALUE_FALSE -> "a boolean";
            default -> token.asString() == null ? token.name() : token.asString();
        };
    }

    private static String firstLine(String message) {
        String m = message == null ? "unreadable" : message.strip();
        int end = m.indexOf('\n');
        return end < 0 ? m : m.substring(0, end);
    }

    private static String location(JsonProcessingException e) {
        return e.getLocation() == null || e.getLocation().getLineNr() < 1 ? ""
                : " (line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")";
    }

    /** Registers every Service and puts every address into the table. */
    public void applyTo(MappingTable table, ServiceCatalog catalog) {
        services.forEach(service -> catalog.serviceAdded(service.namespace(), service.name()));
        addresses.forEach(table::put);
    }

    private static final class Builder {
        private final Path file;
        private final Set<ServiceName> services = new LinkedHashSet<>();
        private final Map<IpKey, Destination> addresses = new LinkedHashMap<>();
        // which Service claimed a ClusterIP first, to warn when another claims it too
        private final Map<IpKey, ServiceName> clusterIpOwners = new HashMap<>();
        private int ignored;
        private int withoutApiVersion;

        Builder(Path file) {
            this.file = file;
        }

        MappingFileException bad(String problem) {
            return new MappingFileException(file, problem);
        }

        void add(JsonNode object, String where) throws MappingFileException {
            if (object.isNull()) {
                return; // `- null` in a list, as hand-edited files have
            }
            if (!object.isObject()) {
                throw bad(where + " is not a Kubernetes object");
            }
            String kind = object.path("kind").asText("");
            if (kind.isEmpty()) {
                throw bad(where + " has no kind (kubectl prints kind: Service or kind: EndpointSlice)");
            }
            if (!object.hasNonNull("apiVersion")) {
                withoutApiVersion++;
            }
            switch (kind) {
                case "Service" -> addService(object, where);
                case "EndpointSlice" -> addSlice(object, where);
                default -> ignored++;
            }
        }

        MappingFile build() {
            if (ignored > 0) {
                LOG.info("{}: ignored {} objects that are neither Services nor EndpointSlices", file, ignored);
            }
            if (withoutApiVersion > 0) {
                LOG.warn("{}: {} objects have no apiVersion; read by their kind (v1 Service, discovery.k8s.io/v1 EndpointSlice)",
                        file, withoutApiVersion);
            }
            LOG.info("{}: {} services, {} addresses", file, services.size(), addresses.size());
            return new MappingFile(services, addresses);
        }

        private void addService(JsonNode service, String where) throws MappingFileException {
            ServiceName name = nameOf(service, "Service", where);
            services.add(name);
            JsonNode spec = service.path("spec");
            JsonNode clusterIps = spec.path("clusterIPs");
            if (!clusterIps.isArray() || clusterIps.isEmpty()) {
                clusterIps = spec.has("clusterIP") ? YAML.createArrayNode().add(spec.get("clusterIP")) : YAML.createArrayNode();
            }
            for (JsonNode node : clusterIps) {
                String ip = node.asText("");
                if (ip.isEmpty() || ip.equals("None")) { // "None": a headless Service has no ClusterIP
                    continue;
                }
                IpKey key = parse(ip, "Service " + name);
                ServiceName earlier = clusterIpOwners.putIfAbsent(key, name);
                if (earlier != null && !earlier.equals(name)) {
                    LOG.warn("{}: ClusterIP {} is claimed by Service {} and by Service {}; counted for {}", file, ip,
                            earlier, name, name);
                }
                addresses.put(key, new Destination(name.namespace(), name.name(), ""));
            }
        }

        private void addSlice(JsonNode slice, String where) throws MappingFileException {
            ServiceName sliceName = nameOf(slice, "EndpointSlice", where);
            String owner = slice.path("metadata").path("labels").path(SERVICE_NAME_LABEL).asText("");
            if (owner.isEmpty()) {
                LOG.info("{}: EndpointSlice {} has no {} label, ignored", file, sliceName, SERVICE_NAME_LABEL);
                return;
            }
            JsonNode endpoints = slice.path("endpoints");
            if ("FQDN".equals(slice.path("addressType").asText()) || !endpoints.isArray()) {
                return;
            }
            // The Service may be absent from the file; its slice still defines it for the activation series.
            services.add(new ServiceName(sliceName.namespace(), owner));
            for (JsonNode endpoint : endpoints) {
                JsonNode target = endpoint.path("targetRef");
                String pod = "Pod".equals(target.path("kind").asText()) ? target.path("name").asText("") : "";
                for (JsonNode address : endpoint.path("addresses")) {
                    if (address.isNull()) {
                        throw bad("EndpointSlice " + sliceName + ": an address is empty (null)");
                    }
                    addresses.put(parse(address.asText(""), "EndpointSlice " + sliceName),
                            new Destination(sliceName.namespace(), owner, pod));
                }
            }
        }

        private ServiceName nameOf(JsonNode object, String kind, String where) throws MappingFileException {
            JsonNode meta = object.path("metadata");
            String name = meta.path("name").asText("");
            if (name.isEmpty()) {
                throw bad("a " + kind + " has no metadata.name (" + where + ")");
            }
            // kubectl output always carries the namespace; hand-written files may rely on kubectl's default.
            String namespace = meta.path("namespace").asText("");
            return new ServiceName(namespace.isEmpty() ? "default" : namespace, name);
        }

        private IpKey parse(String ip, String where) throws MappingFileException {
            try {
                return IpKey.parse(ip);
            } catch (IllegalArgumentException e) {
                throw bad(where + ": " + e.getMessage());
            }
        }
    }
}
