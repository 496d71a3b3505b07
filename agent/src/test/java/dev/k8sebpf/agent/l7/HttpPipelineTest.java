package dev.k8sebpf.agent.l7;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import dev.k8sebpf.agent.bpf.AddrFamily;
import dev.k8sebpf.agent.bpf.CaptureKind;
import dev.k8sebpf.agent.bpf.HttpEvent;
import dev.k8sebpf.agent.httpparse.ConnectionTable;
import dev.k8sebpf.agent.mapping.Destination;
import dev.k8sebpf.agent.mapping.IpKey;
import dev.k8sebpf.agent.mapping.MappingTable;
import dev.k8sebpf.agent.tlsparse.TestHellos;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The pipeline on hand-made events: labels, exclusion, filtering and the series cache. */
class HttpPipelineTest {
    private static final byte[] SERVER = {10, 1, 2, 3};
    private static final byte[] CLIENT = {10, 9, 8, 7};
    private static final Duration TTL = Duration.ofMinutes(15);

    private final AtomicLong clock = new AtomicLong();

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final MappingTable mapping = new MappingTable(Duration.ofMinutes(1), 16, System::nanoTime);

    private HttpPipeline pipeline(L7Options options) {
        mapping.put(IpKey.of(SERVER), new Destination("shop", "orders", "orders-7c9f"));
        return new HttpPipeline(options, mapping, new HttpMetrics(registry, 10_000, options.seriesTtl()),
                new ConnectionTable(64, Duration.ofMinutes(1), clock::get));
    }

    private static L7Options withResponses(boolean responses) {
        return new L7Options(true, List.of("/internal/*"), List.of(), 100, false, 10_000, TTL, Optional.empty(), true, 100, responses);
    }

    private static L7Options options(boolean filter, List<String> excluded, boolean dropUnmapped) {
        return new L7Options(filter, List.of("/internal/*"), excluded, 100, dropUnmapped, 10_000, TTL, Optional.empty(), true, 100, false);
    }

    @Test
    void labelsComeFromBothEndsOfTheServerSocket() {
        pipeline(options(true, List.of("agent"), false)).accept(event(1, 4, SERVER, CLIENT, "nginx", "GET /orders/42?x=1 HTTP/1.1\r\n\r\n"));

        Counter counter = registry.get(HttpMetrics.REQUESTS).counter();
        assertThat(counter.count()).isEqualTo(1);
        assertThat(counter.getId().getTags()).extracting(t -> t.getKey() + "=" + t.getValue()).containsExactlyInAnyOrder(
                "source_ip=10.9.8.7", "destination_namespace=shop", "destination_service=orders",
                "destination_pod=orders-7c9f", "method=GET", "path=/orders/{id}", "process_comm=nginx");
    }

    @Test
    void ipv6ClientIsShownInRfc5952Form() {
        byte[] server = v6("fd00::1");
        mapping.put(IpKey.parse("fd00::1"), new Destination("shop", "v6", "v6-pod"));
        pipeline(options(true, List.of(), false)).accept(event(1, 6, server, v6("fd00:0:0:0:0:0:0:abcd"), "app", "GET / HTTP/1.1\r\n\r\n"));

        assertThat(registry.get(HttpMetrics.REQUESTS).tag("destination_service", "v6").counter().getId().getTag("source_ip"))
                .isEqualTo("fd00::abcd");
    }

    @Test
    void oneSeriesPerLabelTupleAcrossEventsAndConnections() {
        HttpPipeline pipeline = pipeline(options(true, List.of(), false));
        for (int conn = 1; conn <= 3; conn++) {
            pipeline.accept(event(conn, 4, SERVER, CLIENT, "nginx", "GET /a HTTP/1.1\r\n\r\nGET /a HTTP/1.1\r\n\r\n"));
        }
        pipeline.accept(event(4, 4, SERVER, CLIENT, "nginx", "POST /a HTTP/1.1\r\nContent-Length: 0\r\n\r\n"));

        assertThat(registry.find(HttpMetrics.REQUESTS).counters()).hasSize(2);
        assertThat(registry.get(HttpMetrics.REQUESTS).tag("method", "GET").counter().count()).isEqualTo(6);
    }

