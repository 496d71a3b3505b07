package dev.k8sebpf.agent.kubernetes;

import static dev.k8sebpf.agent.kubernetes.ClusterObjects.endpoint;
import static dev.k8sebpf.agent.kubernetes.ClusterObjects.pod;
import static dev.k8sebpf.agent.kubernetes.ClusterObjects.service;
import static dev.k8sebpf.agent.kubernetes.ClusterObjects.slice;

import dev.k8sebpf.agent.mapping.Destination;
import dev.k8sebpf.agent.mapping.IpKey;
import dev.k8sebpf.agent.mapping.MappingTable;
import dev.k8sebpf.agent.mapping.ServiceCatalog;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.ListMetaBuilder;
import io.fabric8.kubernetes.api.model.PodListBuilder;
import io.fabric8.kubernetes.api.model.ServiceListBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceListBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Cluster-mapping benchmark (not a test): fills a mock API server with Services and EndpointSlices, then
 * measures the initial sync time, the heap the mapping retains, and single-thread lookups per second.
 * Run with bench/mapping/run.sh [services] [endpoints-per-service] [with-pods].
 */
public final class MappingBench {
    private static final int NAMESPACES = 100;

    private MappingBench() {
    }

    public static void main(String[] args) throws Exception {
        int services = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        int endpointsPerService = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        boolean withPods = args.length > 2 && Boolean.parseBoolean(args[2]);
        java.util.logging.Logger.getLogger("").setLevel(java.util.logging.Level.parse(System.getProperty("bench.jul", "WARNING")));

        // Expectations, not CRUD mode: the CRUD dispatcher slows down with every object stored (filling it
        // with 20,000 objects takes many minutes). Each list comes back in one page: paging is not exercised.
        measureStateDirectly(services, endpointsPerService, withPods);
        var server = new KubernetesMockServer(false);
        server.init();
        try {
            serve(server, services, endpointsPerService, withPods);
            System.out.printf("mock API server: %d Services, %d endpoints in %d EndpointSlices, %d Pods%n",
                    services, services * endpointsPerService, services, withPods ? services * endpointsPerService : 0);

            long before = usedHeapAfterGc();
            var table = new MappingTable(Duration.ofSeconds(60), Math.max(1, 4 * services * (endpointsPerService + 1)), System::nanoTime);
            long start = System.nanoTime();
            Config config = new ConfigBuilder().withMasterUrl("http://127.0.0.1:" + server.getPort()).build();
            try (var mapping = ClusterMapping.start(config, Set.of(), table, NO_CATALOG)) {
                mapping.firstSync().get(10, TimeUnit.MINUTES);
                long syncNanos = System.nanoTime() - start;
                long after = usedHeapAfterGc();
                System.out.printf("initial sync: %.2f s (%d objects, %d IPs, table size %d)%n",
                        seconds(syncNanos), mapping.objects(), mapping.ips(), table.size());
                System.out.printf("heap retained end to end (state + table + fabric8 client and its buffers): %.1f MB%n",
                        (after - before) / 1e6);
                System.out.printf("  of which a MappingTable holding the same entries: %.1f MB%n",
                        tableFootprint(table, services, endpointsPerService) / 1e6);
                measureLookups(table, services, endpointsPerService);
            }
        } finally {
            server.destroy();
        }
        System.exit(0); // the mock server's WebSocket threads would keep the JVM alive for minutes
    }

    /**
     * The mapping's own heap, without HTTP client, buffers or mock server: objects are generated, reduced
     * to their claims and dropped one by one, as the watch does, so only what the mapping keeps remains.
     */
    private static void measureStateDirectly(int services, int endpointsPerService, boolean withPods)
            throws InterruptedException {
        long before = usedHeapAfterGc();
        var table = new MappingTable(Duration.ofSeconds(60), Math.max(1, 2 * services * (endpointsPerService + 1)),
                System::nanoTime);
        var state = new ClusterState(table, NO_CATALOG);
        for (int s = 0; s < services; s++) {
            String namespace = "ns-" + (s % NAMESPACES);
            String name = "svc-" + s;
            Service service = service(namespace, name, clusterIp(s));
            state.upsert(key(SourceKey.Kind.SERVICE, service), Claims.ofService(service));
            Endpoint[] endpoints = new Endpoint[endpointsPerService];
            for (int e = 0; e < endpointsPerService; e++) {
                endpoints[e] = endpoint(name + "-pod-" + e, podIp(s * endpointsPerService + e));
                if (withPods) {
                    Pod pod = pod(namespace, name + "-pod-" + e, false, podIp(s * endpointsPerService + e));
                    state.upsert(key(SourceKey.Kind.POD, pod), Claims.ofPod(pod));
                }
            }
            EndpointSlice slice = slice(namespace, name + "-abcde", name, endpoints);
            state.upsert(key(SourceKey.Kind.ENDPOINT_SLICE, slice), Claims.ofEndpointSlice(slice));
        }
        long after = usedHeapAfterGc();
        System.out.printf("mapping heap (ClusterState + MappingTable, %d objects, %d IPs, no client): %.1f MB%n",
                state.objects(), table.size(), (after - before) / 1e6);
    }

    private static SourceKey key(SourceKey.Kind kind, HasMetadata object) {
        return new SourceKey(kind, Claims.namespace(object), Claims.name(object));
    }

