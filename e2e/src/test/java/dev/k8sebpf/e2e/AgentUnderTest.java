package dev.k8sebpf.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The packaged agent jar (with its lib/ beside it), run in local mode as a subprocess on JDK 25. */
final class AgentUnderTest implements AutoCloseable {
    private final ManagedProcess process;
    private final String metricsAddress;

    private AgentUnderTest(ManagedProcess process, String metricsAddress) {
        this.process = process;
        this.metricsAddress = metricsAddress;
    }

    /** Starts the agent with the mapping file's Services and extra env, and waits for /metrics. */
    static AgentUnderTest start(String mappingYaml, Map<String, String> extraEnv, Path dir) throws IOException {
        Path jar = Requirements.requireFile(Path.of(System.getProperty("agent.jar", "agent/target/agent-0.1.0-SNAPSHOT.jar")),
                "package the agent first (./mvnw package)");
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");  // the JDK 25 running the tests
        Path mapping = Files.writeString(dir.resolve("mapping.yaml"), mappingYaml);
        String address = "127.0.0.1:" + FreePort.pick();
        Map<String, String> env = new HashMap<>(Map.of("MODE", "local", "METRICS_ADDR", address, "MAPPING_FILE", mapping.toString()));
        env.putAll(extraEnv);
        var process = ManagedProcess.start("agent", List.of(java.toString(), "-XX:+UseSerialGC", "-Xmx128m",
                "--enable-native-access=ALL-UNNAMED", "-jar", jar.toString()), env, dir.resolve("agent.log"));
        process.awaitHttpOk("http://" + address + "/metrics", Duration.ofSeconds(60));
        return new AgentUnderTest(process, address);
    }

    String metricsAddress() {
        return metricsAddress;
    }

    String log() {
        return process.logTail();
    }

    @Override
    public void close() {
        process.close();
    }
}