    @Test
    void excludedProcessesAreNotCountedOthersAre() {
        HttpPipeline pipeline = pipeline(options(true, List.of("agent", "a-very-long-process-name"), false));
        pipeline.accept(event(1, 4, SERVER, CLIENT, "agent", "GET /x HTTP/1.1\r\n\r\n"));
        pipeline.accept(event(2, 4, SERVER, CLIENT, "a-very-long-pro", "GET /x HTTP/1.1\r\n\r\n")); // the kernel keeps 15 bytes
        pipeline.accept(event(3, 4, SERVER, CLIENT, "agent2", "GET /x HTTP/1.1\r\n\r\n"));

        assertThat(registry.get(HttpMetrics.REQUESTS).counter().getId().getTag("process_comm")).isEqualTo("agent2");
    }

    @Test
    void healthChecksGoToTheirOwnCounterUnlessFilteringIsOff() {
        HttpPipeline filtering = pipeline(options(true, List.of(), false));
        filtering.accept(event(1, 4, SERVER, CLIENT, "app", "GET /healthz HTTP/1.1\r\n\r\nGET /internal/x HTTP/1.1\r\n\r\n"));
        assertThat(registry.find(HttpMetrics.REQUESTS).counters()).isEmpty();
        assertThat(registry.get(HttpMetrics.FILTERED).counter().count()).isEqualTo(2);

        SimpleMeterRegistry unfiltered = new SimpleMeterRegistry();
        new HttpPipeline(options(false, List.of(), false), mapping, new HttpMetrics(unfiltered, 10_000, TTL),
                new ConnectionTable(64, Duration.ofMinutes(1), System::nanoTime))
                .accept(event(1, 4, SERVER, CLIENT, "app", "GET /healthz HTTP/1.1\r\n\r\n"));
        assertThat(unfiltered.get(HttpMetrics.REQUESTS).tag("path", "/healthz").counter().count()).isEqualTo(1);
    }

    @Test
    void unmappedServersAreCountedWithEmptyLabelsOrDropped() {
        byte[] unknown = {10, 0, 0, 99};
        pipeline(options(true, List.of(), false)).accept(event(1, 4, unknown, CLIENT, "app", "GET / HTTP/1.1\r\n\r\n"));
        assertThat(registry.get(HttpMetrics.REQUESTS).counter().getId().getTag("destination_service")).isEmpty();

        SimpleMeterRegistry dropping = new SimpleMeterRegistry();
        new HttpPipeline(options(true, List.of(), true), mapping, new HttpMetrics(dropping, 10_000, TTL),
                new ConnectionTable(64, Duration.ofMinutes(1), System::nanoTime))
                .accept(event(1, 4, unknown, CLIENT, "app", "GET / HTTP/1.1\r\n\r\n"));
        assertThat(dropping.find(HttpMetrics.REQUESTS).counters()).isEmpty();
    }

    @Test
    void pathCapIsPerDestinationService() {
        L7Options capped = new L7Options(true, List.of(), List.of(), 2, false, 10_000, TTL, Optional.empty(), true, 100, false);
        byte[] other = {10, 1, 2, 4};
        mapping.put(IpKey.of(other), new Destination("shop", "billing", "billing-1"));
        HttpPipeline pipeline = pipeline(capped);
        for (String path : List.of("/a", "/b", "/c")) {
            pipeline.accept(event(1, 4, SERVER, CLIENT, "app", "GET " + path + " HTTP/1.1\r\n\r\n"));
            pipeline.accept(event(2, 4, other, CLIENT, "app", "GET " + path + " HTTP/1.1\r\n\r\n"));
        }
        assertThat(paths("orders")).containsOnly(entry("/a", 1L), entry("/b", 1L), entry("/{other}", 1L));
        assertThat(paths("billing")).containsOnly(entry("/a", 1L), entry("/b", 1L), entry("/{other}", 1L));
    }

