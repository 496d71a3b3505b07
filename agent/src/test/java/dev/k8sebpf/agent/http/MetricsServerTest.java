package dev.k8sebpf.agent.http;

import java.time.Duration;
import static org.assertj.core.api.Assertions.assertThat;

import dev.k8sebpf.agent.mapping.Destination;
import dev.k8sebpf.agent.metrics.AgentMetrics;
import dev.k8sebpf.agent.metrics.Promtool;
import dev.k8sebpf.agent.loader.KernelPreconditions;
import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class MetricsServerTest {
    private final AgentMetrics metrics = new AgentMetrics(10_000, Duration.ZERO, System::nanoTime);
    private final AtomicReference<Optional<String>> liveness = new AtomicReference<>(Optional.empty());
    private final AtomicReference<Optional<String>> readiness = new AtomicReference<>(Optional.of("kernel probe not attached"));
    private final HttpClient client = HttpClient.newHttpClient();
    private MetricsServer server;

    @BeforeEach
    void start() throws Exception {
        server = MetricsServer.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), metrics, liveness::get, readiness::get);
        metrics.serviceAdded("shop", "web");
        metrics.countAttempt(new Destination("shop", "web", "web-1"), "curl");
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private HttpResponse<String> get(String path, String... headers) throws Exception {
        var request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.address().getPort() + path));
        if (headers.length > 0) {
            request.headers(headers);
        }
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void metricsDefaultsToText004() throws Exception {
        HttpResponse<String> response = get("/metrics");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).contains("text/plain; version=0.0.4; charset=utf-8");
        assertThat(response.body())
                .contains("internal_tcp_service_attempts_total{destination_namespace=\"shop\",destination_service=\"web\"} 1.0\n")
                .doesNotContain("# EOF");
        Promtool.assertValid(response.body().getBytes());
    }

    @Test
    void metricsAsOpenMetricsWhenAccepted() throws Exception {
        HttpResponse<String> response = get("/metrics", "Accept",
                "application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5,*/*;q=0.1");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).contains("application/openmetrics-text; version=1.0.0; charset=utf-8");
        assertThat(response.body()).endsWith("# EOF\n");
    }

    @Test
    void plainPrometheusAcceptGetsText() throws Exception {
        HttpResponse<String> response = get("/metrics", "Accept", "text/plain;version=0.0.4;q=1,*/*;q=0.1");
        assertThat(response.headers().firstValue("Content-Type")).contains("text/plain; version=0.0.4; charset=utf-8");
    }

    @Test
    void readyzReportsTheReasonUntilReady() throws Exception {
        HttpResponse<String> notReady = get("/readyz");
        assertThat(notReady.statusCode()).isEqualTo(503);
        assertThat(notReady.body()).isEqualTo("not ok: kernel probe not attached\n");
        readiness.set(Optional.empty());
        HttpResponse<String> ready = get("/readyz");
        assertThat(ready.statusCode()).isEqualTo(200);
        assertThat(ready.body()).isEqualTo("ok\n");
    }

    @Test
    void healthzFollowsLiveness() throws Exception {
        assertThat(get("/healthz").statusCode()).isEqualTo(200);
        liveness.set(Optional.of("poll thread died"));
        HttpResponse<String> dead = get("/healthz");
        assertThat(dead.statusCode()).isEqualTo(503);
        assertThat(dead.body()).contains("poll thread died");
    }

    @Test
    void unknownPathsAndMethods() throws Exception {
        assertThat(get("/metricsx").statusCode()).isEqualTo(404);
        assertThat(get("/").statusCode()).isEqualTo(404);
        var post = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.address().getPort() + "/metrics"))
                .POST(HttpRequest.BodyPublishers.ofString("x")).build();
        HttpResponse<String> response = client.send(post, HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(405);
        assertThat(response.headers().firstValue("Allow")).contains("GET, HEAD");
    }

    /** One request on its own connection, read to the end: what a scraper does. */
    private static String rawGet(int port, String path) throws IOException {
        try (var socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: agent\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void aBurstOf200ConcurrentScrapesAllSucceed() throws Exception {
        int port = server.address().getPort();
        var start = new CountDownLatch(1);
        List<Future<String>> scrapes = new ArrayList<>();
        try (ExecutorService scrapers = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < 200; i++) {
                scrapes.add(scrapers.submit(() -> {
                    start.await();
                    return rawGet(port, "/metrics");
                }));
            }
            start.countDown();
            for (Future<String> scrape : scrapes) {
                assertThat(scrape.get()).startsWith("HTTP/1.1 200 OK")
                        .contains("internal_tcp_service_attempts_total{destination_namespace=\"shop\",destination_service=\"web\"} 1.0\n");
            }
        }
    }

    @Test
    void theListenBacklogFitsABurst() throws Exception {
        KernelPreconditions.requireTool("ss");
        int somaxconn = Integer.parseInt(Files.readAllLines(Path.of("/proc/sys/net/core/somaxconn")).getFirst().strip());
        // ss shows a listening socket's backlog in its Send-Q column.
        Process ss = new ProcessBuilder("ss", "-ltnH", "sport = :" + server.address().getPort()).redirectErrorStream(true).start();
        String line = new String(ss.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertThat(ss.waitFor()).isZero();
        assertThat(Integer.parseInt(line.split("\\s+")[2])).isEqualTo(Math.min(MetricsServer.BACKLOG, somaxconn)).isGreaterThanOrEqualTo(200);
    }

    /** Renders that wait for {@code release}. */
    private ScrapeCoalescer blockedScrapes(CountDownLatch release) {
        return new ScrapeCoalescer(accept -> {
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return metrics.scrape(accept);
        });
    }

    private MetricsServer limitedServer(ScrapeCoalescer scrapes, BoundedExecutor executor) throws IOException {
        return MetricsServer.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), WebConfig.PLAIN,
                scrapes, liveness::get, readiness::get, executor);
    }

    @Test
    void requestsBeyondTheRunningLimitWaitForTheirTurn() throws Exception {
        var release = new CountDownLatch(1);
        var executor = new BoundedExecutor(1, 8);
        try (var limited = limitedServer(blockedScrapes(release), executor); ExecutorService scrapers = Executors.newVirtualThreadPerTaskExecutor()) {
            int port = limited.address().getPort();
            List<Future<String>> scrapes = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                scrapes.add(scrapers.submit(() -> rawGet(port, "/metrics")));
            }
            ScrapeCoalescerTest.until(executor::waiting, 3);
            release.countDown();
            for (Future<String> scrape : scrapes) {
                assertThat(scrape.get()).startsWith("HTTP/1.1 200 OK");
            }
        }
    }

    @Test
    void requestsBeyondRunningAndQueuedAreRefused() throws Exception {
        var release = new CountDownLatch(1);
        var executor = new BoundedExecutor(1, 1);
        ScrapeCoalescer scrapes = blockedScrapes(release);
        try (var limited = limitedServer(scrapes, executor); ExecutorService scrapers = Executors.newVirtualThreadPerTaskExecutor()) {
            int port = limited.address().getPort();
            Future<String> first = scrapers.submit(() -> rawGet(port, "/metrics"));
            ScrapeCoalescerTest.until(scrapes::callers, 1);
            Future<String> second = scrapers.submit(() -> rawGet(port, "/metrics"));
            ScrapeCoalescerTest.until(executor::waiting, 1);
            String refused;
            try {
                refused = rawGet(port, "/healthz");
            } catch (IOException reset) {
                refused = "";
            }
            assertThat(refused).as("a third request while one runs and one waits").isEmpty();
            release.countDown();
            assertThat(first.get()).startsWith("HTTP/1.1 200 OK");
            assertThat(second.get()).startsWith("HTTP/1.1 200 OK");
            assertThat(rawGet(port, "/healthz")).startsWith("HTTP/1.1 200 OK");
        }
    }

    @Test
    void aBodyLargerThanTheWriteChunkArrivesWhole() throws Exception {
        for (int i = 0; i < 600; i++) {
            metrics.serviceAdded("shop", "service-" + i);
        }
        HttpResponse<String> response = get("/metrics");
        assertThat(response.body().length()).isGreaterThan(3 * 16384);
        assertThat(response.body()).contains("destination_service=\"service-599\"} 0.0\n");
        Promtool.assertValid(response.body().getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void headHasNoBody() throws Exception {
        var head = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.address().getPort() + "/healthz"))
                .method("HEAD", HttpRequest.BodyPublishers.noBody()).build();
        HttpResponse<String> response = client.send(head, HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEmpty();
    }
}
