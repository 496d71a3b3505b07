package dev.k8sebpf.agent.httpparse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class PathCardinalityLimiterTest {

    @Test
    void reportsNewPathsBeyondTheCapAsOverflowPerDestination() {
        PathCardinalityLimiter limiter = new PathCardinalityLimiter(2);
        assertThat(limiter.limit("ns/a", "/one")).isEqualTo("/one");
        assertThat(limiter.limit("ns/a", "/two")).isEqualTo("/two");
        assertThat(limiter.limit("ns/a", "/three")).isEqualTo(PathCardinalityLimiter.OVERFLOW_PATH);
        assertThat(limiter.limit("ns/a", "/one")).isEqualTo("/one");
        assertThat(limiter.limit("ns/a", "/two")).isEqualTo("/two");
        assertThat(limiter.limit("ns/a", "/four")).isEqualTo(PathCardinalityLimiter.OVERFLOW_PATH);
        assertThat(limiter.limit("ns/b", "/three")).isEqualTo("/three");
        assertThat(limiter.overflowed()).isEqualTo(2);
    }

    @Test
    void defaultCapIsAHundredPaths() {
        PathCardinalityLimiter limiter = new PathCardinalityLimiter(PathCardinalityLimiter.DEFAULT_MAX_PATHS);
        for (int i = 0; i < 100; i++) {
            assertThat(limiter.limit("ns/a", "/p" + i)).isEqualTo("/p" + i);
        }
        assertThat(limiter.limit("ns/a", "/p100")).isEqualTo(PathCardinalityLimiter.OVERFLOW_PATH);
    }

    @Test
    void rejectsANonPositiveCap() {
        assertThatThrownBy(() -> new PathCardinalityLimiter(0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least 1");
    }
}