    @Test
    void aSeriesWithoutRequestsForTheTtlIsRemovedAndFreesItsPathSlot() {
        HttpPipeline pipeline = pipeline(new L7Options(true, List.of(), List.of(), 1, false, 10_000, TTL, Optional.empty(), true, 100, false));
        byte[] otherClient = {10, 9, 8, 6};
        pipeline.startDrain();
        pipeline.accept(event(1, 4, SERVER, CLIENT, "app", "GET /a HTTP/1.1\r\n\r\n"));
        pipeline.accept(event(2, 4, SERVER, otherClient, "app", "GET /b HTTP/1.1\r\n\r\n")); // over the cap
        clock.addAndGet(TTL.toNanos() / 2);
        pipeline.startDrain();
        pipeline.accept(event(2, 4, SERVER, otherClient, "app", "GET /b HTTP/1.1\r\n\r\n"));
        assertThat(paths("orders")).containsOnly(entry("/a", 1L), entry("/{other}", 2L));

        clock.addAndGet(TTL.toNanos() / 2 + TTL.toNanos() / 4 + 1); // /a idle for more than the TTL
        pipeline.startDrain();
        assertThat(paths("orders")).containsOnly(entry("/{other}", 2L));
        pipeline.accept(event(2, 4, SERVER, otherClient, "app", "GET /b HTTP/1.1\r\n\r\n")); // its slot is free
        assertThat(paths("orders")).containsOnly(entry("/b", 1L), entry("/{other}", 2L));

        clock.addAndGet(2 * TTL.toNanos());
        pipeline.startDrain();
        assertThat(registry.find(HttpMetrics.REQUESTS).counters()).isEmpty();
    }

    @Test
    void aZeroTtlKeepsEverySeries() {
        HttpPipeline pipeline = pipeline(new L7Options(true, List.of(), List.of(), 100, false, 10_000, Duration.ZERO, Optional.empty(), true, 100, false));
        pipeline.startDrain();
        pipeline.accept(event(1, 4, SERVER, CLIENT, "app", "GET /a HTTP/1.1\r\n\r\n"));
        clock.addAndGet(Duration.ofDays(30).toNanos());
        pipeline.startDrain();
        assertThat(paths("orders")).containsOnly(entry("/a", 1L));
    }

    @Test
    void aTlsHelloInTwoReceivesIsOneHandshakeWithItsLabels() {
        HttpPipeline pipeline = pipeline(options(true, List.of(), false));
        byte[] hello = TestHellos.postQuantum("Orders.Shop.svc.cluster.local.", List.of("h2", "x-private"));
        pipeline.accept(tlsEvent(1, "envoy", Arrays.copyOf(hello, 5)));
        assertThat(registry.find(HttpMetrics.HANDSHAKES).counters()).isEmpty();
        pipeline.accept(tlsEvent(1, "envoy", Arrays.copyOfRange(hello, 5, hello.length)));

        Counter counter = registry.get(HttpMetrics.HANDSHAKES).counter();
        assertThat(counter.count()).isEqualTo(1);
        assertThat(counter.getId().getTags()).extracting(t -> t.getKey() + "=" + t.getValue()).containsExactlyInAnyOrder(
                "destination_namespace=shop", "destination_service=orders", "destination_pod=orders-7c9f",
                "server_name=orders.shop.svc.cluster.local", "alpn=h2,{other}", "process_comm=envoy");
        assertThat(registry.find(HttpMetrics.REQUESTS).counters()).isEmpty();
    }

