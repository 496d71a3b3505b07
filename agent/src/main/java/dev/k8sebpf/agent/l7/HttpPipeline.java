package dev.k8sebpf.agent.l7;

import dev.k8sebpf.agent.comm.ProcessNames;
import dev.k8sebpf.agent.httpparse.AwaitedResponses;
import dev.k8sebpf.agent.httpparse.ConnectionState;
import dev.k8sebpf.agent.httpparse.ConnectionTable;
import dev.k8sebpf.agent.httpparse.HealthcheckFilter;
import dev.k8sebpf.agent.httpparse.HttpMethod;
import dev.k8sebpf.agent.httpparse.HttpRequestParser;
import dev.k8sebpf.agent.httpparse.OpenStreams;
import dev.k8sebpf.agent.httpparse.RequestConsumer;
import dev.k8sebpf.agent.httpparse.ResponseConsumer;
import dev.k8sebpf.agent.httpparse.StatusLine;
import dev.k8sebpf.agent.mapping.Destination;
import dev.k8sebpf.agent.mapping.IpKey;
import dev.k8sebpf.agent.mapping.MappingTable;
import dev.k8sebpf.agent.metrics.LabelLimiter;
import dev.k8sebpf.agent.metrics.SeriesCache;
import dev.k8sebpf.agent.tlsparse.ClientHello;
import dev.k8sebpf.agent.tlsparse.HelloTable;
import dev.k8sebpf.agent.tlsparse.TlsLabels;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * One captured receive → the requests (or the TLS ClientHello) in it → counters. The client is the
 * socket's remote address, the destination is its local address (the server pod's IP) looked up in the
 * mapping, the process is the receiving server. With responses followed, each request also waits on its
 * connection until its response: an HTTP/1.x one ({@link AwaitedResponses}) until a send that starts a
 * final status line answers it, an HTTP/2 one ({@link OpenStreams}) until the server's frames end its
 * stream (the {@link Responder}). The response is counted with the request's labels and the time between
 * the request's read and the response's first send. Runs on the one thread that drains the kernel's
 * events; not thread-safe.
 */
final class HttpPipeline implements Consumer<HttpEventView> {
    static final String OVERFLOW_PATH = "/{other}";
    /** The grpc_status label of a response that carried none (HTTP/1.x, HTTP/2 other than gRPC): no label. */
    static final String NO_GRPC_STATUS = "";

    private final MappingTable mapping;
    private final HttpMetrics metrics;
    private final boolean dropUnmapped;
    private final boolean responses;
    private final HealthcheckFilter healthchecks;
    private final LabelLimiter limiter;
    private final LabelLimiter serverNames;
    private final HelloTable hellos = new HelloTable(HelloTable.DEFAULT_CAPACITY);
    private final ProcessNames processes;
    private final ConnectionTable connections;
    private final HttpRequestParser parser = new HttpRequestParser();
    private final Responder responder = new Responder();
    /** "namespace/service" per destination with series: the limiter's key, built once per destination. */
    private final HashMap<Destination, String> serviceKeys = new HashMap<>();

    HttpPipeline(L7Options options, MappingTable mapping, HttpMetrics metrics, ConnectionTable connections) {
        this.mapping = mapping;
        this.metrics = metrics;
        this.dropUnmapped = options.dropUnmapped();
        this.responses = options.responses();
        this.healthchecks = HealthcheckFilter.of(options.filterHealthcheck(), String.join(",", options.healthcheckPaths()));
        this.limiter = new LabelLimiter(options.maxPathsPerService(), OVERFLOW_PATH, "paths");
        this.serverNames = new LabelLimiter(options.maxServerNames(), SeriesCache.OTHER, "server names");
        this.processes = new ProcessNames(options.excludeComms());
        this.connections = connections;
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
        Map<String, Set<String>> liveServerNames = new HashMap<>();
        Set<Destination> liveDestinations = new HashSet<>();
        for (RequestSeries series : metrics.series()) {
            liveDestinations.add(series.destination);
            if (!series.path.equals(OVERFLOW_PATH)) {
                livePaths.computeIfAbsent(serviceKey(series.destination), k -> new HashSet<>()).add(series.path);
            }
        }
        for (HandshakeSeries series : metrics.handshakeSeries()) {
            liveDestinations.add(series.destination);
            if (!series.overflow) {
                liveServerNames.computeIfAbsent(serviceKey(series.destination), k -> new HashSet<>()).add(series.serverName);
            }
        }
        limiter.retainOnly(livePaths);
        serverNames.retainOnly(liveServerNames);
        serviceKeys.keySet().retainAll(liveDestinations);
    }

