package dev.k8sebpf.agent.l7;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import com.google.common.util.concurrent.ListenableFuture;
import com.google.protobuf.BytesValue;
import dev.k8sebpf.agent.loader.KernelPreconditions;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.stub.ClientCalls;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Real kernel, loopback: cleartext HTTP/2 requests of real clients to real servers (curl to nginx,
 * grpc-java to grpc-java) are counted exactly, with method and path from HPACK, and their responses with
 * status and gRPC status, on the hook tier a subclass names.
 */
abstract class Http2RequestCountSuite extends L7TierSuite {
    @Override
    boolean responses() {
        return true;
    }

    @Test
    void curlWithPriorKnowledgeToNginx() throws Exception {
        KernelPreconditions.requireTool("curl");
        try (Servers.Nginx nginx = Servers.nginxH2c(address)) {
            CountingPipeline counted = new CountingPipeline(CountingPipeline.withResponses(), address, "nginx-h2").port(nginx.port());
            String base = "http://" + address + ":" + nginx.port();
            // one connection per request: curl 7.88 fails (exit 16) reusing a prior-knowledge connection for a third URL
            for (String path : List.of("/items/123?x=1", "/items/456", "/users/abc?q=2", "/healthz", "/items/9f1c2d3e4a5b6c7d8e9f",
                    "/users/abc", "/gone/x")) {
                Servers.runClient(List.of("curl", "-s", "--http2-prior-knowledge", "-o", "/dev/null", base + path));
            }
            Servers.runClient(List.of("curl", "-s", "--http2-prior-knowledge", "-o", "/dev/null", "-X", "DELETE", base + "/items/7"));

            counted.drain(kernel);
            assertThat(nginx.accessLog()).hasSize(8).allMatch(line -> line.contains(" HTTP/2.0\""));
            assertThat(counted.byMethodAndPath()).containsExactly(entry("DELETE /items/{id}", 1L), entry("GET /gone/x", 1L),
                    entry("GET /items/{id}", 3L), entry("GET /users/abc", 2L));
            // the health check's response is not counted: its request was not
            assertThat(counted.responses()).containsExactly(entry("DELETE /items/{id} 200", 1L), entry("GET /gone/x 404", 1L),
                    entry("GET /items/{id} 200", 3L), entry("GET /users/abc 200", 2L));
            assertThat(counted.durationCount()).isEqualTo(7);
            assertThat(counted.filtered()).isEqualTo(1);
            assertThat(counted.tagValues("process_comm")).containsExactly("nginx");
        }
    }

