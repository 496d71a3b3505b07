package dev.k8sebpf.agent.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.HashMap;
import java.util.Set;
import java.util.function.BiPredicate;
import java.util.function.Predicate;

/**
 * The series of one meter family (counters; a histogram's timers), bounded in number and in idle time, so that no label a process or a
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
 * @param <M> the meter of a series
 */
public final class SeriesCache<K, M extends Meter> {
    /** The label value that stands for "any other value" in overflow series. */
    public static final String OTHER = "{other}";

    /** What the cache needs to know about its label tuples and their meters. */
    public interface Labels<K, M extends Meter> {
        /** An immutable copy of {@code probe}, stored as the key of a new series (probes may be reused). */
        K copy(K probe);

        /** The tuple {@code key} is counted under once the cache is full. */
        K overflow(K key);

        /** Builds and registers the meter of a new series. */
        M register(K key);

        /** Adds one observation of {@code amount} to the meter (a count, a duration in nanoseconds). */
        void record(M meter, double amount);
    }

    /** Labels of a counter family: an observation is added to the count. */
    public interface CounterLabels<K> extends Labels<K, Counter> {
        @Override
        default void record(Counter counter, double amount) {
            counter.increment(amount);
        }
    }

    private static final class Series<M> {
        final M meter;
        final boolean overflow;
        long lastUsed;

        Series(M meter, boolean overflow, long now) {
            this.meter = meter;
            this.overflow = overflow;
            this.lastUsed = now;
        }
    }

    private final MeterRegistry registry;
    private final Labels<K, M> labels;
    private final int maxSeries;
    private final long ttlNanos;
    private final long sweepEveryNanos;
    private final HashMap<K, Series<M>> series = new HashMap<>();
    private int ordinarySeries;
    private long lastSweep;
    private long overflowed;

    /**
     * @param maxSeries most series besides the overflow ones
     * @param ttl       how long a series may go without a count; zero keeps every series
     */
    public SeriesCache(MeterRegistry registry, Labels<K, M> labels, int maxSeries, Duration ttl) {
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

    /** Records {@code n} in the series of {@code probe} (or in its overflow series when the cache is full). */
    public synchronized void count(K probe, double n, long nowNanos) {
        Series<M> s = series.get(probe);
        if (s == null) {
            s = newSeries(probe, nowNanos);
        }
        labels.record(s.meter, n);
        s.lastUsed = nowNanos;
    }

    private Series<M> newSeries(K probe, long now) {
        if (ordinarySeries < maxSeries) {
            K key = labels.copy(probe);
            Series<M> s = new Series<>(labels.register(key), false, now);
            series.put(key, s);
            ordinarySeries++;
            return s;
        }
        overflowed++;
        // a tuple whose labels already are the overflow ones (a process named {other}) shares that series
        return series.computeIfAbsent(labels.overflow(probe), key -> new Series<>(labels.register(key), true, now));
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

    private boolean removeWhere(BiPredicate<K, Series<M>> condition) {
        return series.entrySet().removeIf(entry -> {
            if (!condition.test(entry.getKey(), entry.getValue())) {
                return false;
            }
            registry.remove(entry.getValue().meter);
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
