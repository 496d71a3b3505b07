package dev.k8sebpf.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** deploy/'s scrape configs pass the stores' own checkers; the KEDA examples run the tested query. */
class DeployConfigsTest {
    @TempDir
    Path dir;

    /**
     * Checked with VictoriaMetrics' strict Prometheus-compatible parser: Debian builds Prometheus without
     * Kubernetes service discovery, so its promtool rejects kubernetes_sd_configs that upstream accepts.
     */
    @ParameterizedTest
    @CsvSource({"prometheus/scrape-config.yaml, prometheus.yml", "vmagent/scrape-config.yaml, scrape.yml"})
    void theScrapeConfigsPassAStrictPrometheusCompatibleParser(String file, String key) throws Exception {
        Path vm = Requirements.requireExecutable("/usr/bin/victoria-metrics");
        Path config = DeployFiles.configMapEntry(file, key, dir);
        assertThat(run(List.of(vm.toString(), "-promscrape.config=" + config, "-promscrape.config.dryRun",
                "-promscrape.config.strictParse", "-loggerLevel=ERROR"))).isEqualTo("0: ");
    }

    @Test
    void everyScaledObjectWakesFromZeroOnTheQueryTheEndToEndTestRuns() throws IOException {
        List<JsonNode> scaledObjects = DeployFiles.scaledObjects();
        assertThat(scaledObjects).hasSizeGreaterThanOrEqualTo(3);
        for (JsonNode object : scaledObjects) {
            String namespace = object.path("metadata").path("namespace").asText();
            assertThat(object.path("spec").path("minReplicaCount").asInt(-1)).as("%s minReplicaCount", object.path("metadata")).isZero();
            JsonNode pushed = object.path("spec").path("triggers").path(0);
            if (pushed.path("type").asText().equals("external-push")) {
                // the agent's own scaler (SCALER_ADDR): the same Service, woken by one attempt
                assertThat(pushed.path("metadata").path("service").asText()).isEqualTo("web");
                assertThat(pushed.path("metadata").path("activationThreshold").asText()).isEqualTo("0");
                continue;
            }
            List<JsonNode> activations = object.path("spec").path("triggers").valueStream()
                    .filter(t -> t.path("metadata").path("query").asText().contains("internal_tcp_service_attempts_total"))
                    .toList();
            assertThat(activations).as("%s: one activation trigger", object.path("metadata")).hasSize(1);
            JsonNode metadata = activations.getFirst().path("metadata");
            assertThat(metadata.path("query").asText()).isEqualTo(ActivationQuery.forService(namespace, "web"));
            assertThat(metadata.path("activationThreshold").asText()).isEqualTo("0");
        }
    }

    /** "0: output" or "<exit code>: output", so a failure shows the checker's words. */
    private static String run(List<String> command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        return process.exitValue() + ": " + output;
    }
}
