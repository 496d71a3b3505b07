package dev.k8sebpf.agent.kubernetes;

import static dev.k8sebpf.agent.kubernetes.ClusterObjects.endpoint;
import static dev.k8sebpf.agent.kubernetes.ClusterObjects.service;
import static dev.k8sebpf.agent.kubernetes.ClusterObjects.slice;
import static dev.k8sebpf.agent.kubernetes.Eventually.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.k8sebpf.agent.mapping.Destination;
import dev.k8sebpf.agent.mapping.IpKey;
import dev.k8sebpf.agent.mapping.MappingTable;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.io.IOException;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The API server goes away and comes back (through {@link TcpProxy}); the mapping must converge. */
@EnableKubernetesMockClient(crud = true, https = false)
class ClusterMappingResilienceTest {
    private static final Duration TTL = Duration.ofSeconds(30);
    private static final Duration FAST_RETRY = Duration.ofMillis(500);

    static KubernetesMockServer server;
    static KubernetesClient client;

    private final AtomicLong nanos = new AtomicLong();
    private final RecordingCatalog catalog = new RecordingCatalog();
    private TcpProxy proxy;
    private ClusterMapping mapping;

    @BeforeEach
    void proxy() throws IOException {
        proxy = new TcpProxy(server.getPort());
    }

    @AfterEach
    void stop() throws IOException {
        if (mapping != null) {
            mapping.close();
        }
        proxy.close();
    }

    private ClusterMapping startThroughProxy(MappingTable table) {
        Config viaProxy = new ConfigBuilder(client.getConfiguration()).withMasterUrl(proxy.url()).build();
        return ClusterMapping.start(viaProxy, Set.of(), table, catalog, FAST_RETRY);
    }

    @Test
    void unreachableAtStartThenSyncsWhenTheServerAppears() throws IOException {
        client.services().inNamespace("late").resource(service("late", "db", "10.96.5.1")).create();
        var table = new MappingTable(TTL, 1000, nanos::get);

        mapping = startThroughProxy(table); // nothing listens on the proxy port yet
        assertThat(mapping.synced()).isFalse();
        assertThat(table.lookup(IpKey.parse("10.96.5.1"))).isEqualTo(Destination.UNMAPPED);

        proxy.up();
        await("sync once the API server is reachable", mapping::synced);
        assertThat(table.lookup(IpKey.parse("10.96.5.1"))).isEqualTo(new Destination("late", "db", ""));
        assertThat(catalog.services).contains("late/db");
    }

    @Test
    void changesMadeWhileDisconnectedConvergeAfterRelistWithoutUnmappingSurvivors() throws Exception {
        client.services().inNamespace("outage").resource(service("outage", "stays", "10.96.6.1")).create();
        client.services().inNamespace("outage").resource(service("outage", "goes", "10.96.6.2")).create();
        client.discovery().v1().endpointSlices().inNamespace("outage")
                .resource(slice("outage", "stays-1", "stays", endpoint("stays-a", "10.244.6.1"))).create();
        // TTL zero: a removal would show at once, so any relist window that drops a survivor is caught
        var table = new MappingTable(Duration.ZERO, 1000, nanos::get);
        proxy.up();
        mapping = startThroughProxy(table);
        await("initial sync", mapping::synced);

        var survivor = IpKey.parse("10.96.6.1");
        var watching = new AtomicBoolean(true);
        var unmappedSightings = new AtomicInteger();
        Thread sampler = Thread.ofPlatform().start(() -> {
            while (watching.get()) {
                if (table.lookup(survivor).equals(Destination.UNMAPPED)) {
                    unmappedSightings.incrementAndGet();
                }
            }
        });

        // let the watches open first: a connection cut during the WebSocket handshake can leave the JDK
        // client waiting for a close it never reports, which only ResourceWatch's watchdog ends (minutes)
        Thread.sleep(1000);
        proxy.down();
        client.services().inNamespace("outage").withName("goes").delete();
        client.services().inNamespace("outage").resource(service("outage", "new", "10.96.6.3")).create();
        client.discovery().v1().endpointSlices().inNamespace("outage")
                .resource(slice("outage", "stays-1", "stays", endpoint("stays-b", "10.244.6.2"))).update();
        Thread.sleep(1500); // a few failed reconnects
        proxy.up();

        await("new Service mapped after relist",
                () -> table.lookup(IpKey.parse("10.96.6.3")).equals(new Destination("outage", "new", "")));
        await("deleted Service unmapped", () -> table.lookup(IpKey.parse("10.96.6.2")).equals(Destination.UNMAPPED));
        await("moved endpoint mapped",
                () -> table.lookup(IpKey.parse("10.244.6.2")).equals(new Destination("outage", "stays", "stays-b")));
        await("old endpoint unmapped", () -> table.lookup(IpKey.parse("10.244.6.1")).equals(Destination.UNMAPPED));
        // the catalog hears of a deletion just after the table withdraws its IPs, which this thread can see first
        await("deleted Service out of the catalog", () -> !catalog.services.contains("outage/goes"));
        watching.set(false);
        sampler.join();

        assertThat(unmappedSightings).as("lookups of a surviving Service that found nothing").hasValue(0);
        assertThat(mapping.synced()).isTrue();
        assertThat(catalog.services).contains("outage/stays", "outage/new").doesNotContain("outage/goes");
    }
}
