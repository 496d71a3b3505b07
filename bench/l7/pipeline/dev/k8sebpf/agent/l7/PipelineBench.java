package dev.k8sebpf.agent.l7;

import dev.k8sebpf.agent.bpf.AddrFamily;
import dev.k8sebpf.agent.bpf.CaptureKind;
import dev.k8sebpf.agent.bpf.HttpEvent;
import dev.k8sebpf.agent.httpparse.ConnectionTable;
import dev.k8sebpf.agent.mapping.Destination;
import dev.k8sebpf.agent.mapping.IpKey;
import dev.k8sebpf.agent.mapping.MappingTable;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Random;

/**
 * The agent's per-event work without the kernel: http_events laid out as in the ring buffer (requests
 * on 8 keep-alive connections that differ as service traffic does: ids in paths, queries, a fresh
 * traceparent and request id, 5-8 headers; or, with "replay", wrk's one request), read through HttpEventView
 * into HttpPipeline and a Prometheus registry. Prints the thread CPU per event for 12 rounds of 1M events;
 * the last rounds are the steady state. In package l7 for its package-private classes: run it with
 * bench/l7/pipeline.sh, which compiles it against agent/target/classes.
 */
public class PipelineBench {
    private static final int EVENTS = 4096;
    private static final long STRIDE = HttpEvent.SIZE + 8; // record plus the ring buffer's header

    public static void main(String[] args) {
        boolean replay = args.length > 0 && args[0].equals("replay");
        Random random = new Random(42);
        byte[] server = {127, 0, 0, 88};
        byte[] client = {127, 0, 0, 1};
        MappingTable mapping = new MappingTable(Duration.ofMinutes(1), 2048, System::nanoTime);
        mapping.put(IpKey.of(server), new Destination("bench", "nginx", "nginx-0"));
        HttpPipeline pipeline = new HttpPipeline(
                new L7Options(true, List.of(), List.of("agent"), 100, false, 5_000, Duration.ofMinutes(15), Optional.empty(), true, 100, false),
                mapping, new HttpMetrics(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), 5_000, Duration.ofMinutes(15)),
                new ConnectionTable(65_536, Duration.ofMinutes(5), System::nanoTime));
        MemorySegment ring = Arena.ofAuto().allocate(EVENTS * STRIDE, 8);
        for (int i = 0; i < EVENTS; i++) {
            byte[] request = (replay ? "GET /bench/42?n=1 HTTP/1.1\r\nHost: 127.0.0.88:18088\r\n\r\n"
                    : variedRequest(random)).getBytes(StandardCharsets.US_ASCII);
            int captured = Math.min(request.length, 256);
            new HttpEvent(0xffff_8881_0000_0000L + (i % 8) * 2304, 0, Arrays.copyOf(server, 16), Arrays.copyOf(client, 16),
                    18088, 40000 + i % 8, request.length, captured, AddrFamily.FAMILY_V4, CaptureKind.CAPTURE_HTTP, new byte[4],
                    Arrays.copyOf("nginx".getBytes(StandardCharsets.US_ASCII), 16), Arrays.copyOf(request, 256))
                    .encode(ring, i * STRIDE + 8);
        }
        HttpEventView view = new HttpEventView();
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        for (int round = 1; round <= 12; round++) {
            long cpu = threads.getCurrentThreadCpuTime();
            int events = 0;
            for (int drain = 0; drain < 250; drain++) {
                pipeline.startDrain();
                for (int i = 0; i < EVENTS; i++, events++) {
                    pipeline.accept(view.at(ring, i * STRIDE + 8, HttpEvent.SIZE));
                }
            }
            System.out.printf("round %2d: %.0f ns CPU per event%n", round, (threads.getCurrentThreadCpuTime() - cpu) / (double) events);
        }
    }

    /** As bench/l7/varied.lua writes them (GETs only: a body would be a read of its own in the ring). */
    private static String variedRequest(Random random) {
        String[] paths = {"/api/v1/orders/%d", "/api/v1/users/%d/profile", "/api/v1/items/%d?page=%d",
                "/catalog/products/%d/reviews?sort=recent&limit=%d", "/search?q=item%d&offset=%d"};
        String path = String.format(paths[random.nextInt(paths.length)], random.nextInt(999_999), random.nextInt(50));
        StringBuilder r = new StringBuilder("GET ").append(path).append(" HTTP/1.1\r\n")
                .append("Host: orders.shop.svc.cluster.local\r\nUser-Agent: okhttp/4.12.0\r\nAccept: application/json\r\n")
                .append("traceparent: 00-").append(hex(random, 32)).append('-').append(hex(random, 16)).append("-01\r\n")
                .append("X-Request-Id: ").append(hex(random, 32)).append("\r\n");
        if (random.nextBoolean()) {
            r.append("Authorization: Bearer ").append(hex(random, 40)).append("\r\n");
        }
        return r.append("\r\n").toString();
    }

    private static String hex(Random random, int n) {
        StringBuilder s = new StringBuilder(n);
        for (int i = 0; i < n; i++) {
            s.append(Character.forDigit(random.nextInt(16), 16));
        }
        return s.toString();
    }
}