    @Test
    void jdkClientUpgradesToH2c() throws Exception {
        try (H2cServer server = new H2cServer(address); HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).build()) {
            CountingPipeline counted = new CountingPipeline(CountingPipeline.withResponses(), address, "h2c").port(server.port());
            URI base = URI.create("http://" + address + ":" + server.port());
            List<HttpResponse<String>> responses = new ArrayList<>();
            // the first request carries the upgrade (it is stream 1 of the HTTP/2 connection), the rest go over HTTP/2
            for (String path : List.of("/orders/1", "/orders/2?full=1", "/users/abc", "/orders/3")) {
                responses.add(client.send(HttpRequest.newBuilder(base.resolve(path)).GET().build(), HttpResponse.BodyHandlers.ofString()));
            }
            responses.add(client.send(HttpRequest.newBuilder(base.resolve("/orders")).POST(HttpRequest.BodyPublishers.ofString("x".repeat(3000)))
                    .build(), HttpResponse.BodyHandlers.ofString()));

            counted.drain(kernel);
            assertThat(responses).allMatch(r -> r.statusCode() == 200 && r.body().equals("ok"));
            assertThat(responses.get(0).version()).as("the upgrade was taken").isEqualTo(HttpClient.Version.HTTP_2);
            assertThat(counted.byMethodAndPath()).containsExactly(entry("GET /orders/{id}", 3L), entry("GET /users/abc", 1L),
                    entry("POST /orders", 1L));
            // the upgrade request is answered by its 101, an HTTP/1.1 response; the rest by their streams' HEADERS
            assertThat(counted.responses()).containsExactly(entry("GET /orders/{id} 101", 1L), entry("GET /orders/{id} 200", 2L),
                    entry("GET /users/abc 200", 1L), entry("POST /orders 200", 1L));
        }
    }

    @Test
    void grpcUnaryCallsOverSeveralConnections() throws Exception {
        try (GrpcEcho server = GrpcEcho.start(address)) {
            CountingPipeline counted = new CountingPipeline(CountingPipeline.withResponses(), address, "grpc").port(server.port());
            List<ManagedChannel> channels = List.of(server.channel(), server.channel(), server.channel());
            long says = 0;
            long fails = 0;
            long slowestCall = 0;
            try {
                for (int round = 0; round < 30; round++) {
                    for (ManagedChannel channel : channels) {
                        int request = (round * 97) % 3000 + 1;
                        long started = System.nanoTime();
                        assertThat(GrpcEcho.call(channel, GrpcEcho.SAY, request)).isEqualTo(request);
                        says++;
                        if (round % 3 == 0) {
                            assertThat(GrpcEcho.failingCall(channel, request)).isEqualTo(Status.Code.NOT_FOUND);
                            fails++;
                        }
                        slowestCall = Math.max(slowestCall, System.nanoTime() - started);
                    }
                }
                counted.drain(kernel);
                // one call at a time: every frame is captured, every path read
                assertThat(counted.byMethodAndPath()).containsExactly(entry("POST /l7test.Echo/Fail", fails),
                        entry("POST /l7test.Echo/Say", says));
                // each with its trailers' grpc-status, in the time the client saw
                assertThat(counted.responses()).containsExactly(entry("POST /l7test.Echo/Fail 200 grpc=5", fails),
                        entry("POST /l7test.Echo/Say 200 grpc=0", says));
                assertThat(counted.durationCount()).isEqualTo(says + fails);
                for (var timer : counted.durations().values()) {
                    assertThat(timer.max(TimeUnit.NANOSECONDS)).isPositive().isLessThanOrEqualTo(slowestCall);
                }

                // concurrent calls: their frames share reads, which may exceed the capture and lose the position
                List<ListenableFuture<BytesValue>> inFlight = new ArrayList<>();
                try (var poller = CountingPipeline.Poller.every100ms(counted, kernel)) {
                    for (int i = 0; i < 60; i++) {
                        inFlight.add(ClientCalls.futureUnaryCall(channels.get(i % 3).newCall(GrpcEcho.SAY, CallOptions.DEFAULT),
                                GrpcEcho.message(i * 10)));
                    }
                    for (ListenableFuture<BytesValue> call : inFlight) {
                        call.get(20, TimeUnit.SECONDS);
                    }
                    // a call after them on each connection: its stream id counts any that went by unseen
                    for (ManagedChannel channel : channels) {
                        assertThat(GrpcEcho.call(channel, GrpcEcho.SAY, 5)).isEqualTo(5);
                    }
                }
            } finally {
                for (ManagedChannel channel : channels) {
                    channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
                }
            }

            Map<String, Long> counts = counted.byMethodAndPath();
            assertThat(counted.total()).as("%s", counts).isEqualTo(says + fails + 60 + 3);
            assertThat(counts).containsEntry("POST /l7test.Echo/Fail", fails);
            assertThat(counts.keySet()).isSubsetOf("POST /l7test.Echo/Fail", "POST /l7test.Echo/Say", "POST /{unknown}", "UNKNOWN /{unknown}");
            assertThat(counted.tagValues("process_comm")).containsExactly("java");
            // a response whose stream end went by unseen (a send past the capture) is never counted; the rest are
            Map<String, Long> responses = counted.responses();
            assertThat(counted.responseTotal()).as("%s", responses).isBetween(says + fails, says + fails + 60 + 3);
            assertThat(responses).containsEntry("POST /l7test.Echo/Fail 200 grpc=5", fails);
            assertThat(responses.keySet()).isSubsetOf("POST /l7test.Echo/Fail 200 grpc=5", "POST /l7test.Echo/Say 200 grpc=0",
                    "POST /l7test.Echo/Say 200 grpc={unknown}", "POST /{unknown} 200 grpc=0", "UNKNOWN /{unknown} 200 grpc=0",
                    "POST /{unknown} 200 grpc={unknown}", "UNKNOWN /{unknown} 200 grpc={unknown}");
            assertThat(counted.durationCount()).isEqualTo(counted.responseTotal());
        }
    }
}
