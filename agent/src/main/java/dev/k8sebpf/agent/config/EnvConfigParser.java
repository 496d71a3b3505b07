package dev.k8sebpf.agent.config;

import dev.k8sebpf.agent.kernel.HookTier;
import dev.k8sebpf.agent.l7.L7HookTier;
import java.nio.charset.StandardCharsets;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Reads {@link AgentConfig} from environment variables with the original agent's names and defaults.
 * An unset or empty scalar takes its default; a list variable set to "" is an empty list (so
 * EXCLUDE_COMMS="" turns exclusion off).
 */
public final class EnvConfigParser {
    /** The kernel's task comm is 16 bytes including the terminating NUL. */
    public static final int MAX_COMM_BYTES = 15;

    private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
    private static final Pattern HOST_PORT = Pattern.compile("(\\[[0-9A-Fa-f:.]+]|[^:\\[\\]]*):(\\d{1,5})");

    /** With MAPPER_CAPACITY's default, these fit the DaemonSet's heap with margin (BENCHMARKS.md, "Series"). */
    static final int DEFAULT_L4_MAX_SERIES = 5_000;
    static final int DEFAULT_L7_MAX_SERIES = 5_000;
    /** About 1.2 KB each (ServiceActivity): 12 MB at most. */
    static final int DEFAULT_SCALER_MAX_SERVICES = 10_000;

    private final Map<String, String> env;

    private EnvConfigParser(Map<String, String> env) {
        this.env = env;
    }

    public static AgentConfig fromEnv(Map<String, String> env) throws ConfigException {
        return new EnvConfigParser(env).parse();
    }

    private AgentConfig parse() throws ConfigException {
        AgentConfig config = read();
        if (config.cgroupSubtree().isPresent() && config.l4HookTier().filter(t -> t != HookTier.CGROUP).isPresent()) {
            throw new ConfigException("CGROUP_SUBTREE", env.get("CGROUP_SUBTREE"), "unset: L4_HOOK_TIER="
                    + config.l4HookTier().get().label() + ", and only the cgroup tier can be scoped to a cgroup subtree");
        }
        return config;
    }

    private AgentConfig read() throws ConfigException {
        String[] metricsAddr = hostPort("METRICS_ADDR", "0.0.0.0:9102");
        return new AgentConfig(
                mode(),
                metricsAddr[0],
                Integer.parseInt(metricsAddr[1]),
                namespaces("WATCH_NAMESPACE"),
                duration("MAPPER_TTL", "60s"),
                positiveInt("MAPPER_CAPACITY", "2048"),
                comms("EXCLUDE_COMMS", "kubelet"),
                positiveInt("L4_MAX_SERIES", String.valueOf(DEFAULT_L4_MAX_SERIES)),
                duration("L4_SERIES_TTL", "15m"),
                bool("ENABLE_L4", "true"),
                bool("ENABLE_L7_HTTP", "false"),
                bool("ENABLE_L7_TLS", "true"),
                bool("ENABLE_L7_RESPONSES", "false"),
                bool("FILTER_HEALTHCHECK", "true"),
                paths("HEALTHCHECK_PATHS"),
                comms("L7_EXCLUDE_COMMS", "agent"),
                positiveInt("L7_MAX_PATHS", "100"),
                positiveInt("L7_MAX_SERVER_NAMES", "100"),
                positiveInt("L7_MAX_SERIES", String.valueOf(DEFAULT_L7_MAX_SERIES)),
                duration("L7_SERIES_TTL", "15m"),
                file("MAPPING_FILE"),
                tier("L4_HOOK_TIER", HookTier.values(), HookTier::label),
                tier("L7_HOOK_TIER", L7HookTier.values(), L7HookTier::label),
                bool("DROP_UNMAPPED", "false"),
                logLevel(),
                scalerAddr(),
                file("WEB_CONFIG_FILE"),
                file("CGROUP_SUBTREE"),
                optionalHostPort("ATTEMPT_STREAM_ADDR"),
                grpcTls(),
                positiveInt("SCALER_MAX_SERVICES", String.valueOf(DEFAULT_SCALER_MAX_SERVICES)),
                new DiscoveryConfig(optionalName("AGENT_NAMESPACE"), scalar("AGENT_SELECTOR", "app.kubernetes.io/name=k8s-ebpf-agent"),
                        scalar("AGENT_PORT_NAME", "attempts"), scalar("AGENT_TLS_SERVER_NAME", "k8s-ebpf-agent")));
    }

    /** The scaler always serves KEDA; an agent only when asked to. */
    private Optional<HostPort> scalerAddr() throws ConfigException {
        Optional<HostPort> addr = optionalHostPort("SCALER_ADDR");
        if (addr.isEmpty() && scalar("MODE", "cluster").equalsIgnoreCase("scaler")) {
            return Optional.of(new HostPort("0.0.0.0", 9103));
        }
        return addr;
    }

    private GrpcTlsConfig grpcTls() throws ConfigException {
        var tls = new GrpcTlsConfig(file("GRPC_TLS_CERT_FILE"), file("GRPC_TLS_KEY_FILE"), file("GRPC_TLS_CA_FILE"));
        if (tls.certFile().isPresent() != tls.keyFile().isPresent()) {
            String missing = tls.certFile().isPresent() ? "GRPC_TLS_KEY_FILE" : "GRPC_TLS_CERT_FILE";
            String set = tls.certFile().isPresent() ? "GRPC_TLS_CERT_FILE" : "GRPC_TLS_KEY_FILE";
            throw new ConfigException(set, env.get(set), "to be set together with " + missing + ", which is not");
        }
        if (tls.caFile().isPresent() && tls.certFile().isEmpty()) {
            throw new ConfigException("GRPC_TLS_CA_FILE", env.get("GRPC_TLS_CA_FILE"),
                    "to be set together with GRPC_TLS_CERT_FILE and GRPC_TLS_KEY_FILE (it verifies the peers of a TLS connection)");
        }
        return tls;
    }

