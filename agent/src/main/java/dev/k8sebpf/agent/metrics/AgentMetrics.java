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
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * The agent's Prometheus series. Counters are cached per label tuple, so counting an attempt on the
 * event thread costs a few hash lookups on existing keys and two increments: no registry lookup, no
 * string building, no allocation.
 */
public final class AgentMetrics implements ServiceCatalog {
    static final String ATTEMPTS = "internal_tcp_attempts";
    static final String SERVICE_ATTEMPTS = "internal_tcp_service_attempts";
    static final String TEXT_0_0_4 = "text/plain; version=0.0.4; charset=utf-8";
    static final String OPENMETRICS = "application/openmetrics-text; version=1.0.0; charset=utf-8";

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final ConcurrentHashMap<Destination, ConcurrentHashMap<String, Counter>> attempts = new ConcurrentHashMap<>();
    // namespace → service → activation counter; keyed by the strings themselves so the hot path builds no key
    private final ConcurrentHashMap<String, ConcurrentHashMap<String, Counter>> serviceAttempts = new ConcurrentHashMap<>();

    /** A rendered scrape: the body and the content type it was written in. */
    public record Scrape(String contentType, byte[] body) {
    }

    /** One connect attempt to {@code destination} by {@code comm}; also wakes the Service's activation series. */
    public void countAttempt(Destination destination, String comm) {
        ConcurrentHashMap<String, Counter> byComm = attempts.get(destination);
        if (byComm == null) {
            byComm = attempts.computeIfAbsent(destination, d -> new ConcurrentHashMap<>());
        }
        Counter counter = byComm.get(comm);
        if (counter == null) {
            counter = byComm.computeIfAbsent(comm, c -> attemptCounter(destination, c));
        }
        counter.increment();
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
        attempts.entrySet().removeIf(entry -> {
            Destination destination = entry.getKey();
            if (!destination.namespace().equals(namespace) || !destination.service().equals(service)) {
                return false;
            }
            entry.getValue().values().forEach(registry::remove);
            return true;
        });
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

    /** Renders every series as OpenMetrics when the Accept header asks for it, else as text 0.0.4. */
    public Scrape scrape(String acceptHeader) {
        String contentType = acceptHeader != null && acceptHeader.contains("application/openmetrics-text") ? OPENMETRICS : TEXT_0_0_4;
        var body = new ByteArrayOutputStream(4096);
        try {
            registry.scrape(body, contentType);
        } catch (IOException e) {
            throw new UncheckedIOException("writing to memory cannot fail", e);
        }
        return new Scrape(contentType, body.toByteArray());
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
