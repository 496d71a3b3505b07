package dev.k8sebpf.agent.l7;

import dev.k8sebpf.agent.comm.ProcessNames;
import dev.k8sebpf.agent.httpparse.ConnectionState;
import dev.k8sebpf.agent.httpparse.ConnectionTable;
import dev.k8sebpf.agent.httpparse.HealthcheckFilter;
import dev.k8sebpf.agent.httpparse.HttpMethod;
import dev.k8sebpf.agent.httpparse.HttpRequestParser;
import dev.k8sebpf.agent.httpparse.PathCardinalityLimiter;
import dev.k8sebpf.agent.httpparse.RequestConsumer;
import dev.k8sebpf.agent.mapping.Destination;
import dev.k8sebpf.agent.mapping.IpKey;
import dev.k8sebpf.agent.mapping.MappingTable;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * One captured receive → the requests in it → counters. The client is the socket's remote address,
 * the destination is its local address (the server pod's IP) looked up in the mapping, the process is
 * the receiving server. Runs on the one thread that drains the kernel's events; not thread-safe.
 */
final class HttpPipeline implements Consumer<HttpEventView> {
    private static final int FAMILY_V4 = 4;

    private final MappingTable mapping;
    private final HttpMetrics metrics;
    private final boolean dropUnmapped;
    private final HealthcheckFilter healthchecks;
    private final PathCardinalityLimiter limiter;
    private final ProcessNames processes;
    private final ConnectionTable connections;
    private final HttpRequestParser parser = new HttpRequestParser();
    /** "namespace/service" per destination with series: the limiter's key, built once per destination. */
    private final HashMap<Destination, String> serviceKeys = new HashMap<>();
    private final RequestConsumer onRequest = this::request;
    /** Null when no kernel counts repeats (unit tests). */
    private final KernelRepeats repeats;

    // the receive being parsed, read by onRequest (so no callback object per event)
    private long localHi;
    private long localLo;
    private long sourceHi;
    private long sourceLo;
    private Destination destination;
    private String comm;
    private HttpMethod lastMethod;
    private String lastPath;

    HttpPipeline(L7Options options, MappingTable mapping, HttpMetrics metrics, ConnectionTable connections) {
        this(options, mapping, metrics, connections, null);
    }

    HttpPipeline(L7Options options, MappingTable mapping, HttpMetrics metrics, ConnectionTable connections,
                 KernelRepeats repeats) {
        this.mapping = mapping;
        this.metrics = metrics;
        this.dropUnmapped = options.dropUnmapped();
        this.healthchecks = HealthcheckFilter.of(options.filterHealthcheck(), String.join(",", options.healthcheckPaths()));
        this.limiter = new PathCardinalityLimiter(options.maxPathsPerService());
        this.processes = new ProcessNames(options.excludeComms());
        this.connections = connections;
        this.repeats = repeats;
    }

    /**
     * Call before each drain of the kernel's events: one clock reading for the whole batch, and the
     * removal of idle series, whose paths then free their slots in the limiter.
     */
    void startDrain() {
        if (metrics.startDrain(connections.readClock())) {
            forgetRemovedSeries();
        }
    }

    private void forgetRemovedSeries() {
        Map<String, Set<String>> livePaths = new HashMap<>();
        Set<Destination> liveDestinations = new HashSet<>();
        for (RequestSeries series : metrics.series()) {
            liveDestinations.add(series.destination);
            if (!series.path.equals(PathCardinalityLimiter.OVERFLOW_PATH)) {
                livePaths.computeIfAbsent(serviceKey(series.destination), k -> new HashSet<>()).add(series.path);
            }
        }
        limiter.retainOnly(livePaths);
        serviceKeys.keySet().retainAll(liveDestinations);
    }

    @Override
    public void accept(HttpEventView event) {
        ProcessNames.Process process = processes.of(event.comm());
        if (process.excluded()) {
            return;
        }
        boolean v4 = event.family() == FAMILY_V4;
        byte[] local = event.localAddr();
        byte[] remote = event.remoteAddr();
        localHi = IpKey.hiOf(local, v4);
        localLo = IpKey.loOf(local, v4);
        sourceHi = IpKey.hiOf(remote, v4);
        sourceLo = IpKey.loOf(remote, v4);
        destination = mapping.lookup(localHi, localLo);
        comm = process.name();
        ConnectionState state = connections.state(event.connId(),
                ConnectionTable.endpointsKey(localHi, localLo, event.localPort(), sourceHi, sourceLo, event.remotePort()));
        // parsed even when its requests are dropped, so the connection's framing stays in step
        byte[] data = event.data();
        parser.parse(state, data, event.captured(), event.bytes(), onRequest);
        if (repeats != null && state.repeatsInARow() >= KernelRepeats.ARM_AFTER) {
            offerRepeats(state, event, data);
        }
    }

    /** The read just parsed repeated the connection's request: let the kernel count the next ones. */
    private void offerRepeats(ConnectionState state, HttpEventView event, byte[] data) {
        KernelRepeats.Offer offer = state.attachment instanceof KernelRepeats.Offer o ? o : null;
        if (offer == null || state.repeatsInARow() == KernelRepeats.ARM_AFTER) {
            // a new run of repeats (maybe of another request): its bytes and labels, once per run
            offer = new KernelRepeats.Offer(event.connId(), Arrays.copyOf(data, event.captured()), event.localPort(),
                    event.remotePort(), repeatTarget());
            state.attachment = offer;
        }
        repeats.offer(offer, event.seq());
    }

    private void request(HttpMethod method, String path) {
        lastMethod = method;
        lastPath = path;
        count(method, path, 1);
    }

    private void count(HttpMethod method, String path, long n) {
        if (destination == Destination.UNMAPPED && dropUnmapped) {
            return;
        }
        if (healthchecks.isHealthcheck(path)) {
            metrics.countFiltered(n);
            return;
        }
        String service = serviceKeys.computeIfAbsent(destination, HttpPipeline::serviceKey);
        metrics.countRequest(sourceHi, sourceLo, destination, method, limiter.limit(service, path), comm, n);
    }

    /**
     * What the kernel is to count the read just parsed (one repeated request) for. Its series is found
     * again at each report, so a destination the mapping learns only later (a new pod) is labelled as
     * soon as it is known.
     */
    private KernelRepeats.Target repeatTarget() {
        long fromHi = sourceHi, fromLo = sourceLo, toHi = localHi, toLo = localLo;
        String process = comm, path = lastPath;
        HttpMethod method = lastMethod;
        return n -> {
            sourceHi = fromHi;
            sourceLo = fromLo;
            destination = mapping.lookup(toHi, toLo);
            comm = process;
            count(method, path, n);
        };
    }

    /** The limiter's key: paths are capped per Service, not per pod. */
    private static String serviceKey(Destination destination) {
        return destination.namespace() + "/" + destination.service();
    }
}
