package dev.k8sebpf.agent.http;

import java.time.Duration;
import static org.assertj.core.api.Assertions.assertThat;

import dev.k8sebpf.agent.mapping.Destination;
import dev.k8sebpf.agent.metrics.AgentMetrics;
import dev.k8sebpf.agent.metrics.Promtool;
import java.net.InetAddress;
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

    @Test
    void headHasNoBody() throws Exception {
        var head = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.address().getPort() + "/healthz"))
                .method("HEAD", HttpRequest.BodyPublishers.noBody()).build();
        HttpResponse<String> response = client.send(head, HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEmpty();
    }
}
