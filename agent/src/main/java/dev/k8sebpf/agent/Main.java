package dev.k8sebpf.agent;

import dev.k8sebpf.agent.cluster.AgentSubscriptions;
import dev.k8sebpf.agent.config.AgentConfig;
import dev.k8sebpf.agent.config.ConfigException;
import dev.k8sebpf.agent.config.EnvConfigParser;
import dev.k8sebpf.agent.config.HostPort;
import dev.k8sebpf.agent.config.Mode;
import dev.k8sebpf.agent.grpc.GrpcServer;
import dev.k8sebpf.agent.grpc.GrpcTls;
import dev.k8sebpf.agent.http.HealthCheck;
import dev.k8sebpf.agent.http.MetricsServer;
import dev.k8sebpf.agent.http.TlsFiles;
import dev.k8sebpf.agent.http.WebConfig;
import dev.k8sebpf.agent.http.WebConfigException;
import dev.k8sebpf.agent.hooks.Capabilities;
import dev.k8sebpf.agent.hooks.KernelException;
import dev.k8sebpf.agent.hooks.OwnProcess;
import dev.k8sebpf.agent.kernel.L4Kernel;
import dev.k8sebpf.agent.kernel.L4Options;
import dev.k8sebpf.agent.kubernetes.AgentPods;
import dev.k8sebpf.agent.kubernetes.ClusterMapping;
import dev.k8sebpf.agent.l7.L7;
import dev.k8sebpf.agent.l7.L7Options;
import dev.k8sebpf.agent.mapping.MappingFile;
import dev.k8sebpf.agent.mapping.MappingFileException;
import dev.k8sebpf.agent.mapping.MappingTable;
import dev.k8sebpf.agent.metrics.AgentMetrics;
import dev.k8sebpf.agent.pipeline.ConnectEventCounter;
import dev.k8sebpf.agent.pipeline.ConnectPoller;
import dev.k8sebpf.agent.scaler.ScalerServer;
import dev.k8sebpf.agent.scaler.ServiceActivity;
import dev.k8sebpf.agent.stream.AttemptFeed;
import dev.k8sebpf.agent.stream.AttemptStreamService;
import io.fabric8.kubernetes.client.Config;
import io.grpc.BindableService;
import io.micrometer.core.instrument.Gauge;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.IntSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node agent: config → preflight → kernel hooks → 100 ms poller → HTTP server, until SIGTERM/SIGINT.
 * Every startup failure is one line on stderr and exit status 2; users never see a stack trace.
 */
public final class Main {
    static final int EXIT_BAD_SETUP = 2;
    static final int EXIT_INTERNAL = 1;
    private static final Path KERNEL_BTF = Path.of("/sys/kernel/btf/vmlinux");
    private static final Duration POLL_INTERVAL = Duration.ofMillis(100);

    /** A startup problem the user can fix; the message is the line to print. */
    private static final class StartupException extends Exception {
        StartupException(String message) {
            super(message);
        }
    }

    /** Everything started so far, closed in reverse order on shutdown or on a later startup failure. */
    private final Deque<AutoCloseable> started = new ArrayDeque<>();

    private Main() {
    }

    public static void main(String[] args) {
        AgentConfig config;
        try {
            config = EnvConfigParser.fromEnv(System.getenv());
        } catch (ConfigException e) {
            exit(e.getMessage(), EXIT_BAD_SETUP);
            return;
        }
        // Before the first logger exists: slf4j-simple reads its level once.
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", config.logLevel().simpleLoggerName());
        var agent = new Main();
        try {
            agent.start(config);
        } catch (StartupException e) {
            agent.stop();
            exit(e.getMessage(), EXIT_BAD_SETUP);
        } catch (RuntimeException | Error e) {
            agent.stop();
            exit("agent failed to start: " + e, EXIT_INTERNAL);
        }
    }

    private static void exit(String line, int status) {
        System.err.println(line);
        System.exit(status);
    }

