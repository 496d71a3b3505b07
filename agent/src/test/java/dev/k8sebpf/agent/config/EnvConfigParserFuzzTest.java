package dev.k8sebpf.agent.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Coverage-guided (Jazzer, see FUZZING.md): any environment gives a configuration that keeps the documented
 * limits, or a one-line {@link ConfigException} naming the variable; never another exception.
 */
class EnvConfigParserFuzzTest {
    private static final List<String> VARIABLES = List.of("MODE", "METRICS_ADDR", "WATCH_NAMESPACE", "MAPPER_TTL",
            "MAPPER_CAPACITY", "EXCLUDE_COMMS", "ENABLE_L4", "ENABLE_L7_HTTP", "ENABLE_L7_TLS", "ENABLE_L7_RESPONSES",
            "FILTER_HEALTHCHECK", "HEALTHCHECK_PATHS",
            "L7_EXCLUDE_COMMS", "L7_MAX_PATHS", "L7_MAX_SERVER_NAMES", "L7_SERIES_TTL", "MAPPING_FILE", "L4_HOOK_TIER", "L7_HOOK_TIER",
            "DROP_UNMAPPED", "LOG_LEVEL");

    @FuzzTest
    void fuzzEnvironment(FuzzedDataProvider data) {
        Map<String, String> env = new HashMap<>();
        while (data.remainingBytes() > 0) {
            env.put(VARIABLES.get(data.consumeInt(0, VARIABLES.size() - 1)), data.consumeString(64));
        }
        AgentConfig config;
        try {
            config = EnvConfigParser.fromEnv(env);
        } catch (ConfigException e) {
            assertThat(e.getMessage()).doesNotContain("\n", "\r").contains("\" is not valid: expected ");
            assertThat(VARIABLES.stream().anyMatch(v -> e.getMessage().startsWith(v + "=\""))).as(e.getMessage()).isTrue();
            return;
        }
        assertThat(config.metricsPort()).isBetween(0, 65535);
        assertThat(config.metricsHost()).isNotEmpty();
        assertThat(config.mapperTtl().isNegative()).isFalse();
        assertThat(config.l7SeriesTtl().isNegative()).isFalse();
        assertThat(config.mapperCapacity()).isPositive();
        assertThat(config.l7MaxPaths()).isPositive();
        for (List<String> comms : List.of(config.excludeComms(), config.l7ExcludeComms())) {
            comms.forEach(comm -> assertThat(comm.getBytes(StandardCharsets.UTF_8).length)
                    .isBetween(1, EnvConfigParser.MAX_COMM_BYTES));
        }
        config.healthcheckPaths().forEach(path -> assertThat(path).startsWith("/"));
        config.watchNamespaces().forEach(ns -> assertThat(ns).matches("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?"));
    }
}
