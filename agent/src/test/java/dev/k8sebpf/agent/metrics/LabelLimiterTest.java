package dev.k8sebpf.agent.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class LabelLimiterTest {
    private static final String OTHER = "/{other}";

    @Test
    void reportsNewPathsBeyondTheCapAsOverflowPerDestination() {
        LabelLimiter limiter = new LabelLimiter(2, OTHER, "paths");
        assertThat(limiter.limit("ns/a", "/one")).isEqualTo("/one");
        assertThat(limiter.limit("ns/a", "/two")).isEqualTo("/two");
        assertThat(limiter.limit("ns/a", "/three")).isEqualTo(OTHER);
        assertThat(limiter.limit("ns/a", "/one")).isEqualTo("/one");
        assertThat(limiter.limit("ns/a", "/two")).isEqualTo("/two");
        assertThat(limiter.limit("ns/a", "/four")).isEqualTo(OTHER);
        assertThat(limiter.limit("ns/b", "/three")).isEqualTo("/three");
        assertThat(limiter.overflowed()).isEqualTo(2);
    }

    @Test
    void aPathWhoseSeriesWentAwayFreesItsSlot() {
        LabelLimiter limiter = new LabelLimiter(2, OTHER, "paths");
        assertThat(List.of(limiter.limit("ns/a", "/a"), limiter.limit("ns/a", "/b"), limiter.limit("ns/a", "/c")))
                .containsExactly("/a", "/b", OTHER);
        limiter.retainOnly(Map.of("ns/a", Set.of("/b")));
        assertThat(List.of(limiter.limit("ns/a", "/c"), limiter.limit("ns/a", "/d"), limiter.limit("ns/a", "/b")))
                .containsExactly("/c", OTHER, "/b");
        limiter.retainOnly(Map.of());
        assertThat(List.of(limiter.limit("ns/a", "/x"), limiter.limit("ns/a", "/y"), limiter.limit("ns/a", "/z")))
                .containsExactly("/x", "/y", OTHER);
    }

    @Test
    void rejectsANonPositiveCap() {
        assertThatThrownBy(() -> new LabelLimiter(0, OTHER, "paths"))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("max paths per service must be at least 1, got 0");
    }
}
