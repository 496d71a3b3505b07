package dev.k8sebpf.agent.metrics;

import dev.k8sebpf.agent.mapping.Destination;
import dev.k8sebpf.agent.mapping.MappingTable;
import dev.k8sebpf.agent.mapping.ServiceCatalog;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * The agent's Prometheus series. Attempt series are bounded in number and idle time by a
 * {@link SeriesCache} (process names are chosen by processes), so counting an attempt costs a hash lookup
 * and two increments. The activation series are one per known Service, created at 0.
 */
public final class AgentMetrics implements ServiceCatalog {
    static final String ATTEMPTS = "internal_tcp_attempts";
    static final String SERVICE_ATTEMPTS = "internal_tcp_service_attempts";
    static final String TEXT_0_0_4 = "text/plain; version=0.0.4; charset=utf-8";
    static final String OPENMETRICS = "application/openmetrics-text; version=1.0.0; charset=utf-8";

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final SeriesCache<Attempt, Counter> attempts;
    private final LongSupplier clock;
    // namespace → service → activation counter; keyed by the strings themselves so the hot path builds no key
    private final ConcurrentHashMap<String, ConcurrentHashMap<String, Counter>> serviceAttempts = new ConcurrentHashMap<>();
    private volatile Optional<String> scrapeFailure = Optional.empty();

    /** The labels of one internal_tcp_attempts_total series; the event thread refills one probe per attempt. */
    private static final class Attempt {
        Destination destination;
        String comm;

        Attempt set(Destination destination, String comm) {
            this.destination = destination;
            this.comm = comm;
            return this;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Attempt a && a.destination.equals(destination) && a.comm.equals(comm);
        }

        @Override
        public int hashCode() {
            return 31 * destination.hashCode() + comm.hashCode();
        }
    }

    private final Attempt probe = new Attempt();

    /** A rendered scrape: the body and the content type it was written in. */
    public record Scrape(String contentType, byte[] body) {
    }

    /**
     * @param maxAttemptSeries L4_MAX_SERIES: attempt series before new (destination, process) pairs are
     *                         counted under {@code process_comm="{other}"}
     * @param attemptSeriesTtl L4_SERIES_TTL: an attempt series without attempts for this long is removed; 0: never
     */
    public AgentMetrics(int maxAttemptSeries, Duration attemptSeriesTtl, LongSupplier nanoClock) {
        this.clock = nanoClock;
        this.attempts = new SeriesCache<>(registry, new SeriesCache.CounterLabels<>() {
            @Override
            public Attempt copy(Attempt probe) {
                return new Attempt().set(probe.destination, probe.comm);
            }

            @Override
            public Attempt overflow(Attempt key) {
                return new Attempt().set(key.destination, SeriesCache.OTHER);
            }

            @Override
            public Counter register(Attempt key) {
                return attemptCounter(key.destination, key.comm);
            }
        }, maxAttemptSeries, attemptSeriesTtl);
    }

    /**
     * One connect attempt to {@code destination} by {@code comm}; also wakes the Service's activation series.
     * For the one event thread only (it reuses a key).
     */
    public void countAttempt(Destination destination, String comm) {
        attempts.count(probe.set(destination, comm), 1, clock.getAsLong());
        ConcurrentHashMap<String, Counter> services = serviceAttempts.get(destination.namespace());
        Counter activation = services == null ? null : services.get(destination.service());
        if (activation != null) {
            activation.increment();
        }
    }

    /** Creates the activation series at 0: Prometheus gives rate() 0 to a series born at 1. */
    @Override
    public void serviceAdded(String namespace, String service) {
        serviceAttempts.computeIfAbsent(namespace, n -> new ConcurrentHashMap<>())
                .computeIfAbsent(service, s -> Counter.builder(SERVICE_ATTEMPTS)
                        .description("TCP connect attempts to any IP of a known Service (exists at 0 for every Service)")
                        .tag("destination_namespace", namespace)
                        .tag("destination_service", service)
                        .register(registry));
    }

    /** Drops the Service's activation series and its per-destination series, so churn does not grow the scrape. */
    @Override
    public void serviceRemoved(String namespace, String service) {
        ConcurrentHashMap<String, Counter> services = serviceAttempts.get(namespace);
        Counter activation = services == null ? null : services.remove(service);
        if (activation != null) {
            registry.remove(activation);
        }
        attempts.removeIf(a -> a.destination.namespace().equals(namespace) && a.destination.service().equals(service));
    }

    /** The kernel's own counters and the tier it attached, as an info-style gauge. */
    public void bindKernel(String tier, LongSupplier lostEvents, LongSupplier excludedAttempts) {
        Gauge.builder("internal_agent_hook_tier", () -> 1)
                .description("The hook tier the L4 probe attached (value is always 1)")
                .tag("tier", tier)
                .register(registry);
        FunctionCounters.register(registry, "internal_agent_lost_events",
                "Connect events dropped in the kernel because the ring buffer was full", lostEvents);
        FunctionCounters.register(registry, "internal_tcp_excluded_attempts",
                "TCP connect attempts by processes in EXCLUDE_COMMS, not counted as attempts", excludedAttempts);
        FunctionCounters.register(registry, "internal_tcp_overflowed_attempts",
                "Attempts counted under process_comm=\"{other}\" because L4_MAX_SERIES series existed", attempts::overflowed);
    }

    public void bindMapping(MappingTable table) {
        Gauge.builder("internal_agent_mapping_entries", table, MappingTable::size)
                .description("IP mappings that currently resolve, including removed ones within MAPPER_TTL")
                .strongReference(true)
                .register(registry);
        FunctionCounters.register(registry, "internal_agent_mapping_evictions",
                "Mappings evicted because the table reached MAPPER_CAPACITY", table::evictions);
    }

    /** For other series sources (the L7 package registers its own counters here), scraped with the rest. */
    public MeterRegistry registry() {
        return registry;
    }

    /**
     * Renders every series as OpenMetrics when the Accept header asks for it, else as text 0.0.4. Idle
     * attempt series are removed first. The metrics server's coalescer runs one render at a time (each
     * allocates a few KB per series). A render that fails (it should not) is remembered until one succeeds,
     * so that liveness fails and the agent is restarted instead of serving nothing while looking healthy.
     */
    public Scrape scrape(String acceptHeader) {
        String contentType = acceptHeader != null && acceptHeader.contains("application/openmetrics-text") ? OPENMETRICS : TEXT_0_0_4;
        try {
            attempts.sweep(clock.getAsLong());
            var body = new ByteArrayOutputStream(4096);
            registry.scrape(body, contentType);
            scrapeFailure = Optional.empty();
            return new Scrape(contentType, body.toByteArray());
        } catch (IOException e) {
            scrapeFailure = Optional.of("rendering /metrics failed: " + e);
            throw new UncheckedIOException("writing to memory cannot fail", e);
        } catch (RuntimeException | Error e) {
            scrapeFailure = Optional.of("rendering /metrics failed: " + e);
            throw e;
        }
    }

    /** Why the last scrape failed, while no scrape has succeeded since; part of liveness. */
    public Optional<String> scrapeProblem() {
        return scrapeFailure;
    }

    private Counter attemptCounter(Destination destination, String comm) {
        return Counter.builder(ATTEMPTS)
                .description("TCP connect attempts by destination and process")
                .tag("destination_namespace", destination.namespace())
                .tag("destination_service", destination.service())
                .tag("destination_pod", destination.pod())
                .tag("process_comm", comm)
                .register(registry);
    }
}
