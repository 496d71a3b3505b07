package dev.k8sebpf.agent.l7;

import dev.k8sebpf.agent.httpparse.ConnectionTable;
import dev.k8sebpf.agent.mapping.Destination;
import dev.k8sebpf.agent.mapping.IpKey;
import dev.k8sebpf.agent.mapping.MappingTable;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * A pipeline into its own registry that only sees events for the ports it was told about, so
 * concurrent traffic on this machine cannot change a test's counts. The server address maps to
 * namespace {@code l7test}, the given service and pod {@code pod-1}.
 */
final class CountingPipeline {
    final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    final String service;
    private final MappingTable mapping = new MappingTable(Duration.ofMinutes(5), 64, System::nanoTime);
    private final Set<Integer> ports = new HashSet<>();
    private final HttpPipeline pipeline;

    CountingPipeline(L7Options options, String serverAddress, String service) {
        this.service = service;
        mapping.put(IpKey.parse(serverAddress), new Destination("l7test", service, "pod-1"));
        pipeline = new HttpPipeline(options, mapping, new HttpMetrics(registry, 10_000, Duration.ofMinutes(15)),
                new ConnectionTable(1024, Duration.ofMinutes(5), System::nanoTime));
    }

    static L7Options options(int maxPaths) {
        return new L7Options(true, List.of("/internal/*"), List.of("agent"), maxPaths, false, 10_000, Duration.ofMinutes(15), Optional.empty(), true, 100, false);
    }

    /** {@link #options} with responses followed (ENABLE_L7_RESPONSES). */
    static L7Options withResponses() {
        L7Options o = options(100);
        return new L7Options(o.filterHealthcheck(), o.healthcheckPaths(), o.excludeComms(), o.maxPathsPerService(), o.dropUnmapped(),
                o.maxSeries(), o.seriesTtl(), o.hookTier(), o.tlsHandshakes(), o.maxServerNames(), true);
    }

    CountingPipeline port(int port) {
        ports.add(port);
        return this;
    }

    /** Feeds the events of our ports to the pipeline; returns how many. */
    int drain(L7Kernel kernel) {
        int[] ours = {0};
        pipeline.startDrain();
        kernel.poll(event -> {
            if (ports.contains(event.localPort())) {
                ours[0]++;
                pipeline.accept(event);
            }
        });
        return ours[0];
    }

    /** Drains on a thread of its own meanwhile; close stops it after one last drain. */
    static final class Poller implements AutoCloseable {
        private final Thread thread;
        private volatile boolean stopping;

        private Poller(CountingPipeline counted, L7Kernel kernel) {
            thread = Thread.ofPlatform().name("l7-test-poller").start(() -> {
                while (!stopping) {
                    counted.drain(kernel);
                    try {
                        Thread.sleep(100);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                counted.drain(kernel);
            });
        }

        static Poller every100ms(CountingPipeline counted, L7Kernel kernel) {
            return new Poller(counted, kernel);
        }

        @Override
        public void close() throws InterruptedException {
            stopping = true;
            thread.join();
        }
    }

    /** "METHOD path" → count, over every series of this service. */
    Map<String, Long> byMethodAndPath() {
        Map<String, Long> counts = new TreeMap<>();
        for (Counter c : registry.find(HttpMetrics.REQUESTS).tag("destination_service", service).counters()) {
            counts.merge(c.getId().getTag("method") + " " + c.getId().getTag("path"), (long) c.count(), Long::sum);
        }
        return counts;
    }

    long total() {
        return byMethodAndPath().values().stream().mapToLong(Long::longValue).sum();
    }

    /** "METHOD path status" (and " grpc=N" where a gRPC status came) → responses, over every series of this service. */
    Map<String, Long> responses() {
        Map<String, Long> counts = new TreeMap<>();
        for (Counter c : registry.find(HttpMetrics.RESPONSES).tag("destination_service", service).counters()) {
            String grpc = c.getId().getTag("grpc_status");
            counts.merge(c.getId().getTag("method") + " " + c.getId().getTag("path") + " " + c.getId().getTag("status_code")
                    + (grpc.isEmpty() ? "" : " grpc=" + grpc), (long) c.count(), Long::sum);
        }
        return counts;
    }

    long responseTotal() {
        return responses().values().stream().mapToLong(Long::longValue).sum();
    }

    /** Durations recorded, over every histogram of this service. */
    long durationCount() {
        return durations().values().stream().mapToLong(Timer::count).sum();
    }

    /** "METHOD path" → its duration histogram's timer. */
    Map<String, Timer> durations() {
        Map<String, Timer> timers = new TreeMap<>();
        for (Timer t : registry.find(HttpMetrics.DURATION).tag("destination_service", service).timers()) {
            timers.put(t.getId().getTag("method") + " " + t.getId().getTag("path"), t);
        }
        return timers;
    }

    long filtered() {
        return (long) registry.get(HttpMetrics.FILTERED).counter().count();
    }

    /** "server_name alpn" → handshakes, over every series of this service. */
    Map<String, Long> handshakes() {
        Map<String, Long> counts = new TreeMap<>();
        for (Counter c : registry.find(HttpMetrics.HANDSHAKES).tag("destination_service", service).counters()) {
            counts.merge(c.getId().getTag("server_name") + " " + c.getId().getTag("alpn"), (long) c.count(), Long::sum);
        }
        return counts;
    }

    /** Every value one label takes across the handshake series. */
    Set<String> handshakeTagValues(String tag) {
        Set<String> values = new HashSet<>();
        registry.find(HttpMetrics.HANDSHAKES).counters().forEach(c -> values.add(c.getId().getTag(tag)));
        return values;
    }

    /** Every value one label takes across the series, e.g. each process_comm seen. */
    Set<String> tagValues(String tag) {
        Set<String> values = new HashSet<>();
        registry.find(HttpMetrics.REQUESTS).counters().forEach(c -> values.add(c.getId().getTag(tag)));
        return values;
    }
}
