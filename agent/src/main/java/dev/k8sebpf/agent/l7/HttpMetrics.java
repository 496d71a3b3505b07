package dev.k8sebpf.agent.l7;

import dev.k8sebpf.agent.httpparse.HttpMethod;
import dev.k8sebpf.agent.mapping.Destination;
import dev.k8sebpf.agent.mapping.IpKey;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.HashMap;

/**
 * The L7 series. Counters are cached per label tuple, so a request costs one hash lookup with a reused
 * key and an increment: no registry lookup, no label strings. Counting is for the event thread only;
 * the registry reads the counters from the scrape thread.
 */
final class HttpMetrics {
    static final String REQUESTS = "internal_http_requests";
    static final String FILTERED = "internal_http_filtered_requests";
    static final String LOST = "internal_http_lost_events";

    private final MeterRegistry registry;
    private final HashMap<RequestSeries, Counter> requests = new HashMap<>();
    private final RequestSeries probe = new RequestSeries();
    private final Counter filtered;

    HttpMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.filtered = Counter.builder(FILTERED)
                .description("Inbound HTTP requests to health-check or scrape paths, left out of internal_http_requests_total")
                .register(registry);
    }

    void countRequest(long sourceHi, long sourceLo, Destination destination, HttpMethod method, String path, String comm) {
        Counter counter = requests.get(probe.set(sourceHi, sourceLo, destination, method, path, comm));
        if (counter == null) {
            counter = newCounter(probe.copy());
        }
        counter.increment();
    }

    void countFiltered() {
        filtered.increment();
    }

    /** The kernel's dropped events. The registry holds {@code kernel} weakly: the owner of the L7 keeps it alive. */
    void bindKernel(L7Kernel kernel) {
        FunctionCounter.builder(LOST, kernel, L7Kernel::lostEvents)
                .description("HTTP events dropped in the kernel because the ring buffer was full")
                .register(registry);
    }

    private Counter newCounter(RequestSeries series) {
        Counter counter = Counter.builder(REQUESTS)
                .description("Inbound HTTP/1.x requests by client, destination, method, path and server process")
                .tag("source_ip", new IpKey(series.sourceHi, series.sourceLo).toString())
                .tag("destination_namespace", series.destination.namespace())
                .tag("destination_service", series.destination.service())
                .tag("destination_pod", series.destination.pod())
                .tag("method", series.method.name())
                .tag("path", series.path)
                .tag("process_comm", series.comm)
                .register(registry);
        requests.put(series, counter);
        return counter;
    }
}
