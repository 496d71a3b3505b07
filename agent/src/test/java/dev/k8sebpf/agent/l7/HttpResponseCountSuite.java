package dev.k8sebpf.agent.l7;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import dev.k8sebpf.agent.loader.KernelPreconditions;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.CountAtBucket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Real kernel, loopback, responses followed (ENABLE_L7_RESPONSES): real servers' responses are counted
 * exactly per status code with their request's labels, the histogram holds one duration per response,
 * and each duration lies within what the client measured. The JDK server writes with write(), Python's
 * with sendto(), nginx with writev(): each send path of the tier a subclass names.
 */
abstract class HttpResponseCountSuite extends L7TierSuite {
    @Override
    boolean responses() {
        return true;
    }

    @Test
    void jdkServerStatusesChunkedExpectContinueAndASlowAnswer() throws Exception {
        try (Servers.Server server = Servers.jdk(address); HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
            CountingPipeline counted = new CountingPipeline(CountingPipeline.withResponses(), address, "jdk").port(server.port());
            URI base = URI.create("http://" + address + ":" + server.port());
            List<HttpRequest> requests = new ArrayList<>();
            for (String path : List.of("/status/200", "/status/200", "/status/404", "/status/404", "/status/500", "/chunked")) {
                requests.add(HttpRequest.newBuilder(base.resolve(path)).GET().build());
            }
            requests.add(HttpRequest.newBuilder(base.resolve("/orders")).expectContinue(true)
                    .POST(HttpRequest.BodyPublishers.ofString("x".repeat(3000))).build());
            long slowest = 0;
            for (HttpRequest request : requests) {
                slowest = Math.max(slowest, timed(() -> client.send(request, HttpResponse.BodyHandlers.ofString())));
            }
            long slow = timed(() -> client.send(HttpRequest.newBuilder(base.resolve("/sleep/150")).GET().build(),
                    HttpResponse.BodyHandlers.ofString()));

            counted.drain(kernel);
            assertThat(counted.responses()).containsExactly(entry("GET /chunked 200", 1L), entry("GET /sleep/{id} 200", 1L),
                    entry("GET /status/{id} 200", 2L), entry("GET /status/{id} 404", 2L), entry("GET /status/{id} 500", 1L),
                    entry("POST /orders 200", 1L));
            Map<String, Timer> durations = counted.durations();
            assertThat(durations.values().stream().mapToLong(Timer::count).sum()).isEqualTo(counted.total()).isEqualTo(8);
            Timer sleep = durations.get("GET /sleep/{id}");
            assertThat(sleep.totalTime(TimeUnit.NANOSECONDS)).as("the server slept 150 ms; the client waited %d ns", slow)
                    .isBetween((double) TimeUnit.MILLISECONDS.toNanos(150), (double) slow);
            for (String fast : List.of("GET /status/{id}", "GET /chunked", "POST /orders")) {
                assertThat(durations.get(fast).max(TimeUnit.NANOSECONDS)).as(fast).isPositive().isLessThanOrEqualTo(slowest);
            }
            // 150 ms falls in the 250 ms bucket, not below
            assertThat(bucketCount(sleep, 0.1)).isZero();
            assertThat(bucketCount(sleep, 0.25)).isEqualTo(1);
        }
    }

    @Test
    void pythonPipelinedAnswersPairInOrderAndAClosedConnectionAnswersNothing() throws Exception {
        try (Servers.Server server = Servers.python(address)) {
            CountingPipeline counted = new CountingPipeline(CountingPipeline.withResponses(), address, "python").port(server.port());
            try (Socket socket = new Socket(address, server.port())) {
                socket.getOutputStream().write(("GET /status/201 HTTP/1.1\r\nHost: x\r\n\r\n"
                        + "DELETE /status/202 HTTP/1.1\r\nHost: x\r\n\r\n"
                        + "PUT /status/203 HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nhi").getBytes(StandardCharsets.US_ASCII));
                Servers.readResponses(socket, 3);
            }
            try (Socket socket = new Socket(address, server.port())) {
                socket.getOutputStream().write("GET /close HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                socket.setSoTimeout(10_000);
                assertThat(socket.getInputStream().read()).as("the server closes without an answer").isEqualTo(-1);
            }
            // curl sends Expect: 100-continue and waits for the interim answer before the body
            Servers.runClient(List.of("curl", "-s", "-o", "/dev/null", "-H", "Expect: 100-continue", "--data-binary", "x".repeat(2000),
                    "http://" + address + ":" + server.port() + "/status/202"));

            counted.drain(kernel);
            assertThat(counted.byMethodAndPath()).containsExactly(entry("DELETE /status/{id}", 1L), entry("GET /close", 1L),
                    entry("GET /status/{id}", 1L), entry("POST /status/{id}", 1L), entry("PUT /status/{id}", 1L));
            assertThat(counted.responses()).containsExactly(entry("DELETE /status/{id} 202", 1L), entry("GET /status/{id} 201", 1L),
                    entry("POST /status/{id} 202", 1L), entry("PUT /status/{id} 203", 1L));
            assertThat(counted.durations().values().stream().mapToLong(Timer::count).sum()).isEqualTo(4);
        }
    }

    @Test
    void nginxAnswersEveryRequestOfAKeepAliveCurl() throws Exception {
        KernelPreconditions.requireTool("curl");
        try (Servers.Nginx nginx = Servers.nginx(address)) {
            CountingPipeline counted = new CountingPipeline(CountingPipeline.withResponses(), address, "nginx").port(nginx.port());
            List<String> command = new ArrayList<>(List.of("curl", "-s"));
            for (String path : List.of("/a/1", "/a/2", "/b", "/a/3", "/healthz", "/b")) {
                command.addAll(List.of("-o", "/dev/null", "http://" + address + ":" + nginx.port() + path));
            }
            Servers.runClient(command);

            counted.drain(kernel);
            // the health check is filtered: neither its request nor its response is counted
            assertThat(counted.responses()).containsExactly(entry("GET /a/{id} 200", 3L), entry("GET /b 200", 2L));
            assertThat(counted.durations().values().stream().mapToLong(Timer::count).sum()).isEqualTo(counted.total()).isEqualTo(5);
        }
    }

    /** Responses whose duration fell at or below {@code seconds}, a bucket boundary. */
    private static double bucketCount(Timer timer, double seconds) {
        for (CountAtBucket bucket : timer.takeSnapshot().histogramCounts()) {
            if (Math.abs(bucket.bucket(TimeUnit.SECONDS) - seconds) < 1e-9) {
                return bucket.count();
            }
        }
        throw new AssertionError("no bucket at " + seconds + " s");
    }

    private interface Call {
        void run() throws Exception;
    }

    /** Nanoseconds the call took, as the client sees it. */
    private static long timed(Call call) throws Exception {
        long start = System.nanoTime();
        call.run();
        return System.nanoTime() - start;
    }
}
