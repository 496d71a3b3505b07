package dev.k8sebpf.agent.kubernetes;

import dev.k8sebpf.agent.kubernetes.SourceKey.Kind;
import dev.k8sebpf.agent.mapping.MappingTable;
import dev.k8sebpf.agent.mapping.ServiceCatalog;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesResourceList;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.dsl.AnyNamespaceOperation;
import io.fabric8.kubernetes.client.dsl.MixedOperation;
import io.fabric8.kubernetes.client.jdkhttp.JdkHttpClientFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * MODE=cluster: keeps a {@link MappingTable} in step with the cluster's Services, EndpointSlices and Pods,
 * and tells the {@link ServiceCatalog} which Services exist. Starting never blocks nor fails on an
 * unreachable API server: the watches retry with backoff and {@link #synced()} stays false until each
 * kind has been listed once.
 */
public final class ClusterMapping implements AutoCloseable {
    static final Duration FIRST_RETRY = Duration.ofMillis(500);
    static final Duration MAX_RETRY = Duration.ofSeconds(30);

    private final KubernetesClient client;
    private final List<ResourceWatch<?>> watches;
    private final ClusterState state;

    private ClusterMapping(KubernetesClient client, List<ResourceWatch<?>> watches, ClusterState state) {
        this.client = client;
        this.watches = watches;
        this.state = state;
    }

    /**
     * Watches with the client configuration fabric8 finds itself: the in-cluster service account, else
     * {@code KUBECONFIG} / {@code ~/.kube/config}.
     *
     * @param namespaces namespaces to watch (WATCH_NAMESPACE, as AgentConfig parses it); empty means all
     */
    public static ClusterMapping start(Set<String> namespaces, MappingTable table, ServiceCatalog catalog) {
        return start(Config.autoConfigure(null), namespaces, table, catalog);
    }

    public static ClusterMapping start(Config config, Set<String> namespaces, MappingTable table, ServiceCatalog catalog) {
        return start(config, namespaces, table, catalog, MAX_RETRY);
    }

    static ClusterMapping start(Config config, Set<String> namespaces, MappingTable table, ServiceCatalog catalog,
                                Duration maxRetry) {
        KubernetesClient client = watchClient(config);
        var state = new ClusterState(table, catalog);
        List<String> scopes = namespaces.isEmpty() ? Collections.singletonList(null)
                : namespaces.stream().sorted().toList();
        var watches = new ArrayList<ResourceWatch<?>>();
        for (String namespace : scopes) {
            watches.add(watch(Kind.SERVICE, namespace, client.services(), Claims::ofService, state, maxRetry));
            watches.add(watch(Kind.ENDPOINT_SLICE, namespace, client.discovery().v1().endpointSlices(),
                    Claims::ofEndpointSlice, state, maxRetry));
            watches.add(watch(Kind.POD, namespace, client.pods(), Claims::ofPod, state, maxRetry));
        }
        watches.forEach(ResourceWatch::start);
        return new ClusterMapping(client, List.copyOf(watches), state);
    }

    /** A client for {@link ResourceWatch}es: watchReconnectLimit 0, so every watch end comes back to it (it relists). */
    static KubernetesClient watchClient(Config config) {
        Config watchConfig = new ConfigBuilder(config).withWatchReconnectLimit(0).build();
        return new KubernetesClientBuilder().withConfig(watchConfig).withHttpClientFactory(new JdkHttpClientFactory()).build();
    }

    /** True once every watched kind has been listed completely at least once (for /readyz). */
    public boolean synced() {
        return watches.stream().allMatch(ResourceWatch::synced);
    }

    /** Completes when {@link #synced()} becomes true. */
    public CompletableFuture<Void> firstSync() {
        return CompletableFuture.allOf(watches.stream().map(ResourceWatch::firstSync).toArray(CompletableFuture[]::new));
    }

    /** Objects currently known (Services + EndpointSlices + Pods), for logs. */
    public int objects() {
        return state.objects();
    }

    /** Distinct IPs currently claimed by those objects. */
    public int ips() {
        return state.ips();
    }

    @Override
    public void close() {
        watches.forEach(ResourceWatch::close);
        client.close();
    }

    private static <T extends HasMetadata, L extends KubernetesResourceList<T>> ResourceWatch<T> watch(
            Kind kind, String namespace, MixedOperation<T, L, ?> operation, Function<T, List<Claim>> claims,
            ClusterState state, Duration maxRetry) {
        AnyNamespaceOperation<T, L, ?> scoped = namespace == null ? operation.inAnyNamespace() : operation.inNamespace(namespace);
        WatchSink<T> sink = new WatchSink<>() {
            @Override
            public void upsert(SourceKey key, T item) {
                state.upsert(key, claims.apply(item));
            }

            @Override
            public void delete(SourceKey key) {
                state.delete(key);
            }

            @Override
            public void retainOnly(Kind kind, String namespace, Set<SourceKey> listed) {
                state.retainOnly(kind, namespace, listed);
            }
        };
        return new ResourceWatch<>(kind, namespace, scoped, sink, new Backoff(FIRST_RETRY, maxRetry));
    }
}