    private static void serve(KubernetesMockServer server, int services, int endpointsPerService, boolean withPods) {
        var serviceList = new ServiceListBuilder().withMetadata(new ListMetaBuilder().withResourceVersion("1").build());
        var sliceList = new EndpointSliceListBuilder().withMetadata(new ListMetaBuilder().withResourceVersion("1").build());
        var podList = new PodListBuilder().withMetadata(new ListMetaBuilder().withResourceVersion("1").build());
        for (int s = 0; s < services; s++) {
            String namespace = "ns-" + (s % NAMESPACES);
            String name = "svc-" + s;
            serviceList.addToItems(service(namespace, name, clusterIp(s)));
            Endpoint[] endpoints = new Endpoint[endpointsPerService];
            for (int e = 0; e < endpointsPerService; e++) {
                String ip = podIp(s * endpointsPerService + e);
                endpoints[e] = endpoint(name + "-pod-" + e, ip);
                if (withPods) {
                    podList.addToItems(pod(namespace, name + "-pod-" + e, false, ip));
                }
            }
            sliceList.addToItems(slice(namespace, name + "-abcde", name, endpoints));
        }
        expectListAndWatch(server, "/api/v1/services", serviceList.build());
        expectListAndWatch(server, "/apis/discovery.k8s.io/v1/endpointslices", sliceList.build());
        expectListAndWatch(server, "/api/v1/pods", podList.build());
    }

    private static void expectListAndWatch(KubernetesMockServer server, String path, Object list) {
        server.expect().get().withPath(path + "?limit=500").andReturn(200, list).always();
        // a watch that stays open and quiet for the whole run
        server.expect().withPath(path + "?allowWatchBookmarks=true&resourceVersion=1&timeoutSeconds=600&watch=true")
                .andUpgradeToWebSocket().open().waitFor(TimeUnit.HOURS.toMillis(1)).andEmit("").done().always();
    }

    /** The heap a second table with the same entries (keys and destinations shared) adds. */
    private static long tableFootprint(MappingTable table, int services, int endpointsPerService)
            throws InterruptedException {
        List<IpKey> keys = knownKeys(services, endpointsPerService);
        Destination[] destinations = keys.stream().map(table::lookup).toArray(Destination[]::new);
        long before = usedHeapAfterGc();
        var copy = new MappingTable(Duration.ofSeconds(60), Integer.MAX_VALUE, System::nanoTime);
        for (int i = 0; i < destinations.length; i++) {
            copy.put(keys.get(i), destinations[i]);
        }
        long after = usedHeapAfterGc();
        return copy.size() > 0 ? after - before : 0;
    }

    private static List<IpKey> knownKeys(int services, int endpointsPerService) {
        List<IpKey> keys = new ArrayList<>();
        for (int s = 0; s < services; s++) {
            keys.add(IpKey.parse(clusterIp(s)));
        }
        for (int p = 0; p < services * endpointsPerService; p++) {
            keys.add(IpKey.parse(podIp(p)));
        }
        return keys;
    }

    /** Lookups of known ClusterIPs and pod IPs, plus a quarter of unknown IPs, on one thread. */
    private static void measureLookups(MappingTable table, int services, int endpointsPerService) {
        int known = services * (endpointsPerService + 1);
        List<IpKey> keys = knownKeys(services, endpointsPerService);
        for (int u = 0; u < known / 3; u++) {
            keys.add(IpKey.parse("192.168." + (u >> 8 & 255) + "." + (u & 255)));
        }
        java.util.Collections.shuffle(keys, new java.util.Random(42));
        IpKey[] ips = keys.toArray(IpKey[]::new);
        long mapped = 0;
        for (int round = 0; round < 20; round++) { // warm-up: JIT
            mapped += pass(table, ips);
        }
        int rounds = 100;
        long start = System.nanoTime();
        for (int round = 0; round < rounds; round++) {
            mapped += pass(table, ips);
        }
        long nanos = System.nanoTime() - start;
        System.out.printf("lookups: %.1f million/s on one thread (%d distinct keys, %.0f%% mapped; %d)%n",
                (double) rounds * ips.length / nanos * 1e3, ips.length, 100.0 * known / ips.length, mapped % 10);
    }

    private static long pass(MappingTable table, IpKey[] ips) {
        long mapped = 0;
        for (IpKey ip : ips) {
            if (table.lookup(ip) != Destination.UNMAPPED) {
                mapped++;
            }
        }
        return mapped;
    }

    private static String clusterIp(int s) {
        return "10.96." + (s >> 8 & 255) + "." + (s & 255);
    }

    private static String podIp(int p) {
        return "10." + (128 + (p >> 16 & 63)) + "." + (p >> 8 & 255) + "." + (p & 255);
    }

    private static long usedHeapAfterGc() throws InterruptedException {
        var memory = ManagementFactory.getMemoryMXBean();
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(100);
        }
        return memory.getHeapMemoryUsage().getUsed();
    }

    private static double seconds(long nanos) {
        return nanos / 1e9;
    }

    private static final ServiceCatalog NO_CATALOG = new ServiceCatalog() {
        @Override
        public void serviceAdded(String namespace, String service) {
        }

        @Override
        public void serviceRemoved(String namespace, String service) {
        }
    };
}
