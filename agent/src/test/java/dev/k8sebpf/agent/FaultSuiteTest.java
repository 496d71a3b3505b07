package dev.k8sebpf.agent;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.k8sebpf.agent.loader.KernelPreconditions;
import dev.k8sebpf.agent.mapping.MappingDumps;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent as shipped (its JVM flags, real kernel) under the faults users met: a paused agent during a
 * connect storm, label values chosen by processes and clients, mapping files of real clusters, heap
 * exhaustion. Addresses in 127.78.0.0/16 (and clients in 127.80.0.0/16) are this suite's own.
 */
class FaultSuiteTest {
    private static final String ZERO_PODS_IP = "127.78.0.1";
    private static final String SERVER_IP = "127.78.1.1";

    @TempDir
    Path dir;

    @BeforeEach
    void kernel() {
        KernelPreconditions.requireBpf();
        KernelPreconditions.requireTool("bpftool");
        KernelPreconditions.requireTool("python3");
    }

    private Path mappingFile() throws IOException {
        return Files.writeString(dir.resolve("mapping.yaml"), """
                apiVersion: v1
                kind: List
                items:
                - apiVersion: v1
                  kind: Service
                  metadata: {name: zero, namespace: faults}
                  spec: {clusterIP: %s}
                - apiVersion: discovery.k8s.io/v1
                  kind: EndpointSlice
                  metadata:
                    name: web-abc12
                    namespace: faults
                    labels: {kubernetes.io/service-name: web}
                  addressType: IPv4
                  endpoints:
                  - addresses: [%s]
                    targetRef: {kind: Pod, name: web-0, namespace: faults}
                """.formatted(ZERO_PODS_IP, SERVER_IP));
    }

