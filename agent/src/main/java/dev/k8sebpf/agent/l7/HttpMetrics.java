package dev.k8sebpf.agent.l7;

import dev.k8sebpf.agent.httpparse.HttpMethod;
import dev.k8sebpf.agent.mapping.Destination;
import dev.k8sebpf.agent.mapping.IpKey;
import dev.k8sebpf.agent.metrics.FunctionCounters;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.Collections;
import java.util.HashMap;
import java.util.Set;
import java.util.function.LongSupplier;

/**
 * The L7 series. Counters are cached per label tuple, so a request costs one hash lookup with a reused
 * key and an increment: no registry lookup, no label strings. A series without requests for the
 * series TTL is removed from the registry, so clients and pods that come and go do not grow the
 * agent's memory and /metrics forever; if its labels come back, it starts again from 1. Counting is for
 * the event thread only; the registry reads the counters from the scrape thread.
 */
final class HttpMetrics {
    static final String REQUESTS = "internal_http_requests";
    static final String FILTERED = "internal_http_filtered_requests";
    static final String LOST = "internal_http_lost_events";
    static final String IN_KERNEL = "internal_http_kernel_counted_requests";

    private final MeterRegistry registry;
    private final HashMap<RequestSeries, Series> requests = new HashMap<>();
    private final RequestSeries probe = new RequestSeries();
    private final Counter filtered;
    private final long ttlNanos;
    private final long sweepEveryNanos;
    private long now;
    private long lastSweep;

    /** A counter and when it last counted (the clock of the drain it was counted in). */
    private static final class Series {
        final Counter counter;
        long lastUsed;

        Series(Counter counter) {
            this.counter = counter;
        }
    }

    /** @param seriesTtl how long a series may go without a request; zero keeps every series */
    HttpMetrics(MeterRegistry registry, Duration seriesTtl) {
        this.registry = registry;
        this.ttlNanos = seriesTtl.toNanos();
        // often enough that a series outlives its TTL by a quarter at most, and at least once a minute
        this.sweepEveryNanos = Math.clamp(ttlNanos / 4, Duration.ofSeconds(1).toNanos(), Duration.ofMinutes(1).toNanos());
        this.filtered = Counter.builder(FILTERED)
                .description("Inbound HTTP requests to health-check or scrape paths, left out of internal_http_requests_total")
                .register(registry);
    }

    void countRequest(long sourceHi, long sourceLo, Destination destination, HttpMethod method, String path, String comm,
                      long n) {
        Series series = requests.get(probe.set(sourceHi, sourceLo, destination, method, path, comm));
        if (series == null) {
            series = newSeries(probe.copy());
        }
        series.counter.increment(n);
        series.lastUsed = now;
    }

    /**
     * Sets the clock for the requests of the next drain and removes the series idle for longer than the
     * TTL (checked a few times per TTL). Returns whether any series went away.
     */
    boolean startDrain(long nowNanos) {
        now = nowNanos;
        if (ttlNanos == 0 || now - lastSweep < sweepEveryNanos) {
            return false;
        }
        lastSweep = now;
        return requests.values().removeIf(series -> {
            boolean idle = now - series.lastUsed > ttlNanos;
            if (idle) {
                registry.remove(series.counter);
            }
            return idle;
        });
    }

    /** The label tuples that have a series now. */
    Set<RequestSeries> series() {
        return Collections.unmodifiableSet(requests.keySet());
    }

    void countFiltered(long n) {
        filtered.increment(n);
    }

    /** The kernel's dropped events and the requests it counted itself, read at scrape time. */
    void bindKernel(LongSupplier lostEvents, LongSupplier countedInKernel) {
        FunctionCounters.register(registry, LOST, "HTTP events dropped in the kernel because the ring buffer was full",
                lostEvents);
        FunctionCounters.register(registry, IN_KERNEL,
                "Requests of internal_http_requests_total (and filtered ones) counted in the kernel as repeats of a connection's previous request",
                countedInKernel);
    }

    private Series newSeries(RequestSeries labels) {
        Counter counter = Counter.builder(REQUESTS)
                .description("Inbound HTTP/1.x requests by client, destination, method, path and server process")
                .tag("source_ip", new IpKey(labels.sourceHi, labels.sourceLo).toString())
                .tag("destination_namespace", labels.destination.namespace())
                .tag("destination_service", labels.destination.service())
                .tag("destination_pod", labels.destination.pod())
                .tag("method", labels.method.name())
                .tag("path", labels.path)
                .tag("process_comm", labels.comm)
                .register(registry);
        Series series = new Series(counter);
        requests.put(labels, series);
        return series;
    }
}
