package dev.k8sebpf.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.k8sebpf.agent.loader.KernelExpectations;
import dev.k8sebpf.agent.loader.KernelPreconditions;
import dev.k8sebpf.agent.metrics.Promtool;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The whole agent against the real kernel: MODE=local with a mapping file whose Service ClusterIPs are
 * loopback addresses nobody listens on (a Service with zero pods: connect is refused) and whose endpoint
 * addresses have listeners. Addresses sit in 127.77.0.0/16 so other loopback traffic on the node does not
 * touch the asserted series; the excluded and the extra counted client run under comms of their own.
 */
class AgentEndToEndTest {
    private static final String ZERO_PODS_IP = "127.77.0.1";
    private static final String WEB_CLUSTER_IP = "127.77.0.2";
    private static final String WEB_0_IP = "127.77.1.1";
    private static final String WEB_1_IP = "127.77.1.2";
    private static final String UNMAPPED_IP = "127.77.9.9";
    private static final String EXCLUDED_COMM = "e2e-excluded";
    private static final String COUNTED_COMM = "e2e-counted";
    private static final int N = 7;

    @TempDir
    Path dir;

    private final List<ServerSocket> listeners = new ArrayList<>();
    private int port;

    @BeforeEach
    void listen() throws IOException {
        KernelPreconditions.requireBpf();
        ServerSocket first = new ServerSocket(0, 200, InetAddress.getByName(WEB_0_IP));
        listeners.add(first);
        port = first.getLocalPort();
        listeners.add(new ServerSocket(port, 200, InetAddress.getByName(WEB_1_IP)));
    }

    @AfterEach
    void close() throws IOException {
        for (ServerSocket listener : listeners) {
            listener.close();
        }
    }

    private Path mappingFile() throws IOException {
        return Files.writeString(dir.resolve("mapping.yaml"), """
                apiVersion: v1
                kind: List
                items:
                - apiVersion: v1
                  kind: Service
                  metadata: {name: zero, namespace: e2e}
                  spec: {clusterIP: %s, clusterIPs: [%s]}
                - apiVersion: v1
                  kind: Service
                  metadata: {name: web, namespace: e2e}
                  spec: {clusterIP: %s}
                - apiVersion: discovery.k8s.io/v1
                  kind: EndpointSlice
                  metadata:
                    name: web-abc12
                    namespace: e2e
                    labels: {kubernetes.io/service-name: web}
                  addressType: IPv4
                  endpoints:
                  - addresses: [%s]
                    targetRef: {kind: Pod, name: web-0, namespace: e2e}
                  - addresses: [%s]
                    targetRef: {kind: Pod, name: web-1, namespace: e2e}
                """.formatted(ZERO_PODS_IP, ZERO_PODS_IP, WEB_CLUSTER_IP, WEB_0_IP, WEB_1_IP));
    }

    /** True when the connection was established, false when it was refused. */
    private boolean connect(String ip) throws IOException {
        try (var socket = new Socket()) {
            socket.connect(new InetSocketAddress(ip, port), 2000);
            return true;
        } catch (ConnectException refused) {
            return false;
        }
    }

    /** Connects from a copy of bash running under {@code comm}, so the process name is ours alone. */
    private void connectAs(String comm, String ip, int times) throws Exception {
        // A symlink, not a copy: exec names the process after the path it was given, and a freshly written
        // executable can fail to start (ETXTBSY) while a forked child still holds the writer's descriptor.
        Path shell = dir.resolve(comm);
        if (!Files.exists(shell, LinkOption.NOFOLLOW_LINKS)) {
            Files.createSymbolicLink(shell, Path.of("/bin/bash"));
        }
        // ends with `true`: a refused connect is expected, so only a shell that did not run fails
        String script = "for ((i = 0; i < " + times + "; i++)); do { : 3<>/dev/tcp/" + ip + "/" + port + "; } 2>/dev/null; done; true";
        Process process = new ProcessBuilder(shell.toString(), "-c", script).inheritIO().start();
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(comm + " ran its connects").isZero();
    }

    private static Optional<String> sample(String scrape, String series) {
        return scrape.lines().filter(line -> line.startsWith(series + " ")).map(line -> line.substring(series.length() + 1)).findFirst();
    }

