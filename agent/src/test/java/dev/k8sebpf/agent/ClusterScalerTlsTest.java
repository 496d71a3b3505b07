package dev.k8sebpf.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.k8sebpf.agent.http.TestPki;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.grpc.ChannelCredentials;
import io.grpc.InsecureChannelCredentials;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsChannelCredentials;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * GRPC_TLS_*: the scaler reaches the agents over mutual TLS (their certificate names k8s-ebpf-agent, not
 * the node IP it dials) and serves KEDA over TLS, requiring a client certificate from the same CA, as
 * KEDA's {@code caCert}, {@code tlsClientCert} and {@code tlsClientKey} provide. No kernel hooks needed.
 */
@EnableKubernetesMockClient(crud = true, https = false)
class ClusterScalerTlsTest {
    static KubernetesMockServer server;
    static KubernetesClient client;

    @TempDir
    Path dir;

    private static Map<String, String> tls(Path[] peer, Path ca) {
        return Map.of("GRPC_TLS_CERT_FILE", peer[0].toString(), "GRPC_TLS_KEY_FILE", peer[1].toString(),
                "GRPC_TLS_CA_FILE", ca.toString());
    }

    private static Map<String, String> with(Map<String, String> base, String... keyValues) {
        var env = new java.util.HashMap<>(base);
        for (int i = 0; i < keyValues.length; i += 2) {
            env.put(keyValues[i], keyValues[i + 1]);
        }
        return env;
    }

    private static ChannelCredentials keda(Path ca, Path[] identity) throws Exception {
        var builder = TlsChannelCredentials.newBuilder().trustManager(ca.toFile());
        if (identity != null) {
            builder.keyManager(identity[0].toFile(), identity[1].toFile());
        }
        return builder.build();
    }

    @Test
    void agentsAndKedaTalkToTheScalerOverMutualTls() throws Exception {
        var pki = new TestPki("k8s-ebpf-ca");
        Path ca = pki.writeCa(dir);
        Path[] agentCert = pki.writePeer(dir, "agent", "k8s-ebpf-agent");
        Path[] scalerCert = pki.writePeer(dir, "scaler", "k8s-ebpf-scaler.k8s-ebpf.svc");
        Path[] kedaCert = pki.writePeer(dir, "keda", "keda-operator");
        var stranger = new TestPki("someone-else");
        Path strangerDir = java.nio.file.Files.createDirectory(dir.resolve("stranger"));
        Path[] strangerCert = stranger.writePeer(strangerDir, "keda", "keda-operator");

        int streamPort = AgentProcess.freePort();
        int scalerPort = AgentProcess.freePort();
        try (AgentProcess agent = AgentProcess.start(dir, with(tls(agentCert, ca), "MODE", "local", "ENABLE_L4", "false",
                "ATTEMPT_STREAM_ADDR", "127.0.0.1:" + streamPort))) {
            agent.awaitReady(Duration.ofSeconds(60));
            assertThat(agent.stderr()).contains("attempt stream on /127.0.0.1:" + streamPort
                    + " (TLS, client certificates required (GRPC_TLS_CA_FILE)");
            client.pods().inNamespace("k8s-ebpf").resource(AgentPod.of("agent-x", "uid-x", streamPort)).create();
            try (AgentProcess scaler = AgentProcess.start(dir, with(tls(scalerCert, ca), "MODE", "scaler",
                    "SCALER_ADDR", "127.0.0.1:" + scalerPort, "AGENT_NAMESPACE", "k8s-ebpf",
                    "KUBECONFIG", Kubeconfig.write(dir, client.getConfiguration().getMasterUrl()).toString()))) {
                scaler.awaitReady(Duration.ofSeconds(60));
                Await.until("the scaler streaming from the agent over TLS", Duration.ofSeconds(20),
                        () -> scaler.get("/metrics").body().contains("internal_scaler_agents_streaming 1.0"));

                var ref = KedaClient.ref("shop", Map.of("service", "checkout", "caCert", ca.toString()));
                try (var trusted = new KedaClient(scalerPort, keda(ca, kedaCert))) {
                    assertThat(trusted.isActive(ref)).isFalse();
                }
                for (ChannelCredentials refused : new ChannelCredentials[] {keda(ca, null), keda(ca, strangerCert),
                        InsecureChannelCredentials.create()}) {
                    try (var client = new KedaClient(scalerPort, refused)) {
                        assertThatThrownBy(() -> client.isActive(ref)).isInstanceOfSatisfying(StatusRuntimeException.class,
                                e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE));
                    }
                }
            }
        }
    }

    @Test
    void aKeyOfAnotherCertificateIsOneLineAndExit2() throws Exception {
        var pki = new TestPki("k8s-ebpf-ca");
        Path[] one = pki.writePeer(dir, "one", "k8s-ebpf-agent");
        Path[] other = pki.writePeer(dir, "other", "k8s-ebpf-agent");
        var finished = AgentProcess.run(dir, Map.of("MODE", "scaler", "GRPC_TLS_CERT_FILE", one[0].toString(),
                "GRPC_TLS_KEY_FILE", other[1].toString()));
        assertThat(finished.status()).isEqualTo(2);
        assertThat(finished.stderrLines()).containsExactly("GRPC_TLS_KEY_FILE " + other[1] + " is not the key of the certificate in "
                + "GRPC_TLS_CERT_FILE " + one[0]);
    }
}
