package dev.k8sebpf.agent.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.k8sebpf.agent.kernel.HookTier;
import dev.k8sebpf.agent.l7.L7HookTier;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class EnvConfigParserTest {

    private static AgentConfig parse(String... keyValues) throws ConfigException {
        var env = new java.util.HashMap<String, String>();
        for (int i = 0; i < keyValues.length; i += 2) {
            env.put(keyValues[i], keyValues[i + 1]);
        }
        return EnvConfigParser.fromEnv(env);
    }

    private static void assertBad(String name, String value, String expectedFragment) {
        assertThatThrownBy(() -> parse(name, value))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith(name + "=\"")
                .hasMessageContaining(value.replace("\n", "\\n"))
                .hasMessageContaining(expectedFragment)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }

    @Test
    void defaultsMatchTheOriginalAgent() throws ConfigException {
        AgentConfig config = EnvConfigParser.fromEnv(Map.of());
        assertThat(config).isEqualTo(new AgentConfig(Mode.CLUSTER, "0.0.0.0", 9102, List.of(), Duration.ofSeconds(60), 2048,
                List.of("kubelet"), 5_000, Duration.ofMinutes(15), true, false, true, false, true, List.of(), List.of("agent"), 100, 100, 5_000,
                Duration.ofMinutes(15),
                Optional.empty(), Optional.empty(), Optional.empty(), false, LogLevel.INFO, Optional.empty(), Optional.empty(),
                Optional.empty(), Optional.empty(), GrpcTlsConfig.PLAINTEXT, 10_000,
                new DiscoveryConfig(Optional.empty(), "app.kubernetes.io/name=k8s-ebpf-agent", "attempts", "k8s-ebpf-agent")));
    }

    @Test
    void emptyScalarsTakeTheirDefault() throws ConfigException {
        assertThat(parse("MAPPER_TTL", "", "MODE", " ", "ENABLE_L4", "").mapperTtl()).isEqualTo(Duration.ofSeconds(60));
    }

    @ParameterizedTest
    @CsvSource({"cluster,CLUSTER", "local,LOCAL", "LOCAL,LOCAL", "scaler,SCALER"})
    void mode(String value, Mode expected) throws ConfigException {
        assertThat(parse("MODE", value).mode()).isEqualTo(expected);
    }

    @Test
    void theScalerServesKedaByDefaultAndAnAgentOnlyWhenAsked() throws ConfigException {
        assertThat(parse("MODE", "scaler").scalerAddr()).contains(new HostPort("0.0.0.0", 9103));
        assertThat(parse("MODE", "scaler", "SCALER_ADDR", "127.0.0.1:7000").scalerAddr()).contains(new HostPort("127.0.0.1", 7000));
        assertThat(parse("MODE", "cluster").scalerAddr()).isEmpty();
        assertThat(parse("ATTEMPT_STREAM_ADDR", ":9104").attemptStreamAddr()).contains(new HostPort("0.0.0.0", 9104));
        assertThat(parse("CGROUP_SUBTREE", "/sys/fs/cgroup/unified/node-b").cgroupSubtree())
                .contains(java.nio.file.Path.of("/sys/fs/cgroup/unified/node-b"));
        assertThat(parse("AGENT_NAMESPACE", "k8s-ebpf").discovery().namespace()).contains("k8s-ebpf");
        assertBad("AGENT_NAMESPACE", "Not_A_Name", "namespace name");
        assertBad("SCALER_MAX_SERVICES", "0", "a positive integer");
    }

    @Test
    void grpcTlsFilesGoTogether() throws ConfigException {
        assertThat(parse("GRPC_TLS_CERT_FILE", "/c", "GRPC_TLS_KEY_FILE", "/k").grpcTls().enabled()).isTrue();
        assertThatThrownBy(() -> parse("GRPC_TLS_CERT_FILE", "/c")).isInstanceOf(ConfigException.class)
                .hasMessage("GRPC_TLS_CERT_FILE=\"/c\" is not valid: expected to be set together with GRPC_TLS_KEY_FILE, which is not");
        assertThatThrownBy(() -> parse("GRPC_TLS_CA_FILE", "/ca")).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("GRPC_TLS_CA_FILE=\"/ca\" is not valid: expected to be set together with GRPC_TLS_CERT_FILE");
    }

    @Test
    void badMode() {
        assertBad("MODE", "kube", "cluster, local or scaler");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {"127.0.0.1:8080|127.0.0.1|8080", ":9102|0.0.0.0|9102", "[::1]:0|::1|0",
            "localhost:65535|localhost|65535"})
    void metricsAddr(String value, String host, int port) throws ConfigException {
        AgentConfig config = parse("METRICS_ADDR", value);
        assertThat(config.metricsHost()).isEqualTo(host);
        assertThat(config.metricsPort()).isEqualTo(port);
    }

    @ParameterizedTest
    @CsvSource({"9102", "host:65536", "host:port", "::1:80", "a:b:80"})
    void badMetricsAddr(String value) {
        assertBad("METRICS_ADDR", value, "host:port");
    }

    @Test
    void watchNamespace() throws ConfigException {
        assertThat(parse("WATCH_NAMESPACE", "default, kube-system,,team-a1").watchNamespaces())
                .containsExactly("default", "kube-system", "team-a1");
        assertThat(parse("WATCH_NAMESPACE", "").watchNamespaces()).isEmpty();
    }

    @Test
    void badWatchNamespace() {
        assertBad("WATCH_NAMESPACE", "default,Team_A", "namespace names");
        assertBad("WATCH_NAMESPACE", "-x", "namespace names");
    }

    @ParameterizedTest
    @CsvSource({"90s,PT1M30S", "2m,PT2M", "1h30m,PT1H30M", "500ms,PT0.5S", "1.5h,PT1H30M", "0,PT0S",
            "1m30s250ms,PT1M30.25S", "3us,PT0.000003S", "7ns,PT0.000000007S"})
    void mapperTtl(String value, Duration expected) throws ConfigException {
        assertThat(parse("MAPPER_TTL", value).mapperTtl()).isEqualTo(expected);
    }

    @ParameterizedTest
    @CsvSource({"60", "1d", "-5s", "s", "1h 30m", "abc", "99999999999h"})
    void badMapperTtl(String value) {
        assertBad("MAPPER_TTL", value, "Go duration");
    }

    @Test
    void mapperCapacity() throws ConfigException {
        assertThat(parse("MAPPER_CAPACITY", "10").mapperCapacity()).isEqualTo(10);
    }

    @ParameterizedTest
    @CsvSource({"0", "-1", "ten", "99999999999", "1.5"})
    void badMapperCapacity(String value) {
        assertBad("MAPPER_CAPACITY", value, "positive integer");
    }

    @Test
    void l7HookTier() throws ConfigException {
        assertThat(parse("L7_HOOK_TIER", "auto").l7HookTier()).isEmpty();
        assertThat(parse("L7_HOOK_TIER", "Syscall_Tracepoint").l7HookTier()).contains(L7HookTier.SYSCALL_TRACEPOINT);
        assertThat(parse("L7_HOOK_TIER", "sock_tracepoint").l7HookTier()).contains(L7HookTier.SOCK_TRACEPOINT);
        assertThat(parse("L7_HOOK_TIER", "fentry").l7HookTier()).contains(L7HookTier.FENTRY);
        assertThat(parse("L7_HOOK_TIER", "kprobe").l7HookTier()).contains(L7HookTier.KPROBE);
        assertBad("L7_HOOK_TIER", "uprobe", "auto, sock_tracepoint, fentry, kprobe, syscall_tracepoint");
    }

    @Test
    void l7PathCapAndSeriesTtl() throws ConfigException {
        AgentConfig config = parse("L7_MAX_PATHS", "20", "L7_SERIES_TTL", "1h");
        assertThat(config.l7MaxPaths()).isEqualTo(20);
        assertThat(config.l7SeriesTtl()).isEqualTo(Duration.ofHours(1));
        assertThat(parse("L7_SERIES_TTL", "0").l7SeriesTtl()).isZero();
        assertBad("L7_MAX_PATHS", "0", "positive integer");
        assertThat(parse("L7_MAX_SERVER_NAMES", "7").l7MaxServerNames()).isEqualTo(7);
        assertBad("L7_MAX_SERVER_NAMES", "-1", "positive integer");
        assertBad("L7_SERIES_TTL", "15", "Go duration");
    }

    @Test
    void excludeComms() throws ConfigException {
        assertThat(parse("EXCLUDE_COMMS", "kubelet, containerd ,123456789012345").excludeComms())
                .containsExactly("kubelet", "containerd", "123456789012345");
        assertThat(parse("EXCLUDE_COMMS", "").excludeComms()).isEmpty();
    }

    @Test
    void badExcludeComms() {
        assertBad("EXCLUDE_COMMS", "kubelet,1234567890123456", "at most 15 bytes");
        // 8 two-byte characters: 8 characters but 16 bytes
        assertBad("EXCLUDE_COMMS", "éééééééé", "at most 15 bytes");
    }

    @Test
    void l7ExcludeComms() throws ConfigException {
        assertThat(parse("L7_EXCLUDE_COMMS", "agent,java").l7ExcludeComms()).containsExactly("agent", "java");
        assertBad("L7_EXCLUDE_COMMS", "a-very-long-process", "at most 15 bytes");
        // found by EnvConfigParserFuzzTest: the long name is quoted in the message, which must stay one line
        assertBad("L7_EXCLUDE_COMMS", "ok,long-name\nwith-a-newline", "but \"long-name\\nwith-a-newline\" is longer");
    }

    @ParameterizedTest
    @CsvSource({"true,true", "false,false", "1,true", "0,false", "TRUE,true", "F,false", "True,true"})
    void booleans(String value, boolean expected) throws ConfigException {
        assertThat(parse("ENABLE_L4", value).enableL4()).isEqualTo(expected);
        assertThat(parse("ENABLE_L7_HTTP", value).enableL7Http()).isEqualTo(expected);
        assertThat(parse("ENABLE_L7_TLS", value).enableL7Tls()).isEqualTo(expected);
        assertThat(parse("ENABLE_L7_RESPONSES", value).enableL7Responses()).isEqualTo(expected);
        assertThat(parse("FILTER_HEALTHCHECK", value).filterHealthcheck()).isEqualTo(expected);
        assertThat(parse("DROP_UNMAPPED", value).dropUnmapped()).isEqualTo(expected);
    }

    @ParameterizedTest
    @CsvSource({"ENABLE_L4,yes", "ENABLE_L7_HTTP,on", "ENABLE_L7_TLS,off", "ENABLE_L7_RESPONSES,y", "FILTER_HEALTHCHECK,2", "DROP_UNMAPPED,tRuE"})
    void badBooleans(String name, String value) {
        assertBad(name, value, "true or false");
    }

    @Test
    void healthcheckPaths() throws ConfigException {
        assertThat(parse("HEALTHCHECK_PATHS", "/healthz, /ready").healthcheckPaths()).containsExactly("/healthz", "/ready");
        assertBad("HEALTHCHECK_PATHS", "/healthz,ready", "starting with /");
    }

    @Test
    void mappingFile() throws ConfigException {
        assertThat(parse("MAPPING_FILE", "/etc/agent/mapping.yaml").mappingFile()).contains(Path.of("/etc/agent/mapping.yaml"));
        assertBad("MAPPING_FILE", "/etc/\0bad", "a file path");
    }

    @Test
    void webConfigFile() throws ConfigException {
        assertThat(parse("WEB_CONFIG_FILE", "/etc/agent/web.yml").webConfigFile()).contains(Path.of("/etc/agent/web.yml"));
        assertThat(parse("WEB_CONFIG_FILE", "").webConfigFile()).isEmpty();
        assertBad("WEB_CONFIG_FILE", "/etc/\0bad", "a file path");
    }

    @ParameterizedTest
    @CsvSource({"cgroup,CGROUP", "fentry,FENTRY", "kprobe,KPROBE", "syscall_tracepoint,SYSCALL_TRACEPOINT", "CGROUP,CGROUP"})
    void hookTier(String value, HookTier expected) throws ConfigException {
        assertThat(parse("L4_HOOK_TIER", value).l4HookTier()).contains(expected);
        assertThat(parse("L4_HOOK_TIER", "auto").l4HookTier()).isEmpty();
    }

    @Test
    void badHookTier() {
        assertBad("L4_HOOK_TIER", "tracepoint", "auto, cgroup, fentry, kprobe, syscall_tracepoint");
    }

    @ParameterizedTest
    @CsvSource({"debug,DEBUG", "WARN,WARN", "off,OFF"})
    void logLevel(String value, LogLevel expected) throws ConfigException {
        assertThat(parse("LOG_LEVEL", value).logLevel()).isEqualTo(expected);
    }

    @Test
    void badLogLevelAndMultiLineValuesStayOnOneLine() {
        assertBad("LOG_LEVEL", "verbose", "trace, debug, info, warn, error or off");
        assertBad("LOG_LEVEL", "info\nerror", "trace, debug");
    }
}
