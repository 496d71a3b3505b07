package dev.k8sebpf.agent;

import dev.k8sebpf.agent.config.GrpcTlsConfig;
import dev.k8sebpf.agent.grpc.GrpcServer;
import dev.k8sebpf.agent.grpc.GrpcTls;
import dev.k8sebpf.agent.scaler.ServiceActivity;
import dev.k8sebpf.agent.stream.AttemptFeed;
import dev.k8sebpf.agent.stream.AttemptStreamService;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * One cluster scaler replica (MODE=scaler, a child JVM with the shipped flags) under a cluster's load
 * (benchmark, not a test): N simulated agents in this JVM (the agent's own AttemptFeed behind a gRPC
 * server each, on loopback), found through a mock API server's Pods; S Services, of which each agent
 * holds S/N in its history when the scaler subscribes; 1 attempt per second per agent to a random Service;
 * K open StreamIsActive calls on cold Services. Measured: the scaler's CPU time per second (utime+stime
 * from /proc over the steady part), its heap after a full GC (jcmd), and attempt → true on the K streams:
 * one attempt per cold Service, from the feed's flush (the end of the agent's drain) to the stream's true.
 * Run with bench/scaler/cluster.sh [agents=1000] [services=10000] [streams=100] [seconds=60].
 */
public final class ClusterScalerBench {
    private ClusterScalerBench() {
    }

