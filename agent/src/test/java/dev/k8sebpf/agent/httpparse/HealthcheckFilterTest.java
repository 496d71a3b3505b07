package dev.k8sebpf.agent.httpparse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class HealthcheckFilterTest {

    @ParameterizedTest
    @ValueSource(strings = {"/healthz", "/readyz", "/livez", "/health", "/metrics", "/ping"})
    void dropsBuiltInPathsWhenEnabled(String path) {
        assertThat(HealthcheckFilter.of(true, null).isHealthcheck(path)).isTrue();
        assertThat(HealthcheckFilter.of(false, "/x").isHealthcheck(path)).isFalse();
    }

    @Test
    void builtInPathsMatchExactly() {
        HealthcheckFilter filter = HealthcheckFilter.of(true, "");
        assertThat(filter.isHealthcheck("/healthz/")).isFalse();
        assertThat(filter.isHealthcheck("/healthzz")).isFalse();
        assertThat(filter.isHealthcheck("/api/health")).isFalse();
    }

    @Test
    void extraExactEntriesAreNormalisedLikeRequestPaths() {
        HealthcheckFilter filter = HealthcheckFilter.of(true, " /status , ,/nodes/17/alive?verbose=1");
        assertThat(filter.isHealthcheck("/status")).isTrue();
        assertThat(filter.isHealthcheck("/status/deep")).isFalse();
        assertThat(filter.isHealthcheck("/nodes/{id}/alive")).isTrue();
    }

    @Test
    void extraEntriesEndingInAStarArePrefixes() {
        HealthcheckFilter filter = HealthcheckFilter.of(true, "/internal/*,/probe*");
        assertThat(filter.isHealthcheck("/internal/")).isTrue();
        assertThat(filter.isHealthcheck("/internal/{id}/state")).isTrue();
        assertThat(filter.isHealthcheck("/probes")).isTrue();
        assertThat(filter.isHealthcheck("/internal")).isFalse();
        assertThat(filter.isHealthcheck("/api/internal/x")).isFalse();
    }

    @Test
    void rejectsEntriesThatAreNotPaths() {
        assertThatThrownBy(() -> HealthcheckFilter.of(true, "/ok,healthz"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("HEALTHCHECK_PATHS entry 'healthz' must start with '/'");
        assertThatThrownBy(() -> HealthcheckFilter.of(false, "*")).isInstanceOf(IllegalArgumentException.class);
    }
}