    @Test
    void serverNamesAreCappedPerServiceAndAnIdleOneFreesItsSlot() {
        HttpPipeline pipeline = pipeline(new L7Options(true, List.of(), List.of(), 100, false, 10_000, TTL, Optional.empty(), true, 2, false));
        pipeline.startDrain();
        for (String name : List.of("a.example", "b.example", "c.example", "a.example")) {
            pipeline.accept(tlsEvent(1, "app", TestHellos.postQuantum(name, List.of("h2"))));
        }
        assertThat(serverNames()).containsOnly(entry("a.example", 2L), entry("b.example", 1L), entry("{other}", 1L));

        clock.addAndGet(TTL.toNanos() / 2);
        pipeline.startDrain();
        pipeline.accept(tlsEvent(1, "app", TestHellos.postQuantum("a.example", List.of("h2"))));
        clock.addAndGet(TTL.toNanos() / 2 + TTL.toNanos() / 4 + 1); // b.example and {other} idle past the TTL
        pipeline.startDrain();
        pipeline.accept(tlsEvent(1, "app", TestHellos.postQuantum("c.example", List.of("h2"))));
        assertThat(serverNames()).containsOnly(entry("a.example", 3L), entry("c.example", 1L));
    }

    @Test
    void aResponseIsCountedWithItsRequestsLabelsStatusAndTime() {
        HttpPipeline pipeline = pipeline(withResponses(true));
        pipeline.accept(receive(1, 1_000_000, "GET /orders/42 HTTP/1.1\r\nHost: x\r\n\r\n"));
        pipeline.accept(send(1, 3_500_000, "HTTP/1.1 404 Not"));

        Counter response = registry.get(HttpMetrics.RESPONSES).counter();
        assertThat(response.count()).isEqualTo(1);
        assertThat(response.getId().getTags()).extracting(t -> t.getKey() + "=" + t.getValue()).containsExactlyInAnyOrder(
                "destination_namespace=shop", "destination_service=orders", "destination_pod=orders-7c9f", "method=GET",
                "path=/orders/{id}", "status_code=404", "grpc_status=");
        Timer duration = registry.get(HttpMetrics.DURATION).timer();
        assertThat(duration.count()).isEqualTo(1);
        assertThat(duration.totalTime(TimeUnit.NANOSECONDS)).isEqualTo(2_500_000);
    }

    @Test
    void pipelinedRequestsAreAnsweredInOrderAndAnInterimResponseAnswersNone() {
        HttpPipeline pipeline = pipeline(withResponses(true));
        pipeline.accept(receive(1, 1_000_000, "GET /a HTTP/1.1\r\n\r\nPOST /b HTTP/1.1\r\nContent-Length: 0\r\n\r\n"));
        pipeline.accept(send(1, 2_000_000, "HTTP/1.1 100 Continue"));
        pipeline.accept(send(1, 3_000_000, "HTTP/1.1 200 OK\r\n"));
        pipeline.accept(send(1, 5_000_000, "HTTP/1.0 201"));

        assertThat(responses()).containsExactly(entry("GET /a 200", 1L), entry("POST /b 201", 1L));
        assertThat(registry.get(HttpMetrics.DURATION).tag("path", "/a").timer().totalTime(TimeUnit.NANOSECONDS)).isEqualTo(2_000_000);
        assertThat(registry.get(HttpMetrics.DURATION).tag("path", "/b").timer().totalTime(TimeUnit.NANOSECONDS)).isEqualTo(4_000_000);
    }

    @Test
    void responsesToUncountedRequestsMalformedStatusLinesAndUnaskedSendsAreSkipped() {
        HttpPipeline pipeline = pipeline(withResponses(true));
        pipeline.accept(receive(1, 1_000, "GET /healthz HTTP/1.1\r\n\r\nGET /x HTTP/1.1\r\n\r\n"));
        pipeline.accept(send(1, 2_000, "HTTP/1.1 200 OK"));   // the health check's
        pipeline.accept(send(1, 3_000, "HTTP/1.1 2x0 OK"));   // not a status line: answers nothing
        pipeline.accept(send(1, 4_000, "HTTP/1.1 503 Busy"));  // /x's
        pipeline.accept(send(1, 5_000, "HTTP/1.1 200 OK"));   // nothing awaits it
        pipeline.accept(send(2, 6_000, "HTTP/1.1 200 OK"));   // a connection whose requests were never seen

        assertThat(responses()).containsExactly(entry("GET /x 503", 1L));
        assertThat(registry.get(HttpMetrics.DURATION).timer().count()).isEqualTo(1);
    }

