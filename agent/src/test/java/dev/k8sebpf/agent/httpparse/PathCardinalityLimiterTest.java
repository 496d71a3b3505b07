package dev.k8sebpf.agent.httpparse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.Set;
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
    void aPathWhoseSeriesWentAwayFreesItsSlot() {
        PathCardinalityLimiter limiter = new PathCardinalityLimiter(2);
        assertThat(List.of(limiter.limit("ns/a", "/a"), limiter.limit("ns/a", "/b"), limiter.limit("ns/a", "/c")))
                .containsExactly("/a", "/b", PathCardinalityLimiter.OVERFLOW_PATH);
        limiter.retainOnly(Map.of("ns/a", Set.of("/b")));
        assertThat(List.of(limiter.limit("ns/a", "/c"), limiter.limit("ns/a", "/d"), limiter.limit("ns/a", "/b")))
                .containsExactly("/c", PathCardinalityLimiter.OVERFLOW_PATH, "/b");
        limiter.retainOnly(Map.of());
        assertThat(List.of(limiter.limit("ns/a", "/x"), limiter.limit("ns/a", "/y"), limiter.limit("ns/a", "/z")))
                .containsExactly("/x", "/y", PathCardinalityLimiter.OVERFLOW_PATH);
    }

    @Test
    void rejectsANonPositiveCap() {
        assertThatThrownBy(() -> new PathCardinalityLimiter(0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least 1");
    }
}