    @Override
    public void accept(HttpEventView event) {
        ProcessNames.Process process = processes.of(event.comm());
        if (process.excluded()) {
            return;
        }
        boolean v4 = event.v4();
        byte[] local = event.localAddr();
        byte[] remote = event.remoteAddr();
        long localHi = IpKey.hiOf(local, v4);
        long localLo = IpKey.loOf(local, v4);
        if (event.tlsHello()) {
            ClientHello hello = hellos.offer(event.connId(), event.data(), event.captured(), event.bytes());
            if (hello != null) {
                countHandshake(mapping.lookup(localHi, localLo), hello, process.name());
            }
            return;
        }
        long sourceHi = IpKey.hiOf(remote, v4);
        long sourceLo = IpKey.loOf(remote, v4);
        ConnectionState state = connections.state(event.connId(), ConnectionTable.endpointsKey(localHi, localLo,
                event.localPort(), sourceHi, sourceLo, event.remotePort()));
        if (event.response()) {
            answer(state.awaited(), event, mapping.lookup(localHi, localLo));
            return;
        }
        if (event.h2Send()) {
            responder.streams = state.streams();
            responder.destination = mapping.lookup(localHi, localLo);
            responder.sentNanos = event.ktime();
            state.readSend(event.data(), event.captured(), event.bytes(), responder);
            return;
        }
        Receiver receiver = new Receiver(sourceHi, sourceLo, mapping.lookup(localHi, localLo), process.name(),
                responses ? state : null, event.ktime());
        // parsed even when its requests are dropped, so the connection's framing stays in step
        parser.parse(state, event.data(), event.captured(), event.bytes(), receiver);
    }

    /**
     * A send that starts a status line: a final one answers the connection's oldest awaiting request, an
     * interim one (100 Continue) does not. A send with no request awaiting (one read before the agent
     * started) is skipped.
     */
    private void answer(AwaitedResponses awaited, HttpEventView event, Destination destination) {
        int status = StatusLine.code(event.data(), event.captured());
        if (status < 0 || StatusLine.interim(status) || awaited.isEmpty()) {
            return;
        }
        if (awaited.oldestPath() != null) {
            metrics.countResponse(destination, awaited.oldestMethod(), awaited.oldestPath(), status, NO_GRPC_STATUS,
                    event.ktime() - awaited.oldestStart());
        }
        awaited.removeOldest();
    }

    /** Counted once per accepted TLS connection: the kernel sends no receive after its first record. */
    private void countHandshake(Destination destination, ClientHello hello, String comm) {
        if (destination == Destination.UNMAPPED && dropUnmapped) {
            return;
        }
        String service = serviceKeys.computeIfAbsent(destination, HttpPipeline::serviceKey);
        metrics.countHandshake(destination, serverNames.limit(service, TlsLabels.serverName(hello)), TlsLabels.alpn(hello), comm);
    }

    /**
     * The ends of an HTTP/2 connection's streams, as one send's frames show them: a block with a final
     * {@code :status} answers its stream's request (the time taken is until that send), the stream's end
     * counts the response, with the grpc-status of its trailers. A stream that ends with no status read
     * (reset before its headers, or headers past what was seen) is dropped, not counted.
     */
    private final class Responder implements ResponseConsumer {
        OpenStreams streams;
        Destination destination;
        long sentNanos;

        @Override
        public void headers(int stream, int status, String grpcStatus, boolean endsStream) {
            int slot = streams.find(stream);
            if (slot < 0) {
                return;
            }
            if (status >= 200 && streams.status(slot) == 0) {
                streams.answer(slot, status, sentNanos);
            }
            if (grpcStatus != null) {
                streams.grpcStatus(slot, grpcStatus);
            }
            if (endsStream) {
                end(slot);
            }
        }

        @Override
        public void ended(int stream) {
            int slot = streams.find(stream);
            if (slot >= 0) {
                end(slot);
            }
        }

        private void end(int slot) {
            if (streams.status(slot) != 0 && streams.path(slot) != null) {
                String grpcStatus = streams.grpcStatus(slot);
                metrics.countResponse(destination, streams.method(slot), streams.path(slot), streams.status(slot),
                        grpcStatus == null ? NO_GRPC_STATUS : grpcStatus, streams.answeredAt(slot) - streams.start(slot));
            }
            streams.remove(slot);
        }
    }

    /**
     * The labels of one receive's requests, other than method and path: what the parser's callback counts
     * them with; and the connection where they wait for their responses (null: responses are not
     * followed).
     */
    private final class Receiver implements RequestConsumer {
        final long sourceHi;
        final long sourceLo;
        final Destination destination;
        final String comm;
        final ConnectionState awaiting;
        final long readNanos;

        Receiver(long sourceHi, long sourceLo, Destination destination, String comm, ConnectionState awaiting, long readNanos) {
            this.sourceHi = sourceHi;
            this.sourceLo = sourceLo;
            this.destination = destination;
            this.comm = comm;
            this.awaiting = awaiting;
            this.readNanos = readNanos;
        }

        @Override
        public void request(HttpMethod method, String path) {
            String counted = count(method, path);
            if (awaiting != null) {
                awaiting.awaited().add(readNanos, method, counted);
            }
        }

        @Override
        public void request(HttpMethod method, String path, int stream) {
            String counted = count(method, path);
            if (awaiting != null) {
                awaiting.streams().add(stream, readNanos, method, counted);
            }
        }

        /** The path label the request was counted under, or null if it was not counted. */
        private String count(HttpMethod method, String path) {
            if (destination == Destination.UNMAPPED && dropUnmapped) {
                return null;
            }
            if (healthchecks.isHealthcheck(path)) {
                metrics.countFiltered();
                return null;
            }
            String service = serviceKeys.computeIfAbsent(destination, HttpPipeline::serviceKey);
            String limited = limiter.limit(service, path);
            metrics.countRequest(sourceHi, sourceLo, destination, method, limited, comm);
            return limited;
        }
    }

    /** The limiter's key: paths are capped per Service, not per pod. */
    private static String serviceKey(Destination destination) {
        return destination.namespace() + "/" + destination.service();
    }
}