    private static String attempts(String service, String pod, String comm) {
        String namespace = service.isEmpty() ? "" : "e2e";
        return "internal_tcp_attempts_total{destination_namespace=\"" + namespace + "\",destination_pod=\"" + pod
                + "\",destination_service=\"" + service + "\",process_comm=\"" + comm + "\"}";
    }

    private static String activation(String service) {
        return "internal_tcp_service_attempts_total{destination_namespace=\"e2e\",destination_service=\"" + service + "\"}";
    }

    /** Scrapes until every expected series has its value (events arrive every 100 ms), then once more to see nothing extra came. */
    private String awaitSamples(AgentProcess agent, Map<String, String> expected) throws Exception {
        long deadline = System.nanoTime() + SETTLE.toNanos();
        String scrape = "";
        while (System.nanoTime() < deadline) {
            scrape = agent.get("/metrics").body();
            String current = scrape;
            if (expected.entrySet().stream().allMatch(e -> sample(current, e.getKey()).equals(Optional.of(e.getValue())))) {
                Thread.sleep(500);
                return agent.get("/metrics").body();
            }
            Thread.sleep(100);
        }
        return scrape;
    }

    /**
     * Every L4 tier that attaches on the build machine (cgroup, syscall_tracepoint); in the kernel matrix
     * the one auto mode picks there (the count suites run every tier; a whole agent per tier would cost
     * minutes per guest under emulation).
     */
    static List<String> expectedL4Tiers() {
        KernelExpectations expected = KernelExpectations.current();
        return expected.buildMachine() ? expected.l4Tiers() : List.of(expected.l4Auto());
    }

    /** Start to /readyz: seconds here, up to a minute in an emulated guest of the kernel matrix. */
    private static final Duration READY = Duration.ofSeconds(KernelExpectations.current().buildMachine() ? 30 : 120);
    /** How long counts may take to show up in /metrics (deadlines only: a run that counts right waits less). */
    private static final Duration SETTLE = Duration.ofSeconds(KernelExpectations.current().buildMachine() ? 10 : 60);

    @ParameterizedTest
    @MethodSource("expectedL4Tiers")
    void countsConnectAttemptsPerServicePodAndProcess(String tier) throws Exception {
        try (AgentProcess agent = AgentProcess.start(dir, Map.of(
                "MODE", "local",
                "MAPPING_FILE", mappingFile().toString(),
                "EXCLUDE_COMMS", "kubelet," + EXCLUDED_COMM,
                "L4_HOOK_TIER", tier))) {
            agent.awaitReady(READY);
            String before = agent.get("/metrics").body();
            assertThat(sample(before, activation("zero"))).contains("0.0");
            assertThat(sample(before, activation("web"))).contains("0.0");
            assertThat(before).doesNotContain("destination_namespace=\"e2e\",destination_pod");
            double excludedBefore = Double.parseDouble(sample(before, "internal_tcp_excluded_attempts_total").orElseThrow());

            for (int i = 0; i < N; i++) {
                assertThat(connect(ZERO_PODS_IP)).as("a Service with zero pods refuses").isFalse();
                assertThat(connect(WEB_0_IP)).isTrue();
                assertThat(connect(WEB_1_IP)).isTrue();
                assertThat(connect(WEB_1_IP)).isTrue();
            }
            connectAs(COUNTED_COMM, ZERO_PODS_IP, N);
            connectAs(COUNTED_COMM, UNMAPPED_IP, 2);
            connectAs(EXCLUDED_COMM, ZERO_PODS_IP, N);
            connectAs(EXCLUDED_COMM, WEB_0_IP, N);

            String after = awaitSamples(agent, Map.of(
                    attempts("zero", "", "java"), N + ".0",
                    attempts("web", "web-0", "java"), N + ".0",
                    attempts("web", "web-1", "java"), 2 * N + ".0",
                    attempts("zero", "", COUNTED_COMM), N + ".0",
                    attempts("", "", COUNTED_COMM), "2.0",
                    activation("zero"), 2 * N + ".0",
                    activation("web"), 3 * N + ".0"));
            assertThat(sample(after, attempts("zero", "", "java"))).contains(N + ".0");
            assertThat(sample(after, attempts("web", "web-0", "java"))).contains(N + ".0");
            assertThat(sample(after, attempts("web", "web-1", "java"))).contains(2 * N + ".0");
            assertThat(sample(after, attempts("zero", "", COUNTED_COMM))).contains(N + ".0");
            assertThat(sample(after, attempts("", "", COUNTED_COMM))).as("unmapped: empty labels").contains("2.0");
            assertThat(sample(after, activation("zero"))).contains(2 * N + ".0");
            assertThat(sample(after, activation("web"))).contains(3 * N + ".0");
            assertThat(sample(after, attempts("web", "", "java"))).as("nobody dialled the web ClusterIP").isEmpty();
            assertThat(after).as("excluded comm is never an attempt").doesNotContain("process_comm=\"" + EXCLUDED_COMM + "\"");
            double excludedAfter = Double.parseDouble(sample(after, "internal_tcp_excluded_attempts_total").orElseThrow());
            assertThat(excludedAfter - excludedBefore).as("excluded attempts are tallied").isEqualTo(2.0 * N);
            assertThat(after).contains("internal_agent_hook_tier{tier=\"" + tier + "\"} 1.0");
            Promtool.assertValid(after.getBytes());

            assertThat(agent.get("/healthz").statusCode()).isEqualTo(200);
            assertThat(agent.terminate()).as("exit status after SIGTERM").isIn(0, 143);
            assertThat(agent.stderr()).doesNotContain("Exception")
                    .contains("agent started: MODE=local, L4 hook tier " + tier + " (" + tier + ": forced)");
        }
    }

