package dev.k8sebpf.agent.config;

import dev.k8sebpf.agent.kernel.HookTier;
import dev.k8sebpf.agent.l7.L7HookTier;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Everything the agent reads from its environment, validated once at start.
 *
 * @param l4HookTier the hook tier L4_HOOK_TIER forces; empty means auto (the best that works)
 * @param l7HookTier the HTTP hook tier L7_HOOK_TIER forces; empty means auto
 * @param l4MaxSeries attempt series (destination × process) before new ones count under process_comm="{other}"
 * @param l4SeriesTtl how long an attempt series may go without an attempt before it is removed; 0: never
 * @param enableL7Tls with enableL7Http: also count the ClientHellos of accepted TLS connections
 * @param enableL7Responses with enableL7Http: also count responses by status code and time them
 * @param l7MaxServerNames distinct TLS server names per destination Service before new ones count as "{other}"
 * @param l7MaxSeries HTTP request series before new ones count in their destination's overflow series
 * @param scalerAddr where to serve KEDA's ExternalScaler API; empty: not served
 * @param l7SeriesTtl how long an HTTP series may go without a request before it is removed; 0: never
 * @param webConfigFile TLS and basic auth for the metrics server (exporter-toolkit format); empty: plain HTTP
 * @param cgroupSubtree the cgroup2 directory to attach the cgroup tier at instead of the node's root; empty: the root
 * @param attemptStreamAddr where to serve the attempt stream to the cluster scaler; empty: not served
 * @param grpcTls TLS of the gRPC servers (SCALER_ADDR, ATTEMPT_STREAM_ADDR) and of the scaler's clients
 * @param activityMaxServices Services whose attempt history the scaler keeps (SCALER_ADDR, MODE=scaler)
 * @param discovery MODE=scaler: how the agents are found
 */
public record AgentConfig(
        Mode mode,
        String metricsHost,
        int metricsPort,
        List<String> watchNamespaces,
        Duration mapperTtl,
        int mapperCapacity,
        List<String> excludeComms,
        int l4MaxSeries,
        Duration l4SeriesTtl,
        boolean enableL4,
        boolean enableL7Http,
        boolean enableL7Tls,
        boolean enableL7Responses,
        boolean filterHealthcheck,
        List<String> healthcheckPaths,
        List<String> l7ExcludeComms,
        int l7MaxPaths,
        int l7MaxServerNames,
        int l7MaxSeries,
        Duration l7SeriesTtl,
        Optional<Path> mappingFile,
        Optional<HookTier> l4HookTier,
        Optional<L7HookTier> l7HookTier,
        boolean dropUnmapped,
        LogLevel logLevel,
        Optional<HostPort> scalerAddr,
        Optional<Path> webConfigFile,
        Optional<Path> cgroupSubtree,
        Optional<HostPort> attemptStreamAddr,
        GrpcTlsConfig grpcTls,
        int activityMaxServices,
        DiscoveryConfig discovery) {

    public AgentConfig {
        watchNamespaces = List.copyOf(watchNamespaces);
        excludeComms = List.copyOf(excludeComms);
        healthcheckPaths = List.copyOf(healthcheckPaths);
        l7ExcludeComms = List.copyOf(l7ExcludeComms);
    }
}
