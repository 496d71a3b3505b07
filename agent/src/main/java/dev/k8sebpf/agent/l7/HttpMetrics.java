package dev.k8sebpf.agent.l7;

import dev.k8sebpf.agent.httpparse.HttpMethod;
import dev.k8sebpf.agent.mapping.Destination;
import dev.k8sebpf.agent.mapping.IpKey;
import dev.k8sebpf.agent.metrics.FunctionCounters;
import dev.k8sebpf.agent.metrics.SeriesCache;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * The L7 series, bounded in number and idle time by a {@link SeriesCache} each: source IPs, server names
 * and process names are chosen by clients and servers, so past L7_MAX_SERIES a new tuple is counted in
 * its destination's overflow series (requests: {@code source_ip}, {@code path} and {@code process_comm}
 * "{other}", the method kept; handshakes: {@code server_name} and {@code process_comm} "{other}", the
 * ALPN kept; responses and durations: {@code path} "/{other}", method, status and gRPC status kept). A count costs one
 * hash lookup with a reused key and an increment. Counting is for the event thread only; the registry
 * reads the counters from the scrape thread.
 *
 * <p>Durations are a classic histogram (Micrometer's Prometheus registry writes no native histograms) with
 * buckets from 0.5 ms to 10 s: in-cluster calls mostly answer in under 100 ms, timeouts sit at seconds.
 */
final class HttpMetrics {
    static final String REQUESTS = "internal_http_requests";
    static final String FILTERED = "internal_http_filtered_requests";
    static final String LOST = "internal_http_lost_events";
    static final String OVERFLOWED = "internal_http_overflowed_requests";
    static final String HANDSHAKES = "internal_tls_handshakes";
    static final String RESPONSES = "internal_http_responses";
    static final String DURATION = "internal_http_request_duration";
    static final Duration[] DURATION_BUCKETS = {Duration.ofNanos(500_000), Duration.ofMillis(1), Duration.ofNanos(2_500_000),
        Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25), Duration.ofMillis(50), Duration.ofMillis(100),
        Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofMillis(2500), Duration.ofSeconds(5),
        Duration.ofSeconds(10)};
    /** "100" to "599", so that a response's label costs no allocation. */
    private static final String[] STATUS_CODES = new String[600];

    static {
        for (int code = 100; code < STATUS_CODES.length; code++) {
            STATUS_CODES[code] = Integer.toString(code);
        }
    }

    private final MeterRegistry registry;
    private final SeriesCache<RequestSeries, Counter> requests;
    private final RequestSeries probe = new RequestSeries();
    private final SeriesCache<HandshakeSeries, Counter> handshakes;
    private final HandshakeSeries handshakeProbe = new HandshakeSeries();
    private final SeriesCache<ResponseSeries, Counter> responses;
    private final SeriesCache<ResponseSeries, Timer> durations;
    private final ResponseSeries responseProbe = new ResponseSeries();
    private final Counter filtered;
    private long now;

    /**
     * @param maxSeries L7_MAX_SERIES: series before new label tuples go to their destination's overflow series
     * @param seriesTtl how long a series may go without a request; zero keeps every series
     */
    HttpMetrics(MeterRegistry registry, int maxSeries, Duration seriesTtl) {
        this.registry = registry;
        this.requests = new SeriesCache<>(registry, new SeriesCache.CounterLabels<>() {
            @Override
            public RequestSeries copy(RequestSeries probe) {
                return probe.copy();
            }

            @Override
            public RequestSeries overflow(RequestSeries key) {
                return key.overflow();
            }

            @Override
            public Counter register(RequestSeries key) {
                return counter(key);
            }
        }, maxSeries, seriesTtl);
        this.filtered = Counter.builder(FILTERED)
                .description("Inbound HTTP requests to health-check or scrape paths, left out of internal_http_requests_total")
                .register(registry);
        this.handshakes = new SeriesCache<>(registry, new SeriesCache.CounterLabels<>() {
            @Override
            public HandshakeSeries copy(HandshakeSeries probe) {
                return probe.copy();
            }

            @Override
            public HandshakeSeries overflow(HandshakeSeries key) {
                return key.overflow();
            }

            @Override
            public Counter register(HandshakeSeries key) {
                return counter(key);
            }
        }, maxSeries, seriesTtl);
        this.responses = new SeriesCache<>(registry, new SeriesCache.CounterLabels<>() {
            @Override
            public ResponseSeries copy(ResponseSeries probe) {
                return probe.copy();
            }

            @Override
            public ResponseSeries overflow(ResponseSeries key) {
                return key.overflow();
            }

            @Override
            public Counter register(ResponseSeries key) {
                return counter(key);
            }
        }, maxSeries, seriesTtl);
        this.durations = new SeriesCache<>(registry, new SeriesCache.Labels<>() {
            @Override
            public ResponseSeries copy(ResponseSeries probe) {
                return probe.copy();
            }

            @Override
            public ResponseSeries overflow(ResponseSeries key) {
                return key.overflow();
            }

            @Override
            public Timer register(ResponseSeries key) {
                return timer(key);
            }

            @Override
            public void record(Timer timer, double nanos) {
                timer.record((long) nanos, TimeUnit.NANOSECONDS);
            }
        }, maxSeries, seriesTtl);
        FunctionCounters.register(registry, OVERFLOWED,
                "Requests counted in a destination's overflow series because L7_MAX_SERIES series existed",
                requests::overflowed);
    }

    void countRequest(long sourceHi, long sourceLo, Destination destination, HttpMethod method, String path, String comm) {
        requests.count(probe.set(sourceHi, sourceLo, destination, method, path, comm), 1, now);
    }

    void countHandshake(Destination destination, String serverName, String alpn, String comm) {
        handshakes.count(handshakeProbe.set(destination, serverName, alpn, comm), 1, now);
    }

    /**
     * A final response (status 100-599) to a counted request, {@code nanos} after the request was read;
     * {@code grpcStatus} its gRPC status label, {@link HttpPipeline#NO_GRPC_STATUS} if it had none.
     */
    void countResponse(Destination destination, HttpMethod method, String path, int status, String grpcStatus, long nanos) {
        responses.count(responseProbe.set(destination, method, path, STATUS_CODES[status], grpcStatus), 1, now);
        durations.count(responseProbe.set(destination, method, path, null, null), Math.max(0, nanos), now);
    }

    /**
     * Sets the clock for the counts of the next drain and removes the series idle for longer than the
     * TTL (checked a few times per TTL). Returns whether any series went away.
     */
    boolean startDrain(long nowNanos) {
        now = nowNanos;
        boolean removedRequests = requests.sweep(now);
        responses.sweep(now);
        durations.sweep(now);
        return handshakes.sweep(now) || removedRequests;
    }

    /** The request label tuples that have a series now. */
    Set<RequestSeries> series() {
        return requests.keys();
    }

    /** The handshake label tuples that have a series now. */
    Set<HandshakeSeries> handshakeSeries() {
        return handshakes.keys();
    }

    void countFiltered() {
        filtered.increment();
    }

    /** The kernel's dropped events, read at scrape time. */
    void bindKernel(LongSupplier lostEvents) {
        FunctionCounters.register(registry, LOST, "HTTP events dropped in the kernel because the ring buffer was full",
                lostEvents);
    }

    private Counter counter(RequestSeries labels) {
        return Counter.builder(REQUESTS)
                .description("Inbound HTTP/1.x requests by client, destination, method, path and server process")
                .tag("source_ip", labels.overflow ? SeriesCache.OTHER : new IpKey(labels.sourceHi, labels.sourceLo).toString())
                .tag("destination_namespace", labels.destination.namespace())
                .tag("destination_service", labels.destination.service())
                .tag("destination_pod", labels.destination.pod())
                .tag("method", labels.method.name())
                .tag("path", labels.path)
                .tag("process_comm", labels.comm)
                .register(registry);
    }

    private Counter counter(ResponseSeries labels) {
        return Counter.builder(RESPONSES)
                .description("Responses of inbound HTTP requests by destination, method, path, status code and gRPC status (ENABLE_L7_RESPONSES)")
                .tag("destination_namespace", labels.destination.namespace())
                .tag("destination_service", labels.destination.service())
                .tag("destination_pod", labels.destination.pod())
                .tag("method", labels.method.name())
                .tag("path", labels.path)
                .tag("status_code", labels.status)
                .tag("grpc_status", labels.grpcStatus)
                .register(registry);
    }

    private Timer timer(ResponseSeries labels) {
        return Timer.builder(DURATION)
                .description("From an inbound HTTP request's read to its response's first write, by destination, method and path (ENABLE_L7_RESPONSES)")
                .tag("destination_namespace", labels.destination.namespace())
                .tag("destination_service", labels.destination.service())
                .tag("destination_pod", labels.destination.pod())
                .tag("method", labels.method.name())
                .tag("path", labels.path)
                .serviceLevelObjectives(DURATION_BUCKETS)
                .register(registry);
    }

    private Counter counter(HandshakeSeries labels) {
        return Counter.builder(HANDSHAKES)
                .description("TLS handshakes of accepted connections by destination, requested server name (SNI), offered ALPN protocols and server process")
                .tag("destination_namespace", labels.destination.namespace())
                .tag("destination_service", labels.destination.service())
                .tag("destination_pod", labels.destination.pod())
                .tag("server_name", labels.serverName)
                .tag("alpn", labels.alpn)
                .tag("process_comm", labels.comm)
                .register(registry);
    }
}
