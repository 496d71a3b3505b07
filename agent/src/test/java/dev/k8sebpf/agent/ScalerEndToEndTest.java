package dev.k8sebpf.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.k8sebpf.agent.loader.KernelPreconditions;
import dev.k8sebpf.agent.scaler.externalscaler.ExternalScalerGrpc;
import dev.k8sebpf.agent.scaler.externalscaler.GetMetricsRequest;
import dev.k8sebpf.agent.scaler.externalscaler.IsActiveResponse;
import dev.k8sebpf.agent.scaler.externalscaler.MetricSpec;
import dev.k8sebpf.agent.scaler.externalscaler.ScaledObjectRef;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SCALER_ADDR against the real kernel, with a gRPC client used the way KEDA's external-push scaler uses
 * it: StreamIsActive for a Service with zero pods, one connect attempt, then the window running out.
 * The Service's ClusterIP (127.79.0.1) has no listener, as kube-proxy rejects a Service without endpoints.
 */
class ScalerEndToEndTest {
    private static final String ZERO_PODS_IP = "127.79.0.1";

    @TempDir
    Path dir;

    private AgentProcess agent;
    private ManagedChannel channel;
    private int port;

    @BeforeEach
    void start() throws Exception {
        KernelPreconditions.requireBpf();
        Path mapping = Files.writeString(dir.resolve("mapping.yaml"), """
                apiVersion: v1
                kind: Service
                metadata: {name: checkout, namespace: shop}
                spec: {clusterIP: %s}
                """.formatted(ZERO_PODS_IP));
        int scalerPort = freePort();
        agent = AgentProcess.start(dir, Map.of("MODE", "local", "MAPPING_FILE", mapping.toString(),
                "SCALER_ADDR", "127.0.0.1:" + scalerPort));
        agent.awaitReady(Duration.ofSeconds(60));
        assertThat(agent.stderr()).contains("KEDA external scaler on /127.0.0.1:" + scalerPort);
        channel = NettyChannelBuilder.forAddress("127.0.0.1", scalerPort).usePlaintext().build();
        try (var probe = new ServerSocket(0, 1, InetAddress.getByName(ZERO_PODS_IP))) {
            port = probe.getLocalPort(); // nobody listens there once the probe is closed
        }
    }

    @AfterEach
    void stop() throws Exception {
        if (channel != null) {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        if (agent != null) {
            agent.close();
        }
    }

    private static int freePort() throws IOException {
        try (var socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static ScaledObjectRef checkout(Map<String, String> metadata) {
        return ScaledObjectRef.newBuilder().setName("checkout").setNamespace("shop").putAllScalerMetadata(metadata).build();
    }

    private void attempt() throws IOException {
        try (var socket = new Socket()) {
            socket.connect(new InetSocketAddress(ZERO_PODS_IP, port), 2000);
            throw new AssertionError("nobody should listen on the zero-pod Service");
        } catch (ConnectException refused) {
            // what a client of a Service with zero endpoints sees
        }
    }

    @Test
    void theStreamTurnsTrueAtTheFirstAttemptAndFalseAfterTheWindow() throws Exception {
        var ref = checkout(Map.of("scalerAddress", "agent:9103", "service", "checkout", "window", "3s"));
        var told = new LinkedBlockingQueue<Boolean>();
        ExternalScalerGrpc.newStub(channel).streamIsActive(ref, new StreamObserver<>() {
            @Override
            public void onNext(IsActiveResponse response) {
                told.add(response.getResult());
            }

            @Override
            public void onError(Throwable t) {
                // the queue then stays short: the next poll fails the test
            }

            @Override
            public void onCompleted() {
            }
        });
        assertThat(told.poll(10, TimeUnit.SECONDS)).as("the state when the stream opens").isFalse();
        var blocking = ExternalScalerGrpc.newBlockingStub(channel);
        assertThat(blocking.isActive(ref).getResult()).isFalse();

        long before = System.nanoTime();
        attempt();
        assertThat(told.poll(5, TimeUnit.SECONDS)).as("pushed after one attempt").isTrue();
        long pushedMillis = (System.nanoTime() - before) / 1_000_000;
        System.out.println("attempt → StreamIsActive true: " + pushedMillis + " ms");
        assertThat(blocking.isActive(ref).getResult()).isTrue();
        double rate = blocking.getMetrics(GetMetricsRequest.newBuilder().setScaledObjectRef(ref)
                .setMetricName("attempts-per-second-shop-checkout").build()).getMetricValues(0).getMetricValueFloat();
        assertThat(rate).as("1 attempt in a 3 s window").isEqualTo(1 / 3.0, org.assertj.core.data.Offset.offset(1e-9));
        MetricSpec spec = blocking.getMetricSpec(ref).getMetricSpecs(0);
        assertThat(spec.getMetricName()).isEqualTo("attempts-per-second-shop-checkout");
        assertThat(spec.getTargetSizeFloat()).isEqualTo(1.0);

        assertThat(told.poll(10, TimeUnit.SECONDS)).as("false once 3 s pass without attempts").isFalse();
        assertThat(blocking.isActive(ref).getResult()).isFalse();
        assertThat(told.poll(500, TimeUnit.MILLISECONDS)).as("nothing more to say").isNull();
    }

    @Test
    void anActivationThresholdNeedsMoreAttemptsAndAnUnknownServiceStaysInactive() throws Exception {
        var blocking = ExternalScalerGrpc.newBlockingStub(channel);
        var ref = checkout(Map.of("service", "checkout", "activationThreshold", "2", "window", "30s"));
        var unknown = checkout(Map.of("service", "nobody-has-this"));
        attempt();
        attempt();
        Thread.sleep(500); // two drains
        assertThat(blocking.isActive(ref).getResult()).as("2 attempts, threshold 2").isFalse();
        attempt();
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (!blocking.isActive(ref).getResult() && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(blocking.isActive(ref).getResult()).as("3 attempts, threshold 2").isTrue();
        assertThat(blocking.isActive(unknown).getResult()).isFalse();
        assertThat(agent.stderr()).doesNotContain("nobody-has-this");
    }

    @Test
    void badMetadataIsInvalidArgumentNamingTheKey() {
        var blocking = ExternalScalerGrpc.newBlockingStub(channel);
        Map<Map<String, String>, String> cases = Map.of(
                Map.of(), "scalerMetadata.service=\"\" is not valid",
                Map.of("service", "checkout", "window", "soon"), "scalerMetadata.window=\"soon\" is not valid",
                Map.of("service", "checkout", "window", "2h"), "scalerMetadata.window=\"2h\" is not valid",
                Map.of("service", "checkout", "activationThreshold", "-1"), "scalerMetadata.activationThreshold=\"-1\"",
                Map.of("service", "checkout", "targetAttemptsPerSecond", "0"), "scalerMetadata.targetAttemptsPerSecond=\"0\"",
                Map.of("service", "checkout", "sevrice", "x"), "scalerMetadata.sevrice=\"x\" is not valid: an unknown key");
        cases.forEach((metadata, message) -> assertThatThrownBy(() -> blocking.isActive(checkout(metadata)))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
                    assertThat(e.getStatus().getDescription()).startsWith(message);
                }));
        assertThat(agent.alive()).isTrue();
    }
}
