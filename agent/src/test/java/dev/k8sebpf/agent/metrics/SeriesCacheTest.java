package dev.k8sebpf.agent.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class SeriesCacheTest {
    /** A destination and a free label, as the L4 and L7 keys are. */
    private record Key(String destination, String free) {
    }

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    private SeriesCache<Key, Counter> cache(int max, Duration ttl) {
        return new SeriesCache<>(registry, new SeriesCache.CounterLabels<>() {
            @Override
            public Key copy(Key probe) {
                return probe;
            }

            @Override
            public Key overflow(Key key) {
                return new Key(key.destination(), SeriesCache.OTHER);
            }

            @Override
            public Counter register(Key key) {
                return Counter.builder("c").tag("d", key.destination()).tag("f", key.free()).register(registry);
            }
        }, max, ttl);
    }

    private Map<String, Double> series() {
        var out = new TreeMap<String, Double>();
        registry.find("c").counters().forEach(c -> out.put(c.getId().getTag("d") + "/" + c.getId().getTag("f"), c.count()));
        return out;
    }

    @Test
    void pastTheCapNewTuplesCountInTheirDestinationsOverflowSeriesAndNothingIsLost() {
        SeriesCache<Key, Counter> cache = cache(2, Duration.ZERO);
        for (int i = 0; i < 1_000; i++) {
            cache.count(new Key(i % 2 == 0 ? "a" : "b", "p" + i), 1, 0);
        }
        cache.count(new Key("a", "p0"), 1, 0); // an existing series keeps counting
        assertThat(series()).containsExactlyInAnyOrderEntriesOf(Map.of(
                "a/p0", 2.0, "b/p1", 1.0, "a/{other}", 499.0, "b/{other}", 499.0));
        assertThat(cache.overflowed()).isEqualTo(998);
    }

    @Test
    void aTupleThatLooksLikeTheOverflowSharesItsSeries() {
        SeriesCache<Key, Counter> cache = cache(1, Duration.ZERO);
        cache.count(new Key("a", "x"), 1, 0);
        cache.count(new Key("a", "y"), 1, 0);
        cache.count(new Key("a", SeriesCache.OTHER), 1, 0);
        assertThat(series()).containsExactlyInAnyOrderEntriesOf(Map.of("a/x", 1.0, "a/{other}", 2.0));
    }

    @Test
    void idleSeriesExpireAndFreeTheirPlaces() {
        long minute = Duration.ofMinutes(1).toNanos();
        SeriesCache<Key, Counter> cache = cache(1, Duration.ofMinutes(4));
        cache.count(new Key("a", "old"), 1, 0);
        cache.count(new Key("a", "new"), 1, 3 * minute); // full: overflow
        assertThat(cache.sweep(3 * minute)).isFalse();
        assertThat(cache.sweep(5 * minute)).isTrue(); // "old" idle 5 min; the overflow series 2 min
        assertThat(series()).containsExactlyInAnyOrderEntriesOf(Map.of("a/{other}", 1.0));
        cache.count(new Key("a", "new"), 1, 5 * minute); // the freed place is taken
        assertThat(series()).containsEntry("a/new", 1.0);
    }

    @Test
    void sweepsAreRateLimitedAndZeroTtlKeepsEverything() {
        SeriesCache<Key, Counter> keepAll = cache(10, Duration.ZERO);
        keepAll.count(new Key("a", "x"), 1, 0);
        assertThat(keepAll.sweep(Long.MAX_VALUE / 2)).isFalse();
        SeriesCache<Key, Counter> cache = cache(10, Duration.ofSeconds(8));
        long second = Duration.ofSeconds(1).toNanos();
        cache.count(new Key("a", "x"), 1, 0);
        assertThat(cache.sweep(20 * second)).isTrue();
        cache.count(new Key("a", "y"), 1, 20 * second);
        assertThat(cache.sweep(20 * second + second / 2)).as("within a quarter TTL of the last sweep").isFalse();
    }

    @Test
    void removingADestinationsSeriesFreesTheirPlaces() {
        SeriesCache<Key, Counter> cache = cache(2, Duration.ZERO);
        cache.count(new Key("a", "x"), 1, 0);
        cache.count(new Key("a", "y"), 1, 0);
        cache.count(new Key("a", "z"), 1, 0);
        cache.removeIf(k -> k.destination().equals("a"));
        assertThat(series()).isEmpty();
        assertThat(cache.keys()).isEmpty();
        cache.count(new Key("b", "x"), 1, 0);
        cache.count(new Key("b", "y"), 1, 0);
        assertThat(series()).containsOnlyKeys("b/x", "b/y");
    }
}