    @Test
    void aRequestWhoseConnectionIsReplacedIsNeverAnswered() {
        HttpPipeline pipeline = pipeline(withResponses(true));
        pipeline.accept(receive(1, 1_000, "GET /x HTTP/1.1\r\n\r\n"));
        pipeline.accept(send(1, 2_000, "HTTP/1.1 200 OK"));
        assertThat(responses()).containsExactly(entry("GET /x 200", 1L));

        pipeline.accept(receive(3, 3_000, "GET /y HTTP/1.1\r\n\r\n"));
        // the kernel reused the socket's address for a connection from another client before /y was answered
        HttpEventView otherClient = event(3, 4, SERVER, new byte[] {10, 9, 8, 6}, "app", "HTTP/1.1 200 OK", CaptureKind.CAPTURE_RESPONSE, 4_000);
        pipeline.accept(otherClient);
        assertThat(responses()).containsExactly(entry("GET /x 200", 1L));
    }

    @Test
    void http2ResponsesAreCountedAtTheirStreamsEndWithTheirGrpcStatus() {
        HttpPipeline pipeline = pipeline(withResponses(true));
        // the preface, then HEADERS (END_HEADERS) on streams 1 and 3: POST, :path /, http, :authority x
        String request = "\0\0\6\1\4\0\0\0\1" + "\u0083\u0084\u0086\u0041\u0001x";
        pipeline.accept(receive(1, 1_000, "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" + request + request.replace("\0\0\0\1\u0083", "\0\0\0\3\u0083")));
        // stream 3: :status 200 (static index 8) at 4_000, trailers grpc-status 5 at 9_000; stream 1: :status 404, ended by DATA
        pipeline.accept(h2Send(1, 4_000, "\0\0\1\1\4\0\0\0\3\u0088"));
        pipeline.accept(h2Send(1, 6_000, "\0\0\1\1\4\0\0\0\1\u008d" + "\0\0\2\0\1\0\0\0\1ok"));
        pipeline.accept(h2Send(1, 9_000, "\0\0\017\1\5\0\0\0\3\u0000\u000bgrpc-status\u00015"));

        assertThat(responses()).containsExactly(entry("POST / 200", 1L), entry("POST / 404", 1L));
        assertThat(registry.find(HttpMetrics.RESPONSES).tag("status_code", "200").counter().getId().getTag("grpc_status")).isEqualTo("5");
        assertThat(registry.find(HttpMetrics.RESPONSES).tag("status_code", "404").counter().getId().getTag("grpc_status")).isEmpty();
        // from each request's read to its response's headers
        assertThat(registry.get(HttpMetrics.DURATION).timer().totalTime(TimeUnit.NANOSECONDS)).isEqualTo(3_000 + 5_000);
        assertThat(registry.get(HttpMetrics.REQUESTS).counter().count()).isEqualTo(2);
    }

    @Test
    void withResponsesOffNoRequestWaitsForOne() {
        HttpPipeline pipeline = pipeline(withResponses(false));
        pipeline.accept(receive(1, 1_000, "GET /x HTTP/1.1\r\n\r\n"));
        pipeline.accept(send(1, 2_000, "HTTP/1.1 200 OK"));
        assertThat(registry.find(HttpMetrics.RESPONSES).counters()).isEmpty();
        assertThat(registry.find(HttpMetrics.DURATION).timers()).isEmpty();
        assertThat(registry.get(HttpMetrics.REQUESTS).counter().count()).isEqualTo(1);
    }

    /** "METHOD path status" → responses. */
    private Map<String, Long> responses() {
        Map<String, Long> counts = new TreeMap<>();
        registry.find(HttpMetrics.RESPONSES).counters().forEach(c -> counts.merge(
                c.getId().getTag("method") + " " + c.getId().getTag("path") + " " + c.getId().getTag("status_code"), (long) c.count(), Long::sum));
        return counts;
    }

