package dev.k8sebpf.agent.kubernetes;

import static dev.k8sebpf.agent.kubernetes.ClusterObjects.endpoint;
import static dev.k8sebpf.agent.kubernetes.ClusterObjects.pod;
import static dev.k8sebpf.agent.kubernetes.ClusterObjects.service;
import static dev.k8sebpf.agent.kubernetes.ClusterObjects.slice;
import static dev.k8sebpf.agent.kubernetes.Eventually.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.k8sebpf.agent.mapping.Destination;
import dev.k8sebpf.agent.mapping.IpKey;
import dev.k8sebpf.agent.mapping.MappingTable;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

@EnableKubernetesMockClient(crud = true, https = false)
class ClusterMappingTest {
    private static final Duration TTL = Duration.ofSeconds(30);

    static KubernetesMockServer server;
    static KubernetesClient client;

    private final AtomicLong nanos = new AtomicLong();
    private final RecordingCatalog catalog = new RecordingCatalog();
    private MappingTable table = new MappingTable(TTL, 10_000, nanos::get);
    private ClusterMapping mapping;

    @AfterEach
    void stop() {
        if (mapping != null) {
            mapping.close();
        }
    }

    private void start(String... namespaces) {
        mapping = ClusterMapping.start(client.getConfiguration(), Set.of(namespaces), table, catalog);
        await("initial sync", mapping::synced);
    }

    private Destination lookup(String ip) {
        return table.lookup(IpKey.parse(ip));
    }

    private void awaitMapped(String ip, Destination expected) {
        await(ip + " → " + expected + " (is " + lookup(ip) + ")", () -> lookup(ip).equals(expected));
    }

    private void expireRemovedEntries() {
        nanos.addAndGet(TTL.toNanos() + 1);
    }

    @Test
    void serviceAndEndpointSliceLifecycleIsFollowed() {
        start();
        client.services().inNamespace("shop").resource(service("shop", "cart", "10.96.0.10")).create();
        awaitMapped("10.96.0.10", new Destination("shop", "cart", ""));
        assertThat(catalog.services).contains("shop/cart");

        client.discovery().v1().endpointSlices().inNamespace("shop")
                .resource(slice("shop", "cart-abc", "cart", endpoint("cart-1", "10.244.1.5"), endpoint("cart-2", "10.244.1.6")))
                .create();
        awaitMapped("10.244.1.5", new Destination("shop", "cart", "cart-1"));
        assertThat(lookup("10.244.1.6")).isEqualTo(new Destination("shop", "cart", "cart-2"));

        // cart-1 replaced by cart-3: the old address lingers for the TTL (events still in flight), then goes
        client.discovery().v1().endpointSlices().inNamespace("shop")
                .resource(slice("shop", "cart-abc", "cart", endpoint("cart-3", "10.244.1.7"), endpoint("cart-2", "10.244.1.6")))
                .update();
        awaitMapped("10.244.1.7", new Destination("shop", "cart", "cart-3"));
        assertThat(lookup("10.244.1.5")).isEqualTo(new Destination("shop", "cart", "cart-1"));
        expireRemovedEntries();
        assertThat(lookup("10.244.1.5")).isEqualTo(Destination.UNMAPPED);
        assertThat(lookup("10.244.1.6")).isEqualTo(new Destination("shop", "cart", "cart-2"));

        client.services().inNamespace("shop").withName("cart").delete();
        await("catalog drops shop/cart", () -> !catalog.services.contains("shop/cart"));
        assertThat(lookup("10.96.0.10")).isEqualTo(new Destination("shop", "cart", ""));
        expireRemovedEntries();
        assertThat(lookup("10.96.0.10")).isEqualTo(Destination.UNMAPPED);
    }

    @Test
    void dualStackServicesAndPodsMapBothFamilies() {
        start();
        client.services().inNamespace("dual").resource(service("dual", "api", "10.96.0.20", "fd00:10:96::20")).create();
        client.discovery().v1().endpointSlices().inNamespace("dual")
                .resource(slice("dual", "api-v6", "api", endpoint("api-1", "fd00:10:244::5"))).create();
        client.pods().inNamespace("dual").resource(pod("dual", "lonely", false, "10.244.2.9", "fd00:10:244::9")).create();

        awaitMapped("fd00:10:96::20", new Destination("dual", "api", ""));
        assertThat(lookup("10.96.0.20")).isEqualTo(new Destination("dual", "api", ""));
        awaitMapped("fd00:10:244::5", new Destination("dual", "api", "api-1"));
        awaitMapped("fd00:10:244::9", new Destination("dual", "", "lonely"));
        assertThat(lookup("10.244.2.9")).isEqualTo(new Destination("dual", "", "lonely"));
    }