    private Optional<String> optionalName(String name) throws ConfigException {
        String value = scalar(name, "");
        if (!value.isEmpty() && !DNS_LABEL.matcher(value).matches()) {
            throw new ConfigException(name, value, "empty or a namespace name (a lowercase RFC 1123 label)");
        }
        return value.isEmpty() ? Optional.empty() : Optional.of(value);
    }

    private String scalar(String name, String defaultValue) {
        String value = env.get(name);
        return value == null || value.isBlank() ? defaultValue : value.strip();
    }

    private List<String> list(String name, String defaultValue) {
        String value = env.getOrDefault(name, defaultValue);
        return Arrays.stream(value.split(",")).map(String::strip).filter(s -> !s.isEmpty()).toList();
    }

    private Mode mode() throws ConfigException {
        String value = scalar("MODE", "cluster");
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "cluster" -> Mode.CLUSTER;
            case "local" -> Mode.LOCAL;
            case "scaler" -> Mode.SCALER;
            default -> throw new ConfigException("MODE", value, "cluster, local or scaler");
        };
    }

    private String[] hostPort(String name, String defaultValue) throws ConfigException {
        String value = scalar(name, defaultValue);
        var matcher = HOST_PORT.matcher(value);
        if (!matcher.matches() || Integer.parseInt(matcher.group(2)) > 65535) {
            throw new ConfigException(name, value, "host:port with a port from 0 to 65535, e.g. 0.0.0.0:9102, :9102 or [::]:9102");
        }
        String host = matcher.group(1);
        if (host.startsWith("[")) {
            host = host.substring(1, host.length() - 1);
        }
        // Go's ":9102" listens on every interface.
        return new String[] {host.isEmpty() ? "0.0.0.0" : host, matcher.group(2)};
    }

    private Optional<HostPort> optionalHostPort(String name) throws ConfigException {
        if (scalar(name, "").isEmpty()) {
            return Optional.empty();
        }
        String[] hostPort = hostPort(name, "");
        return Optional.of(new HostPort(hostPort[0], Integer.parseInt(hostPort[1])));
    }

    private List<String> namespaces(String name) throws ConfigException {
        List<String> namespaces = list(name, "");
        for (String namespace : namespaces) {
            if (!DNS_LABEL.matcher(namespace).matches()) {
                throw new ConfigException(name, env.get(name),
                        "empty (all namespaces) or a comma-separated list of namespace names (lowercase RFC 1123 labels)");
            }
        }
        return namespaces;
    }

    private Duration duration(String name, String defaultValue) throws ConfigException {
        String value = scalar(name, defaultValue);
        return GoDuration.parse(value).orElseThrow(() ->
                new ConfigException(name, value, "a non-negative Go duration such as 90s, 2m, 1h30m or 500ms"));
    }

    private int positiveInt(String name, String defaultValue) throws ConfigException {
        String value = scalar(name, defaultValue);
        try {
            int parsed = Integer.parseInt(value);
            if (parsed > 0) {
                return parsed;
            }
        } catch (NumberFormatException e) {
            // reported below, with the same message as a non-positive number
        }
        throw new ConfigException(name, value, "a positive integer");
    }

    private boolean bool(String name, String defaultValue) throws ConfigException {
        String value = scalar(name, defaultValue);
        // The spellings Go's strconv.ParseBool accepts.
        return switch (value) {
            case "1", "t", "T", "true", "TRUE", "True" -> true;
            case "0", "f", "F", "false", "FALSE", "False" -> false;
            default -> throw new ConfigException(name, value, "true or false");
        };
    }

    private List<String> comms(String name, String defaultValue) throws ConfigException {
        List<String> comms = list(name, defaultValue);
        for (String comm : comms) {
            if (comm.getBytes(StandardCharsets.UTF_8).length > MAX_COMM_BYTES) {
                throw new ConfigException(name, env.get(name), "a comma-separated list of process names of at most "
                        + MAX_COMM_BYTES + " bytes each (the kernel truncates comm to 15), but \"" + comm + "\" is longer");
            }
        }
        return comms;
    }

    private List<String> paths(String name) throws ConfigException {
        List<String> paths = list(name, "");
        for (String path : paths) {
            if (!path.startsWith("/")) {
                throw new ConfigException(name, env.get(name), "a comma-separated list of URL paths starting with /");
            }
        }
        return paths;
    }

    private Optional<Path> file(String name) throws ConfigException {
        String value = scalar(name, "");
        if (value.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(Path.of(value));
        } catch (InvalidPathException e) {
            throw new ConfigException(name, value, "a file path");
        }
    }

    /** An enum chosen by label, or empty for {@code auto}. */
    private <T extends Enum<T>> Optional<T> tier(String name, T[] tiers, Function<T, String> label) throws ConfigException {
        String value = scalar(name, "auto").toLowerCase(Locale.ROOT);
        if (value.equals("auto")) {
            return Optional.empty();
        }
        for (T tier : tiers) {
            if (label.apply(tier).equals(value)) {
                return Optional.of(tier);
            }
        }
        throw new ConfigException(name, env.get(name), "auto, "
                + Arrays.stream(tiers).map(label).collect(Collectors.joining(", ")));
    }

    private LogLevel logLevel() throws ConfigException {
        String value = scalar("LOG_LEVEL", "info");
        try {
            return LogLevel.valueOf(value.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new ConfigException("LOG_LEVEL", value, "trace, debug, info, warn, error or off");
        }
    }
}