    private Map<String, Long> serverNames() {
        Map<String, Long> names = new TreeMap<>();
        registry.find(HttpMetrics.HANDSHAKES).counters()
                .forEach(c -> names.merge(c.getId().getTag("server_name"), (long) c.count(), Long::sum));
        return names;
    }

    /** One receive of a TLS record as the kernel writes it: the struct with its data running on. */
    private static HttpEventView tlsEvent(long connId, String comm, byte[] data) {
        HttpEvent event = new HttpEvent(connId, 0, Arrays.copyOf(SERVER, 16), Arrays.copyOf(CLIENT, 16), 8443, 40000, data.length,
                data.length, AddrFamily.FAMILY_V4, CaptureKind.CAPTURE_TLS_HELLO, new byte[4],
                Arrays.copyOf(comm.getBytes(StandardCharsets.UTF_8), 16), new byte[256]);
        long length = HttpEvent.OFFSET_DATA + Math.max(256, data.length);
        MemorySegment ring = Arena.ofAuto().allocate(length + 8);
        event.encode(ring, 8);
        MemorySegment.copy(data, 0, ring, ValueLayout.JAVA_BYTE, 8 + HttpEvent.OFFSET_DATA, data.length);
        return new HttpEventView().at(ring, 8, length);
    }

    /** path → count, over one service's series. */
    private Map<String, Long> paths(String service) {
        Map<String, Long> paths = new TreeMap<>();
        registry.find(HttpMetrics.REQUESTS).tag("destination_service", service).counters()
                .forEach(c -> paths.merge(c.getId().getTag("path"), (long) c.count(), Long::sum));
        return paths;
    }

    private static byte[] v6(String literal) {
        IpKey key = IpKey.parse(literal);
        byte[] addr = new byte[16];
        for (int i = 0; i < 8; i++) {
            addr[i] = (byte) (key.hi() >>> (56 - 8 * i));
            addr[8 + i] = (byte) (key.lo() >>> (56 - 8 * i));
        }
        return addr;
    }

    /** One receive as the kernel writes it into the ring: addresses in 16 bytes, IPv4 in the first 4. */
    private static HttpEventView event(long connId, int family, byte[] local, byte[] remote, String comm, String data) {
        return event(connId, family, local, remote, comm, data, CaptureKind.CAPTURE_HTTP, 0);
    }

    /** A receive at {@code ktime} on connection connId from CLIENT to SERVER. */
    private static HttpEventView receive(long connId, long ktime, String data) {
        return event(connId, 4, SERVER, CLIENT, "app", data, CaptureKind.CAPTURE_HTTP, ktime);
    }

    /** A send that starts a status line at {@code ktime}, as the response programs report it. */
    private static HttpEventView send(long connId, long ktime, String statusLine) {
        return event(connId, 4, SERVER, CLIENT, "app", statusLine, CaptureKind.CAPTURE_RESPONSE, ktime);
    }

    /** One buffer of a send on an HTTP/2 connection, as the response programs report it. */
    private static HttpEventView h2Send(long connId, long ktime, String frames) {
        return event(connId, 4, SERVER, CLIENT, "app", frames, CaptureKind.CAPTURE_H2_SEND, ktime);
    }

    private static HttpEventView event(long connId, int family, byte[] local, byte[] remote, String comm, String data,
            CaptureKind kind, long ktime) {
        byte[] bytes = data.getBytes(StandardCharsets.ISO_8859_1);
        HttpEvent event = new HttpEvent(connId, ktime, Arrays.copyOf(local, 16), Arrays.copyOf(remote, 16), 8080,
                40000 + (int) connId, bytes.length, bytes.length, family == 4 ? AddrFamily.FAMILY_V4 : AddrFamily.FAMILY_V6,
                kind, new byte[4], Arrays.copyOf(comm.getBytes(StandardCharsets.UTF_8), 16), Arrays.copyOf(bytes, 256));
        MemorySegment ring = Arena.ofAuto().allocate(HttpEvent.SIZE + 8);
        event.encode(ring, 8);
        return new HttpEventView().at(ring, 8, HttpEvent.SIZE);
    }
}
