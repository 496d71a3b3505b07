package dev.k8sebpf.agent.l7;

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

/**
 * The agent's per-event work without the kernel: http_events laid out as in the ring buffer (wrk's
 * request on 8 keep-alive connections, or a different path per request), read through HttpEventView
 * into HttpPipeline and a Prometheus registry. Prints the thread CPU per event for 12 rounds of 1M events;
 * the last rounds are the steady state. In package l7 for its package-private classes: run it with
 * bench/l7/pipeline.sh, which compiles it against agent/target/classes.
 */
public class PipelineBench {
    private static final int EVENTS = 4096;
    private static final long STRIDE = HttpEvent.SIZE + 8; // record plus the ring buffer's header

    public static void main(String[] args) {
        boolean distinct = args.length > 0 && args[0].equals("distinct");
        byte[] server = {127, 0, 0, 88};
        byte[] client = {127, 0, 0, 1};
        MappingTable mapping = new MappingTable(Duration.ofMinutes(1), 2048, System::nanoTime);
        mapping.put(IpKey.of(server), new Destination("bench", "nginx", "nginx-0"));
        HttpPipeline pipeline = new HttpPipeline(
                new L7Options(true, List.of(), List.of("agent"), 100, false, 5_000, Duration.ofMinutes(15), Optional.empty()),
                mapping, new HttpMetrics(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), 5_000, Duration.ofMinutes(15)),
                new ConnectionTable(65_536, Duration.ofMinutes(5), System::nanoTime));
        MemorySegment ring = Arena.ofAuto().allocate(EVENTS * STRIDE, 8);
        for (int i = 0; i < EVENTS; i++) {
            String path = distinct ? "/bench/" + (i % 50) + "/item" + (i % 90) : "/bench/42?n=1";
            byte[] request = ("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.88:18088\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
            new HttpEvent(0xffff_8881_0000_0000L + (i % 8) * 2304, Arrays.copyOf(server, 16), Arrays.copyOf(client, 16),
                    18088, 40000 + i % 8, 4, 1, request.length, 1234, request.length,
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
                    pipeline.accept(view.at(ring, i * STRIDE + 8));
                }
            }
            System.out.printf("round %2d: %.0f ns CPU per event%n", round, (threads.getCurrentThreadCpuTime() - cpu) / (double) events);
        }
    }
}