    private void start(AgentConfig config) throws StartupException {
        Logger log = LoggerFactory.getLogger(Main.class);
        WebConfig web = loadWebConfig(config); // before anything is loaded: a bad file is a user error
        GrpcTls tls = loadGrpcTls(config);
        if (config.mode() == Mode.SCALER) {
            startClusterScaler(config, web, tls, log);
            return;
        }
        if (config.enableL4() || config.enableL7Http()) {
            preflight();
        }
        var metrics = new AgentMetrics(config.l4MaxSeries(), config.l4SeriesTtl(), System::nanoTime);
        var table = new MappingTable(config.mapperTtl(), config.mapperCapacity(), System::nanoTime);
        metrics.bindMapping(table);
        HealthCheck mappingReady = startMapping(config, table, metrics, log);

        // the scalers' view of the attempts (SCALER_ADDR here, ATTEMPT_STREAM_ADDR for the cluster scaler)
        var activity = new ServiceActivity(config.activityMaxServices(), System::nanoTime);
        // recorded only when served: otherwise the event thread would keep every Service's attempts for nothing
        Optional<AttemptFeed> feed = config.scalerAddr().isPresent() || config.attemptStreamAddr().isPresent()
                ? Optional.of(new AttemptFeed(activity)) : Optional.empty();
        BiConsumer<String, String> serviceAttempted = feed.<BiConsumer<String, String>>map(f -> f::attempted)
                .orElse((namespace, service) -> { });
        // Both kernels are drained by the one poller thread, L4 first.
        List<IntSupplier> drains = new ArrayList<>();
        Optional<L4Kernel> kernel = Optional.empty();
        if (config.enableL4()) {
            L4Kernel opened = openKernel(config);
            kernel = Optional.of(opened);
            metrics.bindKernel(opened.tier().label(), opened::lostEvents, opened::excludedAttempts);
            // Where the cgroup hooks landed: a path that is not the node's cgroup2 root would mean blind hooks.
            opened.cgroup().ifPresent(path -> Gauge.builder("internal_agent_hook_cgroup", () -> 1)
                    .description("The cgroup2 directory the L4 cgroup hooks are attached to (value is always 1)")
                    .tag("tier", opened.tier().label()).tag("cgroup", path)
                    .tag("scope", config.cgroupSubtree().isPresent() ? "subtree" : "node").register(metrics.registry()));
            var counter = new ConnectEventCounter(table, metrics, config.dropUnmapped(), serviceAttempted);
            drains.add(() -> opened.poll(counter));
        }
        Optional<L7> l7 = Optional.empty();
        if (config.enableL7Http()) {
            L7 opened = startL7(config, table, metrics);
            l7 = Optional.of(opened);
            drains.add(opened::poll);
        }
        Optional<ConnectPoller> poller = Optional.empty();
        if (!drains.isEmpty()) {
            poller = Optional.of(ConnectPoller.start(() -> {
                int events = 0;
                for (IntSupplier drain : drains) {
                    events += drain.getAsInt();
                }
                feed.ifPresent(AttemptFeed::flush);
                return events;
            }, POLL_INTERVAL));
            started.push(poller.get());
        }
        HealthCheck liveness = livenessOf(poller, metrics);
        HealthCheck readiness = () -> liveness.problem().or(mappingReady::problem);
        // before /readyz answers: ready means the scaler serves too
        Optional<ScalerServer> scaler = startScaler(config, tls, activity);
        Optional<GrpcServer> stream = feed.isEmpty() ? Optional.empty()
                : startGrpc("ATTEMPT_STREAM_ADDR", config.attemptStreamAddr(), tls, new AttemptStreamService(feed.get()));
        MetricsServer server = startServer(config, web, metrics, liveness, readiness);
        started.push(server);
        log.info("agent started: MODE={}, L4 {}, L7 HTTP {}, serving /metrics, /healthz, /readyz on {}{}{}",
                config.mode().name().toLowerCase(Locale.ROOT),
                kernel.map(k -> "hook tier " + k.tier().label() + " (" + k.tierReason() + ")").orElse("off"),
                l7.map(on -> "hook tier " + on.tier().label()).orElse("off"),
                server.address(), scaler.map(s -> ", KEDA external scaler on " + s.address() + " (" + tls.describe() + ")").orElse(""),
                stream.map(s -> ", attempt stream on " + s.address() + " (" + tls.describe() + ", instance "
                        + feed.get().instance() + ")").orElse(""));
        Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().name("shutdown").unstarted(this::stop));
    }

    /**
     * MODE=scaler: no kernel hooks; the agents' Pods are watched, every agent's attempt stream subscribed,
     * and KEDA's ExternalScaler served from the sum. Ready once the Pods are listed and every agent answered
     * (sent its history or failed once), so a restarted replica takes KEDA's calls only with its view rebuilt.
     */
    private void startClusterScaler(AgentConfig config, WebConfig web, GrpcTls tls, Logger log) throws StartupException {
        var activity = new ServiceActivity(config.activityMaxServices(), System::nanoTime);
        var metrics = new AgentMetrics(1, Duration.ZERO, System::nanoTime);
        var subscriptions = new AgentSubscriptions(activity, tls, config.discovery().tlsServerName());
        started.push(subscriptions);
        Config kubernetes = Config.autoConfigure(null);
        String namespace = config.discovery().namespace()
                .orElse(kubernetes.getNamespace() == null ? "k8s-ebpf" : kubernetes.getNamespace());
        AgentPods pods = AgentPods.start(kubernetes, namespace, config.discovery().labelSelector(),
                config.discovery().portName(), subscriptions);
        started.push(pods);
        var registry = metrics.registry();
        Gauge.builder("internal_scaler_agents", subscriptions, AgentSubscriptions::agents)
                .description("Agent Pods found through the Kubernetes API").register(registry);
        Gauge.builder("internal_scaler_agents_streaming", subscriptions, AgentSubscriptions::streaming)
                .description("Agents whose attempt stream is open").register(registry);
        Gauge.builder("internal_scaler_services", activity, ServiceActivity::services)
                .description("Services with attempts kept (SCALER_MAX_SERVICES at most)").register(registry);
        dev.k8sebpf.agent.metrics.FunctionCounters.register(registry, "internal_scaler_batches",
                "Attempt batches received from the agents", subscriptions::batches);
        dev.k8sebpf.agent.metrics.FunctionCounters.register(registry, "internal_scaler_service_evictions",
                "Services dropped at SCALER_MAX_SERVICES while still within the largest window", activity::evictions);
        ScalerServer scaler = startScaler(config, tls, activity).orElseThrow();
        HealthCheck liveness = metrics::scrapeProblem;
        HealthCheck readiness = () -> !pods.synced() ? Optional.of("agent Pods not listed yet")
                : !subscriptions.allAnswered() ? Optional.of("not every agent has answered yet") : Optional.empty();
        MetricsServer server = startServer(config, web, metrics, liveness, readiness);
        started.push(server);
        log.info("cluster scaler started: agents are the Pods {} in namespace {} (port {}), KEDA external scaler on {} ({}),"
                        + " serving /metrics, /healthz, /readyz on {}", config.discovery().labelSelector(), namespace,
                config.discovery().portName(), scaler.address(), tls.describe(), server.address());
        Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().name("shutdown").unstarted(this::stop));
    }

    /** Fails fast, before anything is loaded, with the one thing the operator has to change. */
    private static void preflight() throws StartupException {
        if (!Capabilities.current().canLoadBpf()) {
            throw new StartupException("missing capabilities: the agent needs CAP_BPF and CAP_PERFMON (or CAP_SYS_ADMIN);"
                    + " run it as root or add them to the container's securityContext");
        }
        if (!Files.exists(KERNEL_BTF)) {
            throw new StartupException("kernel BTF not found at " + KERNEL_BTF
                    + ": the agent needs a kernel built with CONFIG_DEBUG_INFO_BTF=y");
        }
    }

    private HealthCheck startMapping(AgentConfig config, MappingTable table, AgentMetrics metrics, Logger log)
            throws StartupException {
        if (config.mode() == Mode.CLUSTER) {
            ClusterMapping cluster = ClusterMapping.start(Set.copyOf(config.watchNamespaces()), table, metrics);
            started.push(cluster);
            log.info("MODE=cluster: watching Services, EndpointSlices and Pods in {}",
                    config.watchNamespaces().isEmpty() ? "all namespaces" : String.join(", ", config.watchNamespaces()));
            return () -> cluster.synced() ? Optional.empty() : Optional.of("Kubernetes mappings not synced yet");
        }
        if (config.mappingFile().isPresent()) {
            try {
                MappingFile.read(config.mappingFile().get()).applyTo(table, metrics);
            } catch (MappingFileException e) {
                throw new StartupException(e.getMessage());
            }
        } else {
            log.info("MODE=local without MAPPING_FILE: every destination is counted unmapped");
        }
        return Optional::empty;
    }

    private L4Kernel openKernel(AgentConfig config) throws StartupException {
        // Excluded attempts are only worth sending up when someone will read them in the debug log.
        boolean emitExcluded = LoggerFactory.getLogger(ConnectEventCounter.class).isDebugEnabled();
        try {
            L4Kernel kernel = L4Kernel.open(new L4Options(config.l4HookTier(), config.excludeComms(), emitExcluded,
                    OwnProcess.current(), config.cgroupSubtree()));
            started.push(kernel);
            return kernel;
        } catch (KernelException e) {
            throw new StartupException(e.userMessage());
        }
    }

    private L7 startL7(AgentConfig config, MappingTable table, AgentMetrics metrics) throws StartupException {
        try {
            L7 l7 = L7.start(new L7Options(config.filterHealthcheck(), config.healthcheckPaths(), config.l7ExcludeComms(),
                    config.l7MaxPaths(), config.dropUnmapped(), config.l7MaxSeries(), config.l7SeriesTtl(), config.l7HookTier(),
                    config.enableL7Tls(), config.l7MaxServerNames(), config.enableL7Responses()),
                    table, metrics.registry());
            started.push(l7);
            return l7;
        } catch (KernelException e) {
            throw new StartupException(e.userMessage());
        }
    }

    private static HealthCheck livenessOf(Optional<ConnectPoller> poller, AgentMetrics metrics) {
        return () -> poller.filter(p -> !p.alive()).map(p -> "connect event poller stopped (see the log)")
                .or(metrics::scrapeProblem);
    }

    private static WebConfig loadWebConfig(AgentConfig config) throws StartupException {
        try {
            return config.webConfigFile().isPresent() ? WebConfig.load(config.webConfigFile().get()) : WebConfig.PLAIN;
        } catch (WebConfigException e) {
            throw new StartupException(e.getMessage());
        }
    }

    private static MetricsServer startServer(AgentConfig config, WebConfig web, AgentMetrics metrics, HealthCheck liveness,
                                             HealthCheck readiness) throws StartupException {
        var address = new InetSocketAddress(config.metricsHost(), config.metricsPort());
        if (address.isUnresolved()) {
            throw new StartupException("METRICS_ADDR host " + config.metricsHost() + " does not resolve");
        }
        try {
            return MetricsServer.start(address, web, metrics::scrape, liveness, readiness);
        } catch (IOException e) {
            throw new StartupException("METRICS_ADDR " + config.metricsHost() + ":" + config.metricsPort()
                    + ": cannot listen (" + e.getMessage() + ")");
        }
    }

    private static GrpcTls loadGrpcTls(AgentConfig config) throws StartupException {
        try {
            return GrpcTls.load(config.grpcTls());
        } catch (TlsFiles.Invalid e) {
            throw new StartupException(e.getMessage());
        }
    }

    private Optional<ScalerServer> startScaler(AgentConfig config, GrpcTls tls, ServiceActivity activity)
            throws StartupException {
        return listen("SCALER_ADDR", config.scalerAddr(), address -> ScalerServer.start(address, tls, activity));
    }

    private Optional<GrpcServer> startGrpc(String variable, Optional<HostPort> addr, GrpcTls tls, BindableService service)
            throws StartupException {
        return listen(variable, addr, address -> GrpcServer.start(address, tls, service));
    }

    /** A server that listens on {@code addr}, if set; a bad or taken address is a start-up error naming the variable. */
    private <S extends AutoCloseable> Optional<S> listen(String variable, Optional<HostPort> addr, Listener<S> listener)
            throws StartupException {
        if (addr.isEmpty()) {
            return Optional.empty();
        }
        var address = new InetSocketAddress(addr.get().host(), addr.get().port());
        if (address.isUnresolved()) {
            throw new StartupException(variable + " host " + addr.get().host() + " does not resolve");
        }
        try {
            S server = listener.listen(address);
            started.push(server);
            return Optional.of(server);
        } catch (IOException e) {
            throw new StartupException(variable + " " + addr.get().host() + ":" + addr.get().port() + ": cannot listen ("
                    + e.getMessage() + ")");
        }
    }

    @FunctionalInterface
    private interface Listener<S> {
        S listen(InetSocketAddress address) throws IOException;
    }

    /** In reverse start order: server, poller (one last drain), L7 and L4 kernels (detach every hook), watches. */
    private synchronized void stop() {
        while (!started.isEmpty()) {
            AutoCloseable resource = started.pop();
            try {
                resource.close();
            } catch (Exception e) {
                LoggerFactory.getLogger(Main.class).warn("closing {} failed: {}", resource.getClass().getSimpleName(), e.toString());
            }
        }
    }
}
