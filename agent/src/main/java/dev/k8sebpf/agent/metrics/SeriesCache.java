package dev.k8sebpf.agent.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.HashMap;
import java.util.Set;
import java.util.function.BiPredicate;
import java.util.function.Predicate;

/**
 * The series of one counter family, bounded in number and in idle time, so that no label a process or a
 * client chooses (a renamed process, a scan from many source IPs) can grow the heap until the agent dies.
 * Every series costs a fixed amount of heap (BENCHMARKS.md, "Series"), so {@code maxSeries} times that
 * is the memory the family can take. Once the family has {@code maxSeries} series, a new label tuple is
 * counted in its <em>overflow</em> series instead ({@link Labels#overflow}: the same destination, the
 * unbounded labels replaced by {@link #OTHER}); overflow series are allowed beyond the cap, as there is one
 * per destination at most and destinations are bounded by the mapping. Nothing is lost: every count lands
 * in some series with the right destination.
 *
 * <p>A series without counts for the TTL is removed from the registry; if its labels come back it starts
 * again from the new count. Methods are synchronized: counting runs on the event thread, the sweep and
 * removals may run on the scrape or watch threads (uncontended locking costs a few nanoseconds).
 *
 * @param <K> the label tuple, a hash key
 */
public final class SeriesCache<K> {
    /** The label value that stands for "any other value" in overflow series. */
    public static final String OTHER = "{other}";

    /** What the cache needs to know about its label tuples. */
    public interface Labels<K> {
        /** An immutable copy of {@code probe}, stored as the key of a new series (probes may be reused). */
        K copy(K probe);

        /** The tuple {@code key} is counted under once the cache is full. */
        K overflow(K key);

        /** Builds and registers the counter of a new series. */
        Counter register(K key);
    }

    private static final class Series {
        final Counter counter;
        final boolean overflow;
        long lastUsed;

        Series(Counter counter, boolean overflow, long now) {
            this.counter = counter;
            this.overflow = overflow;
            this.lastUsed = now;
        }
    }

    private final MeterRegistry registry;
    private final Labels<K> labels;
    private final int maxSeries;
    private final long ttlNanos;
    private final long sweepEveryNanos;
    private final HashMap<K, Series> series = new HashMap<>();
    private int ordinarySeries;
    private long lastSweep;
    private long overflowed;

    /**
     * @param maxSeries most series besides the overflow ones
     * @param ttl       how long a series may go without a count; zero keeps every series
     */
    public SeriesCache(MeterRegistry registry, Labels<K> labels, int maxSeries, Duration ttl) {
        if (maxSeries < 1) {
            throw new IllegalArgumentException("max series must be at least 1, got " + maxSeries);
        }
        this.registry = registry;
        this.labels = labels;
        this.maxSeries = maxSeries;
        this.ttlNanos = ttl.toNanos();
        // often enough that a series outlives its TTL by a quarter at most, and at least once a minute
        this.sweepEveryNanos = Math.clamp(ttlNanos / 4, Duration.ofSeconds(1).toNanos(), Duration.ofMinutes(1).toNanos());
    }

    /** Adds {@code n} to the series of {@code probe} (or to its overflow series when the cache is full). */
    public synchronized void count(K probe, double n, long nowNanos) {
        Series s = series.get(probe);
        if (s == null) {
            s = newSeries(probe, nowNanos);
        }
        s.counter.increment(n);
        s.lastUsed = nowNanos;
    }

    private Series newSeries(K probe, long now) {
        if (ordinarySeries < maxSeries) {
            K key = labels.copy(probe);
            Series s = new Series(labels.register(key), false, now);
            series.put(key, s);
            ordinarySeries++;
            return s;
        }
        overflowed++;
        // a tuple whose labels already are the overflow ones (a process named {other}) shares that series
        return series.computeIfAbsent(labels.overflow(probe), key -> new Series(labels.register(key), true, now));
    }

    /**
     * Removes the series idle for longer than the TTL, checked a few times per TTL at most. Returns whether
     * any series went away.
     */
    public synchronized boolean sweep(long nowNanos) {
        if (ttlNanos == 0 || nowNanos - lastSweep < sweepEveryNanos) {
            return false;
        }
        lastSweep = nowNanos;
        return removeWhere((key, s) -> nowNanos - s.lastUsed > ttlNanos);
    }

    /** Removes the series whose labels match, e.g. those of a Service that went away. */
    public synchronized void removeIf(Predicate<K> matches) {
        removeWhere((key, s) -> matches.test(key));
    }

    private boolean removeWhere(BiPredicate<K, Series> condition) {
        return series.entrySet().removeIf(entry -> {
            if (!condition.test(entry.getKey(), entry.getValue())) {
                return false;
            }
            registry.remove(entry.getValue().counter);
            if (!entry.getValue().overflow) {
                ordinarySeries--;
            }
            return true;
        });
    }

    /** The label tuples that have a series now (a copy). */
    public synchronized Set<K> keys() {
        return Set.copyOf(series.keySet());
    }

    /** Counts that went to an overflow series because the cache was full. */
    public synchronized long overflowed() {
        return overflowed;
    }
}