    /** Runs a script of resources/faults as a process named {@code comm}; returns what it printed. */
    private long script(String comm, String script, String... args) throws Exception {
        Path python = dir.resolve(comm);
        if (!Files.exists(python, LinkOption.NOFOLLOW_LINKS)) {
            Files.createSymbolicLink(python, Path.of("/usr/bin/python3").toRealPath());
        }
        Path source = dir.resolve(script);
        try (InputStream in = FaultSuiteTest.class.getResourceAsStream("/faults/" + script)) {
            Files.copy(in, source, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        Process process = new ProcessBuilder(Stream.concat(Stream.of(python.toString(), source.toString()), Stream.of(args)).toList())
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String out = new String(process.getInputStream().readAllBytes()).strip();
        assertThat(process.waitFor(300, TimeUnit.SECONDS)).as(script + " finished").isTrue();
        assertThat(process.exitValue()).as(script + " exit status (printed " + out + ")").isZero();
        return Long.parseLong(out);
    }

    private static int closedPort() throws IOException {
        try (var socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static double value(String scrape, String series) {
        return scrape.lines().filter(line -> line.startsWith(series + " "))
                .mapToDouble(line -> Double.parseDouble(line.substring(series.length() + 1))).findFirst().orElse(0);
    }

    private static long count(String scrape, String prefix) {
        return scrape.lines().filter(line -> line.startsWith(prefix)).count();
    }

    private static String attempts(String service, String comm) {
        return "internal_tcp_attempts_total{destination_namespace=\"faults\",destination_pod=\"\",destination_service=\""
                + service + "\",process_comm=\"" + comm + "\"}";
    }

    private static final String ZERO_ACTIVATION =
            "internal_tcp_service_attempts_total{destination_namespace=\"faults\",destination_service=\"zero\"}";

    /**
     * Scrapes until {@code done} holds (events arrive every 100 ms), then once more after a pause: a scrape
     * taken while a drain runs may show series from before and after some of its events.
     */
    private static String awaitScrape(AgentProcess agent, Duration timeout, java.util.function.Predicate<String> done)
            throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        String scrape = agent.get("/metrics").body();
        while (!done.test(scrape) && System.nanoTime() < deadline) {
            Thread.sleep(200);
            scrape = agent.get("/metrics").body();
        }
        Thread.sleep(500);
        return agent.get("/metrics").body();
    }

    /**
     * The kernel's own tally of lost events in the agent's {@code stats} map, found through the agent's
     * descriptors (other agents may run on this machine), summed over CPUs.
     */
    private static long kernelLostTally(long pid) throws Exception {
        for (Path fd : Files.list(Path.of("/proc/" + pid + "/fd")).toList()) {
            String info;
            try {
                info = Files.readString(Path.of("/proc/" + pid + "/fdinfo/" + fd.getFileName()));
            } catch (IOException closedMeanwhile) {
                continue;
            }
            Matcher id = Pattern.compile("map_id:\\s+(\\d+)").matcher(info);
            if (!id.find() || !info.contains("map_type:\t6")) { // 6: BPF_MAP_TYPE_PERCPU_ARRAY
                continue;
            }
            Process dump = new ProcessBuilder("bpftool", "-j", "map", "dump", "id", id.group(1)).start();
            String json = new String(dump.getInputStream().readAllBytes());
            assertThat(dump.waitFor()).isZero();
            if (!json.contains("\"key\":0,\"values\"") && !json.contains("\"key\":0, \"values\"")) {
                continue;
            }
            // the formatted dump: [{"key":0,"values":[{"cpu":0,"value":N},...]},{"key":1,...}]
            String lost = json.substring(json.indexOf("\"key\":0"), json.indexOf("\"key\":1"));
            Matcher value = Pattern.compile("\"value\":(\\d+)").matcher(lost);
            long sum = 0;
            while (value.find()) {
                sum += Long.parseLong(value.group(1));
            }
            return sum;
        }
        throw new AssertionError("no per-CPU stats map among the agent's descriptors");
    }

    /**
     * SIGSTOP during a storm that overflows the 4 MiB ring: every attempt is counted or counted as lost,
     * the lost series is the kernel's tally to the event, and counting resumes after SIGCONT.
     */
    @Test
    void aPausedAgentReportsExactlyWhatTheKernelDroppedAndCountsOnAfterwards() throws Exception {
        int port = closedPort();
        try (AgentProcess agent = AgentProcess.start(dir, Map.of("MODE", "local", "MAPPING_FILE", mappingFile().toString()))) {
            agent.awaitReady(Duration.ofSeconds(60));
            double lostBefore = value(agent.get("/metrics").body(), "internal_agent_lost_events_total");
            assertThat(new ProcessBuilder("kill", "-STOP", Long.toString(agent.pid())).start().waitFor()).isZero();
            long made;
            try {
                made = script("fault-storm", "connect_storm.py", ZERO_PODS_IP, Integer.toString(port), "150000");
            } finally {
                assertThat(new ProcessBuilder("kill", "-CONT", Long.toString(agent.pid())).start().waitFor()).isZero();
            }
            String afterStorm = awaitScrape(agent, Duration.ofSeconds(60), scrape ->
                    value(scrape, attempts("zero", "fault-storm")) + value(scrape, "internal_agent_lost_events_total") - lostBefore >= made);
            double counted = value(afterStorm, attempts("zero", "fault-storm"));
            double lost = value(afterStorm, "internal_agent_lost_events_total") - lostBefore;
            assertThat(lost).as("the 4 MiB ring holds fewer than 150,000 events").isPositive();
            assertThat(counted).isLessThan(made);
            // other processes' connects may be lost in the same window, never fewer than ours
            assertThat(counted + lost).as("counted + lost of %d attempts", made).isGreaterThanOrEqualTo(made);
            assertThat(value(afterStorm, "internal_agent_lost_events_total")).as("the kernel's tally")
                    .isEqualTo(kernelLostTally(agent.pid()));
            assertThat(value(afterStorm, ZERO_ACTIVATION)).isEqualTo(counted);

            long again = script("fault-storm", "connect_storm.py", ZERO_PODS_IP, Integer.toString(port), "500");
            String resumed = awaitScrape(agent, Duration.ofSeconds(20),
                    scrape -> value(scrape, attempts("zero", "fault-storm")) >= counted + again);
            assertThat(value(resumed, attempts("zero", "fault-storm"))).as("counting resumed").isEqualTo(counted + again);
            assertThat(agent.get("/healthz").statusCode()).isEqualTo(200);
        }
    }

    /** A process that renames itself before every connect: series stop at L4_MAX_SERIES, counts do not. */
    @Test
    void processNamesAreBoundedWhileEveryAttemptIsCounted() throws Exception {
        int port = closedPort();
        int cap = 2_000;
        try (AgentProcess agent = AgentProcess.start(dir, Map.of("MODE", "local", "MAPPING_FILE", mappingFile().toString(),
                "L4_MAX_SERIES", Integer.toString(cap)))) {
            agent.awaitReady(Duration.ofSeconds(60));
            long made = script("fault-bomb", "connect_storm.py", ZERO_PODS_IP, Integer.toString(port), "6000", "renamed");
            String scrape = awaitScrape(agent, Duration.ofSeconds(60), s -> value(s, ZERO_ACTIVATION) >= made);
            assertThat(value(scrape, ZERO_ACTIVATION)).as("the activation series counts every attempt").isEqualTo(made);
            long series = count(scrape, "internal_tcp_attempts_total{");
            // the cap, plus one overflow series per destination (here the one Service, and unmapped ones)
            assertThat(series).isLessThanOrEqualTo(cap + 2);
            double other = value(scrape, attempts("zero", "{other}"));
            double named = scrape.lines().filter(l -> l.startsWith("internal_tcp_attempts_total{destination_namespace=\"faults\"")
                    && l.contains("process_comm=\"bomb-")).mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
            assertThat(named + other).as("named + {other} attempts to the Service").isEqualTo(made);
            assertThat(value(scrape, "internal_tcp_overflowed_attempts_total")).isGreaterThanOrEqualTo(other).isPositive();
            assertThat(agent.get("/healthz").statusCode()).isEqualTo(200);
        }
    }

    /** 2,000 client addresses × 3 paths against L7_MAX_SERIES=1,000: bounded series, every request counted. */
    @Test
    void sourceIpsAreBoundedWhileEveryRequestIsCounted() throws Exception {
        var server = HttpServer.create(new InetSocketAddress(SERVER_IP, 0), 100);
        server.createContext("/", exchange -> {
            byte[] body = "ok".getBytes();
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        try (AgentProcess agent = AgentProcess.start(dir, Map.of("MODE", "local", "MAPPING_FILE", mappingFile().toString(),
                "ENABLE_L4", "false", "ENABLE_L7_HTTP", "true", "L7_MAX_SERIES", "1000"))) {
            agent.awaitReady(Duration.ofSeconds(60));
            long answered = script("fault-clients", "source_ip_bomb.py", SERVER_IP,
                    Integer.toString(server.getAddress().getPort()), "2000", "3");
            String web = "destination_namespace=\"faults\",destination_pod=\"web-0\",destination_service=\"web\"";
            java.util.function.ToDoubleFunction<String> served = s -> s.lines()
                    .filter(l -> l.startsWith("internal_http_requests_total{") && l.contains(web))
                    .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
            String scrape = awaitScrape(agent, Duration.ofSeconds(60), s -> served.applyAsDouble(s) >= answered);
            assertThat(served.applyAsDouble(scrape)).as("requests to the pod, in all its series").isEqualTo(answered);
            // other HTTP traffic on the machine may have series too: the cap is for all of them
            assertThat(scrape.lines().filter(l -> l.startsWith("internal_http_requests_total{") && !l.contains("{other}")))
                    .hasSizeLessThanOrEqualTo(1_000);
            assertThat(scrape.lines().filter(l -> l.contains("source_ip=\"{other}\"") && l.contains(web)).count()).isEqualTo(1);
            assertThat(agent.get("/healthz").statusCode()).isEqualTo(200);
        } finally {
            server.stop(0);
        }
    }

    /**
     * kubectl's dump of 3,000 Services and 3,000 EndpointSlices (6 MB) in a 32 MB heap, which did not hold a
     * dump of 1,000 when the whole file was parsed into objects: the file is streamed (10,000 + 10,000 in
     * the shipped heap: bench/mapping, BENCHMARKS.md).
     */
    @Test
    void aDumpOfALargeClusterIsStreamedThroughASmallHeap() throws Exception {
        Path dump = MappingDumps.write(dir.resolve("cluster.yaml"), 3_000, 5);
        try (AgentProcess agent = AgentProcess.start(dir, Map.of("MODE", "local", "MAPPING_FILE", dump.toString(),
                "ENABLE_L4", "false", "MAPPER_CAPACITY", "20000"), List.of("-Xmx32m"))) {
            agent.awaitReady(Duration.ofSeconds(120));
            String scrape = agent.get("/metrics").body();
            assertThat(count(scrape, "internal_tcp_service_attempts_total{")).isEqualTo(3_000);
            assertThat(value(scrape, "internal_agent_mapping_entries")).isEqualTo(3_000 + 15_000);
        }
    }

    /**
     * Heap exhaustion ends the process (the JVM flag in agent/jvm.options, which the image runs too), so
     * Kubernetes restarts it instead of keeping a zombie that answers probes. Provoked with a heap too
     * small for the mapping file: an exhaustion at run time ends it the same way, but takes minutes of GC
     * thrashing to reach.
     */
    @Test
    void runningOutOfHeapEndsTheAgent() throws Exception {
        Path dump = MappingDumps.write(dir.resolve("cluster.yaml"), 3_000, 5);
        AgentProcess.Finished run = AgentProcess.run(dir, Map.of("MODE", "local", "MAPPING_FILE", dump.toString(),
                "ENABLE_L4", "false"), List.of("-Xmx8m"));
        assertThat(run.status()).isEqualTo(3);
        assertThat(run.stderrLines()).contains("Terminating due to java.lang.OutOfMemoryError: Java heap space");
    }
}
