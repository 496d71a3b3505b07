package dev.k8sebpf.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/** The monitoring files under deploy/ that the tests hold to what the agent and the stores accept. */
final class DeployFiles {
    static final Path DEPLOY = Path.of(System.getProperty("deploy.dir", "../deploy"));
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern SERIES_NAME = Pattern.compile("\\binternal_[a-z_]+");

    private DeployFiles() {
    }

    static JsonNode yaml(String relative) throws IOException {
        return YAML.readTree(DEPLOY.resolve(relative).toFile());
    }

    /** Writes one key of a ConfigMap to a file, for the store's own config checker. */
    static Path configMapEntry(String relative, String key, Path dir) throws IOException {
        String text = yaml(relative).path("data").path(key).asText(null);
        if (text == null) {
            throw new AssertionError(relative + " has no data." + key);
        }
        return Files.writeString(dir.resolve(key), text);
    }

    static List<JsonNode> scaledObjects() throws IOException {
        List<JsonNode> objects = new ArrayList<>();
        try (Stream<Path> files = Files.list(DEPLOY.resolve("keda"))) {
            for (Path file : files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList()) {
                JsonNode object = YAML.readTree(file.toFile());
                if ("ScaledObject".equals(object.path("kind").asText())) {
                    objects.add(object);
                }
            }
        }
        return objects;
    }

    static JsonNode dashboard() throws IOException {
        return JSON.readTree(DEPLOY.resolve("grafana/k8s-ebpf-l4l7-metrics.json").toFile());
    }

    /** Every PromQL expression of the dashboard's panels. */
    static List<String> dashboardExpressions() throws IOException {
        List<String> expressions = new ArrayList<>();
        for (JsonNode panel : dashboard().path("panels")) {
            for (JsonNode target : panel.path("targets")) {
                expressions.add(target.path("expr").asText());
            }
        }
        return expressions;
    }

    /** Every internal_* series name the dashboard and the KEDA examples query. */
    static List<String> queriedSeries() throws IOException {
        List<String> texts = new ArrayList<>(dashboardExpressions());
        for (JsonNode object : scaledObjects()) {
            object.path("spec").path("triggers").forEach(trigger -> texts.add(trigger.path("metadata").path("query").asText()));
        }
        return texts.stream().flatMap(text -> SERIES_NAME.matcher(text).results().map(m -> m.group())).distinct().sorted().toList();
    }
}