    @Test
    void podsMapAloneUntilAServiceSelectsThemAndReusedIpsMoveAtOnce() {
        start();
        client.services().inNamespace("pods").resource(service("pods", "headless", "None")).create();
        client.pods().inNamespace("pods").resource(pod("pods", "node-exporter", true, "192.0.2.1")).create();
        client.pods().inNamespace("pods").resource(pod("pods", "worker-1", false, "10.244.3.1")).create();
        awaitMapped("10.244.3.1", new Destination("pods", "", "worker-1"));
        await("headless Service announced", () -> catalog.services.contains("pods/headless"));
        assertThat(lookup("192.0.2.1")).as("hostNetwork pod IP is the node's").isEqualTo(Destination.UNMAPPED);

        // the Service-qualified name wins over the pod's own, whatever order the events come in
        client.discovery().v1().endpointSlices().inNamespace("pods")
                .resource(slice("pods", "headless-1", "headless", endpoint("worker-1", "10.244.3.1"))).create();
        awaitMapped("10.244.3.1", new Destination("pods", "headless", "worker-1"));
        client.pods().inNamespace("pods").withName("worker-1").edit(p -> {
            p.getMetadata().getLabels().put("touched", "yes");
            return p;
        });
        client.pods().inNamespace("pods").resource(pod("pods", "canary", false, "10.244.3.50")).create();
        awaitMapped("10.244.3.50", new Destination("pods", "", "canary"));
        assertThat(lookup("10.244.3.1")).isEqualTo(new Destination("pods", "headless", "worker-1"));

        // IP reuse: a new pod gets worker-1's address before worker-1's deletion is seen
        client.pods().inNamespace("pods").resource(pod("pods", "worker-2", false, "10.244.3.1")).create();
        awaitMapped("10.244.3.1", new Destination("pods", "", "worker-2"));
        client.pods().inNamespace("pods").withName("worker-1").delete();
        client.discovery().v1().endpointSlices().inNamespace("pods").withName("headless-1").delete();
        client.pods().inNamespace("pods").resource(pod("pods", "marker", false, "10.244.3.99")).create();
        awaitMapped("10.244.3.99", new Destination("pods", "", "marker"));
        assertThat(lookup("10.244.3.1")).isEqualTo(new Destination("pods", "", "worker-2"));
    }

    @Test
    void watchNamespaceRestrictsWhatIsMapped() {
        client.services().inNamespace("team-a").resource(service("team-a", "svc", "10.96.1.1")).create();
        client.services().inNamespace("team-b").resource(service("team-b", "svc", "10.96.1.2")).create();
        client.services().inNamespace("team-c").resource(service("team-c", "svc", "10.96.1.3")).create();
        start(Namespaces.parse(" team-a, team-b ,").toArray(String[]::new));

        awaitMapped("10.96.1.1", new Destination("team-a", "svc", ""));
        awaitMapped("10.96.1.2", new Destination("team-b", "svc", ""));
        client.services().inNamespace("team-c").resource(service("team-c", "late", "10.96.1.4")).create();
        client.services().inNamespace("team-a").resource(service("team-a", "late", "10.96.1.5")).create();
        awaitMapped("10.96.1.5", new Destination("team-a", "late", ""));
        assertThat(lookup("10.96.1.3")).isEqualTo(Destination.UNMAPPED);
        assertThat(lookup("10.96.1.4")).isEqualTo(Destination.UNMAPPED);
        assertThat(catalog.services).containsExactlyInAnyOrder("team-a/svc", "team-b/svc", "team-a/late");
    }

    @Test
    void capacityBoundsTheTableAndCountsEvictions() {
        table = new MappingTable(TTL, 3, nanos::get);
        start("cap");
        for (int i = 1; i <= 5; i++) {
            client.services().inNamespace("cap").resource(service("cap", "s" + i, "10.96.2." + i)).create();
        }
        await("5 Services announced", () -> catalog.services.size() == 5);
        assertThat(table.size()).isLessThanOrEqualTo(3);
        assertThat(table.evictions()).isEqualTo(2);
        assertThat(lookup("10.96.2.5")).as("newest entry is kept").isEqualTo(new Destination("cap", "s5", ""));
        assertThat(lookup("10.96.2.1")).as("oldest entry was evicted").isEqualTo(Destination.UNMAPPED);
    }
}
