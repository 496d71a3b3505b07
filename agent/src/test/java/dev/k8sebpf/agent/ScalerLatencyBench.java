package dev.k8sebpf.agent;

import dev.k8sebpf.agent.scaler.externalscaler.ExternalScalerGrpc;
import dev.k8sebpf.agent.scaler.externalscaler.IsActiveResponse;
import dev.k8sebpf.agent.scaler.externalscaler.ScaledObjectRef;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Attempt → StreamIsActive {@code true} (benchmark, not a test): the packaged agent's flags, SCALER_ADDR,
 * N cold Services with zero pods (ClusterIPs 127.81.x.y, nobody listens), one stream per Service opened
 * first, then one connect per Service, a second apart. Beside it, from the same attempt times, the
 * Prometheus path as users run it: the attempt is seen at the next scrape (every 15 s, random phase) and
 * acted on at KEDA's next poll of the query after that (every 30 s, random phase); a model of those two
 * clocks over the measured attempts, not a run of Prometheus and KEDA.
 * With {@code cluster}: the agent serves its attempt stream and KEDA's side asks a cluster scaler replica
 * (MODE=scaler, finding the agent through a mock API server) instead of the agent.
 * Run with bench/scaler/run.sh [services=200] [cluster].
 */
public final class ScalerLatencyBench {
    private ScalerLatencyBench() {
    }

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 200;
        boolean cluster = args.length > 1 && args[1].equals("cluster");
        Path dir = Files.createTempDirectory("scaler-bench");
        var yaml = new StringBuilder("apiVersion: v1\nkind: List\nitems:\n");
        for (int i = 0; i < n; i++) {
            yaml.append("- {apiVersion: v1, kind: Service, metadata: {name: cold-").append(i)
                    .append(", namespace: bench}, spec: {clusterIP: ").append(ip(i)).append("}}\n");
        }
        Path mapping = Files.writeString(dir.resolve("mapping.yaml"), yaml);
        int scalerPort = 19_603;
        int streamPort = 19_604;
        // cluster: the agent streams to a scaler replica (MODE=scaler) that finds it through a mock API server
        try (var api = new MockApi();
             AgentProcess agent = AgentProcess.start(dir, Map.of("MODE", "local", "MAPPING_FILE", mapping.toString(),
                     cluster ? "ATTEMPT_STREAM_ADDR" : "SCALER_ADDR", "127.0.0.1:" + (cluster ? streamPort : scalerPort)));
             AgentProcess scaler = cluster ? startScaler(api, dir, streamPort, scalerPort) : agent) {
            agent.awaitReady(Duration.ofSeconds(60));
            scaler.awaitReady(Duration.ofSeconds(60));
            ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", scalerPort).usePlaintext().build();
            long[] becameTrue = new long[n];
            CountDownLatch opened = new CountDownLatch(n);
            CountDownLatch active = new CountDownLatch(n);
            for (int i = 0; i < n; i++) {
                int service = i;
                var ref = ScaledObjectRef.newBuilder().setName("cold-" + i).setNamespace("bench")
                        .putScalerMetadata("service", "cold-" + i).putScalerMetadata("window", "10m").build();
                ExternalScalerGrpc.newStub(channel).streamIsActive(ref, new StreamObserver<>() {
                    @Override
                    public void onNext(IsActiveResponse r) {
                        if (!r.getResult()) {
                            opened.countDown();
                        } else if (becameTrue[service] == 0) {
                            becameTrue[service] = System.nanoTime();
                            active.countDown();
                        }
                    }

                    @Override
                    public void onError(Throwable t) {
                        if (active.getCount() > 0) {
                            System.err.println("stream " + service + ": " + t);
                        }
                    }

                    @Override
                    public void onCompleted() {
                    }
                });
            }
            if (!opened.await(60, TimeUnit.SECONDS)) {
                throw new IllegalStateException("streams did not open");
            }
            long[] attempted = new long[n];
            var random = new Random(42);
            for (int i = 0; i < n; i++) {
                Thread.sleep(100 + random.nextInt(200)); // attempts at random phases of the 100 ms drain
                attempted[i] = System.nanoTime();
                try (var socket = new Socket()) {
                    socket.connect(new InetSocketAddress(ip(i), 80), 2000);
                } catch (ConnectException refused) {
                    // a Service with zero endpoints
                }
            }
            if (!active.await(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException(active.getCount() + " streams never said true");
            }
            double[] push = new double[n];
            for (int i = 0; i < n; i++) {
                push[i] = (becameTrue[i] - attempted[i]) / 1e6;
            }
            double[] prometheus = prometheusPath(attempted, new Random(7));
            System.out.printf("| path | attempts | p50 | p99 | max |%n|---|---|---|---|---|%n");
            print(cluster ? "external-push through the cluster scaler (measured)" : "external-push (measured)", push, "ms");
            print("Prometheus 15 s scrape + KEDA 30 s polling (model)", prometheus, "s");
            channel.shutdownNow();
        }
    }

    private static AgentProcess startScaler(MockApi api, Path dir, int streamPort, int scalerPort) throws Exception {
        api.agentPod("agent", streamPort);
        return api.startScaler(dir, scalerPort, 10_000);
    }

    private static String ip(int i) {
        return "127.81." + (i / 250) + "." + (i % 250 + 1);
    }

    /** Seconds from each attempt to the first KEDA poll after the first scrape after it. */
    private static double[] prometheusPath(long[] attempted, Random random) {
        double scrapePhase = random.nextDouble() * 15;
        double pollPhase = random.nextDouble() * 30;
        double[] out = new double[attempted.length];
        for (int i = 0; i < attempted.length; i++) {
            double t = (attempted[i] - attempted[0]) / 1e9;
            double scrape = next(t, scrapePhase, 15);
            out[i] = next(scrape, pollPhase, 30) - t;
        }
        return out;
    }

    private static double next(double t, double phase, double period) {
        return phase + Math.ceil((t - phase) / period) * period;
    }

    private static void print(String path, double[] values, String unit) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        System.out.printf("| %s | %d | %.1f %s | %.1f %s | %.1f %s |%n", path, sorted.length,
                sorted[sorted.length / 2], unit, sorted[(int) Math.ceil(sorted.length * 0.99) - 1], unit,
                sorted[sorted.length - 1], unit);
    }
}
