package dev.k8sebpf.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.k8sebpf.agent.loader.KernelPreconditions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Startup failures as users see them: one line on stderr, exit status 2, no stack trace. */
class MainTest {
    @TempDir
    Path dir;

    @Test
    void badEnvironmentValue() throws Exception {
        AgentProcess.Finished run = AgentProcess.run(dir, Map.of("MAPPER_CAPACITY", "lots"));
        assertThat(run.status()).isEqualTo(2);
        assertThat(run.stderrLines()).containsExactly("MAPPER_CAPACITY=\"lots\" is not valid: expected a positive integer");
    }

    @Test
    void tooLongExcludedComm() throws Exception {
        AgentProcess.Finished run = AgentProcess.run(dir, Map.of("EXCLUDE_COMMS", "kubelet,a-sixteen-bytes!"));
        assertThat(run.status()).isEqualTo(2);
        assertThat(run.stderrLines()).hasSize(1);
        assertThat(run.stderrLines().getFirst()).startsWith("EXCLUDE_COMMS=\"kubelet,a-sixteen-bytes!\" is not valid");
    }

    @Test
    void withoutBpfCapabilitiesBeforeLoadingAnything() throws Exception {
        KernelPreconditions.requireTool("setpriv");
        // Root with an empty bounding set: CapEff is 0 after exec, as in a container without CAP_BPF/CAP_PERFMON.
        AgentProcess.Finished run = AgentProcess.run(dir, Map.of("MODE", "local"),
                "setpriv", "--bounding-set=-all", "--inh-caps=-all");
        assertThat(run.status()).isEqualTo(2);
        assertThat(run.stderrLines()).containsExactly("missing capabilities: the agent needs CAP_BPF and CAP_PERFMON"
                + " (or CAP_SYS_ADMIN); run it as root or add them to the container's securityContext");
    }

    @Test
    void missingMappingFile() throws Exception {
        Path absent = dir.resolve("absent.yaml");
        AgentProcess.Finished run = AgentProcess.run(dir, Map.of("MODE", "local", "ENABLE_L4", "false",
                "MAPPING_FILE", absent.toString()));
        assertThat(run.status()).isEqualTo(2);
        assertThat(run.stderrLines()).filteredOn(line -> !line.contains("[INFO]"))
                .containsExactly("MAPPING_FILE " + absent + ": cannot read it (NoSuchFileException: " + absent + ")");
    }

    @Test
    void malformedMappingFile() throws Exception {
        Path file = Files.writeString(dir.resolve("bad.yaml"), "kind: Service\napiVersion: v1\nmetadata: {name: x}\nspec: {clusterIP: 10.1}\n");
        AgentProcess.Finished run = AgentProcess.run(dir, Map.of("MODE", "local", "ENABLE_L4", "false",
                "MAPPING_FILE", file.toString()));
        assertThat(run.status()).isEqualTo(2);
        assertThat(run.stderrLines()).filteredOn(line -> !line.contains("[INFO]"))
                .containsExactly("MAPPING_FILE " + file + ": Service default/x: not an IP address: \"10.1\"");
    }

    @Test
    void badWebConfigBeforeAnythingIsLoaded() throws Exception {
        Path file = Files.writeString(dir.resolve("web.yml"), "tls_server_config:\n  cert_file: server.crt\n  key_fiel: server.key\n");
        // ENABLE_L4 stays on: the file is checked before the capability preflight and the hooks.
        AgentProcess.Finished run = AgentProcess.run(dir, Map.of("MODE", "local", "WEB_CONFIG_FILE", file.toString()),
                "setpriv", "--bounding-set=-all", "--inh-caps=-all");
        assertThat(run.status()).isEqualTo(2);
        assertThat(run.stderrLines()).containsExactly("WEB_CONFIG_FILE " + file + ": unknown key tls_server_config.key_fiel"
                + " (known here: cert, cert_file, cipher_suites, client_allowed_sans, client_auth_type, client_ca, client_ca_file,"
                + " curve_preferences, key, key_file, max_version, min_version, prefer_server_cipher_suites)");
    }

    @Test
    void metricsAddressInUse() throws Exception {
        try (var taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            String address = "127.0.0.1:" + taken.getLocalPort();
            AgentProcess.Finished run = AgentProcess.run(dir, Map.of("MODE", "local", "ENABLE_L4", "false",
                    "METRICS_ADDR", address));
            assertThat(run.status()).isEqualTo(2);
            assertThat(run.stderrLines()).filteredOn(line -> !line.contains("[INFO]"))
                    .containsExactly("METRICS_ADDR " + address + ": cannot listen (Address already in use)");
        }
    }
}