    @Test
    void aForcedTierThatCannotAttachEndsTheAgentWithOneLine() throws Exception {
        // the build machine: kprobes cannot attach (CONFIG_KPROBES is off; see kernel-facts.md)
        Optional<String> broken = Stream.of("kprobe", "fentry", "cgroup", "syscall_tracepoint")
                .filter(t -> !KernelExpectations.current().l4Works(t)).findFirst();
        assumeTrue(broken.isPresent(), "every L4 tier works on " + KernelExpectations.current().name());
        AgentProcess.Finished run = AgentProcess.run(dir, Map.of("MODE", "local", "L4_HOOK_TIER", broken.get()));
        assertThat(run.status()).isEqualTo(2);
        assertThat(run.stderrLines()).isNotEmpty().noneMatch(line -> line.startsWith("\tat ") || line.contains("Exception"));
        assertThat(run.stderrLines().getLast()).startsWith("hook tier " + broken.get() + " was forced but does not work here: ");
    }

    @Test
    void l7CountsHttpRequestsToMappedPodsWhenEnabled() throws Exception {
        var server = HttpServer.create(new InetSocketAddress(WEB_0_IP, 0), 50);
        server.createContext("/", exchange -> {
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        server.start();
        try (AgentProcess agent = AgentProcess.start(dir, Map.of(
                "MODE", "local",
                "MAPPING_FILE", mappingFile().toString(),
                "ENABLE_L7_HTTP", "true"))) {
            agent.awaitReady(READY);
            var client = HttpClient.newHttpClient();
            var request = HttpRequest.newBuilder(
                    URI.create("http://" + WEB_0_IP + ":" + server.getAddress().getPort() + "/orders")).build();
            for (int i = 0; i < N; i++) {
                assertThat(client.send(request, HttpResponse.BodyHandlers.discarding()).statusCode()).isEqualTo(204);
            }
            String series = "destination_namespace=\"e2e\",destination_pod=\"web-0\",destination_service=\"web\","
                    + "method=\"GET\",path=\"/orders\",process_comm=\"java\"";
            long deadline = System.nanoTime() + SETTLE.toNanos();
            Optional<String> requests = Optional.empty();
            while (System.nanoTime() < deadline && !requests.equals(Optional.of(N + ".0"))) {
                Thread.sleep(100);
                requests = agent.get("/metrics").body().lines()
                        .filter(line -> line.startsWith("internal_http_requests_total{") && line.contains(series))
                        .map(line -> line.substring(line.lastIndexOf(' ') + 1)).findFirst();
            }
            assertThat(requests).as("internal_http_requests_total{...%s}", series).contains(N + ".0");
            assertThat(agent.stderr()).contains("L7 HTTP hook tier " + KernelExpectations.current().l7Auto());
            assertThat(agent.terminate()).isIn(0, 143);
        } finally {
            server.stop(0);
        }
    }
}