    public static void main(String[] args) throws Exception {
        int agents = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
        int services = args.length > 1 ? Integer.parseInt(args[1]) : 10_000;
        int streams = args.length > 2 ? Integer.parseInt(args[2]) : 100;
        int seconds = args.length > 3 ? Integer.parseInt(args[3]) : 60;
        Path dir = Files.createTempDirectory("cluster-scaler-bench");
        GrpcTls plaintext = GrpcTls.load(GrpcTlsConfig.PLAINTEXT);
        List<AttemptFeed> feeds = new ArrayList<>();
        List<GrpcServer> servers = new ArrayList<>();
        try (var api = new MockApi()) {
            for (int a = 0; a < agents; a++) {
                var feed = new AttemptFeed(new ServiceActivity(services, System::nanoTime));
                for (int s = a; s < services; s += agents) {
                    feed.attempted("bench", "svc-" + s); // history: every Service tried once on some node
                }
                feed.flush();
                GrpcServer server = GrpcServer.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), plaintext,
                        new AttemptStreamService(feed));
                feeds.add(feed);
                servers.add(server);
                api.agentPod("agent-" + a, server.address().getPort());
            }
            int scalerPort = AgentProcess.freePort();
            long started = System.nanoTime();
            try (AgentProcess scaler = api.startScaler(dir, scalerPort, services + streams);
                 KedaClient keda = new KedaClient(scalerPort)) {
                scaler.awaitReady(Duration.ofSeconds(300));
                System.out.printf("ready (Pods listed, %d agents' history received) after %.1f s%n", agents,
                        (System.nanoTime() - started) / 1e9);
                List<KedaClient.Stream> open = new ArrayList<>();
                for (int k = 0; k < streams; k++) {
                    open.add(keda.stream(KedaClient.ref("bench", Map.of("service", "cold-" + k, "window", "10m"))));
                }
                for (KedaClient.Stream stream : open) {
                    if (!Boolean.FALSE.equals(stream.next(30))) {
                        throw new IllegalStateException("a stream did not open with false");
                    }
                }
                var load = new Load(feeds, services);
                Thread generator = Thread.ofPlatform().name("load").start(load);
                Thread.sleep(5_000); // warm-up under load
                long cpuBefore = cpuTicks(scaler.pid());
                long wallBefore = System.nanoTime();
                double[] latencies = new double[streams];
                var random = new Random(11);
                long steadyNanos = Duration.ofSeconds(seconds).toNanos();
                for (int k = 0; k < streams; k++) {
                    Thread.sleep(Math.max(1, steadyNanos / 1_000_000 / streams - 50 + random.nextInt(100)));
                    AttemptFeed feed = feeds.get(random.nextInt(agents));
                    long before;
                    synchronized (load) { // not inside another flush of the generator's
                        feed.attempted("bench", "cold-" + k);
                        before = System.nanoTime();
                        feed.flush();
                    }
                    Boolean told = open.get(k).next(10);
                    if (!Boolean.TRUE.equals(told)) {
                        throw new IllegalStateException("stream " + k + " said " + told);
                    }
                    latencies[k] = (System.nanoTime() - before) / 1e6;
                }
                double cpuSeconds = (cpuTicks(scaler.pid()) - cpuBefore) / 100.0; // USER_HZ
                double wallSeconds = (System.nanoTime() - wallBefore) / 1e9;
                load.stop();
                generator.join();
                System.out.printf("load: %d attempts/s offered, %d sent%n", agents, load.sent);
                System.out.printf("scaler CPU: %.3f s per second (%.1f s over %.1f s)%n", cpuSeconds / wallSeconds, cpuSeconds, wallSeconds);
                System.out.println("scaler " + heapAfterGc(scaler.pid()));
                System.out.println("scaler VmRSS: " + Files.readAllLines(Path.of("/proc/" + scaler.pid() + "/status")).stream()
                        .filter(l -> l.startsWith("VmRSS")).findFirst().orElse("?"));
                System.out.println("scaler metrics: " + scaler.get("/metrics").body().lines()
                        .filter(l -> l.startsWith("internal_scaler_")).toList());
                Arrays.sort(latencies);
                System.out.printf("attempt → true under load (%d streams): p50 %.1f ms, p99 %.1f ms, max %.1f ms%n", streams,
                        latencies[streams / 2], latencies[(int) Math.ceil(streams * 0.99) - 1], latencies[streams - 1]);
                System.out.println("load average: " + Files.readString(Path.of("/proc/loadavg")).strip());
            }
        } finally {
            for (GrpcServer server : servers) {
                server.close();
            }
        }
    }

    /** Each agent flushes one attempt to a random Service once a second, at its own phase. */
    private static final class Load implements Runnable {
        private final List<AttemptFeed> feeds;
        private final int services;
        private volatile boolean stopped;
        long sent;

        Load(List<AttemptFeed> feeds, int services) {
            this.feeds = feeds;
            this.services = services;
        }

        void stop() {
            stopped = true;
        }

        @Override
        public void run() {
            var random = new Random(5);
            long start = System.nanoTime();
            long next = 0;
            while (!stopped) {
                long due = (System.nanoTime() - start) * feeds.size() / 1_000_000_000L;
                for (; next < due; next++) {
                    AttemptFeed feed = feeds.get((int) (next % feeds.size()));
                    synchronized (this) {
                        feed.attempted("bench", "svc-" + random.nextInt(services));
                        feed.flush();
                    }
                    sent++;
                }
                try {
                    TimeUnit.MILLISECONDS.sleep(1);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }
    }

    private static final java.util.regex.Pattern USED = java.util.regex.Pattern.compile("used (\\d+)K");

    private static long cpuTicks(long pid) throws Exception {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(fields[11]) + Long.parseLong(fields[12]); // utime, stime
    }

    private static String heapAfterGc(long pid) throws Exception {
        String jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd").toString();
        new ProcessBuilder(jcmd, String.valueOf(pid), "GC.run").redirectErrorStream(true).start().waitFor();
        Process info = new ProcessBuilder(jcmd, String.valueOf(pid), "GC.heap_info").redirectErrorStream(true).start();
        String out = new String(info.getInputStream().readAllBytes());
        info.waitFor();
        // SerialGC: the young and old generation lines; Metaspace is not heap
        long usedKb = out.lines().filter(l -> !l.strip().startsWith("Metaspace") && !l.strip().startsWith("class space"))
                .map(USED::matcher).filter(java.util.regex.Matcher::find).mapToLong(m -> Long.parseLong(m.group(1))).sum();
        Process histogram = new ProcessBuilder(jcmd, String.valueOf(pid), "GC.class_histogram").redirectErrorStream(true).start();
        String top = new String(histogram.getInputStream().readAllBytes()).lines().skip(1).limit(9)
                .collect(java.util.stream.Collectors.joining("\n"));
        histogram.waitFor();
        return "heap after GC: " + usedKb / 1024 + " MB used; largest classes:\n" + top;
    }
}
