package dev.k8sebpf.agent.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.k8sebpf.agent.http.TestPki.Issued;
import dev.k8sebpf.agent.http.TestPki.KeyFormat;
import dev.k8sebpf.agent.http.TestPki.KeyType;
import dev.k8sebpf.agent.metrics.AgentMetrics;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Real TLS handshakes and basic auth over loopback, with certificates made by the test. */
class MetricsServerTlsTest {
    /** htpasswd -nbBC 4 "" 'scrape-me' (Apache's $2y$). */
    static final String SCRAPE_ME = "$2y$04$pvqcL.oWP94Ka8rOTe7ri.8B5rrVx2.FrLxYqvLou/8oey6Np1m56";

    @TempDir
    Path dir;
    private final TestPki pki = new TestPki("test-ca");
    private final AgentMetrics metrics = new AgentMetrics(10_000, java.time.Duration.ZERO, System::nanoTime);
    private final AtomicReference<Optional<String>> readiness = new AtomicReference<>(Optional.of("mappings not synced"));
    private MetricsServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    /** Writes the server's certificate and key, then the web config (its relative paths are resolved from dir). */
    private void start(Issued identity, KeyFormat format, String webConfig) throws Exception {
        TestPki.write(dir.resolve("server.crt"), TestPki.pem(identity.certificate()));
        TestPki.write(dir.resolve("server.key"), TestPki.keyPem(identity.keys().getPrivate(), format));
        Files.writeString(dir.resolve("ca.crt"), TestPki.pem(pki.ca.certificate()));
        Path config = Files.writeString(dir.resolve("web.yml"), webConfig);
        metrics.serviceAdded("shop", "web");
        server = MetricsServer.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), WebConfig.load(config),
                metrics::scrape, Optional::empty, readiness::get);
    }

    private static final String TLS = "tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n";

    private HttpResponse<String> get(SSLContext context, String path, String... headers) throws Exception {
        return get(context, new SSLParameters(), path, headers);
    }

    private HttpResponse<String> get(SSLContext context, SSLParameters parameters, String path, String... headers) throws Exception {
        // A new client each time: no TLS session is resumed, every request makes a full handshake.
        try (HttpClient client = HttpClient.newBuilder().sslContext(context).sslParameters(parameters).build()) {
            var request = HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + server.address().getPort() + path));
            if (headers.length > 0) {
                request.headers(headers);
            }
            return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
        }
    }

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    @ParameterizedTest
    @CsvSource({"RSA,PKCS8", "RSA,TRADITIONAL", "EC,PKCS8", "EC,TRADITIONAL", "EC,EC_WITH_PARAMETERS", "ED25519,PKCS8"})
    void servesMetricsOverTlsWithEveryKeyFormatGoReads(KeyType type, KeyFormat format) throws Exception {
        Issued identity = pki.server(type);
        start(identity, format, TLS);
        HttpResponse<String> response = get(pki.clientContext(null), "/metrics");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).contains("internal_tcp_service_attempts_total{destination_namespace=\"shop\",destination_service=\"web\"} 0.0");
        assertThat(response.sslSession().orElseThrow().getPeerCertificates()[0]).isEqualTo(identity.certificate());
    }

    @Test
    void plainHttpToTheTlsPortFails() throws Exception {
        start(pki.server(KeyType.EC), KeyFormat.PKCS8, TLS);
        try (HttpClient plain = HttpClient.newHttpClient()) {
            var request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.address().getPort() + "/metrics")).build();
            assertThatThrownBy(() -> plain.send(request, HttpResponse.BodyHandlers.ofString())).isInstanceOf(IOException.class);
        }
    }

    @Test
    void renewedCertificateFilesAreServedWithoutARestart() throws Exception {
        start(pki.server(KeyType.EC), KeyFormat.PKCS8, TLS);
        Issued renewed = pki.server(KeyType.RSA);
        TestPki.write(dir.resolve("server.crt"), TestPki.pem(renewed.certificate()));
        TestPki.write(dir.resolve("server.key"), TestPki.keyPem(renewed.keys().getPrivate(), KeyFormat.TRADITIONAL));
        HttpResponse<String> response = get(pki.clientContext(null), "/metrics");
        assertThat(response.sslSession().orElseThrow().getPeerCertificates()[0]).isEqualTo(renewed.certificate());
    }

    @Test
    void aCertificateRenewedWithoutItsKeyKeepsThePreviousPair() throws Exception {
        Issued first = pki.server(KeyType.EC);
        start(first, KeyFormat.PKCS8, TLS);
        TestPki.write(dir.resolve("server.crt"), TestPki.pem(pki.server(KeyType.EC).certificate()));
        HttpResponse<String> response = get(pki.clientContext(null), "/metrics");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.sslSession().orElseThrow().getPeerCertificates()[0]).isEqualTo(first.certificate());
    }

    @Test
    void requireAndVerifyClientCert() throws Exception {
        start(pki.server(KeyType.EC), KeyFormat.PKCS8, TLS + "  client_auth_type: RequireAndVerifyClientCert\n  client_ca_file: ca.crt\n");
        Issued scraper = pki.client("prometheus.monitoring");
        assertThat(get(pki.clientContext(scraper), "/metrics").statusCode()).isEqualTo(200);

        HttpResponse<String> anonymous = get(pki.clientContext(null), "/metrics");
        assertThat(anonymous.statusCode()).isEqualTo(403);
        assertThat(anonymous.body()).isEqualTo("client certificate required\n");

        // kubelet's probes carry no certificate: they still get an answer, without the reason.
        HttpResponse<String> probe = get(pki.clientContext(null), "/readyz");
        assertThat(probe.statusCode()).isEqualTo(503);
        assertThat(probe.body()).isEqualTo("not ok\n");
        assertThat(get(pki.clientContext(scraper), "/readyz").body()).isEqualTo("not ok: mappings not synced\n");
        readiness.set(Optional.empty());
        assertThat(get(pki.clientContext(null), "/readyz").statusCode()).isEqualTo(200);

        Issued stranger = new TestPki("other-ca").client("prometheus.monitoring");
        assertThatThrownBy(() -> get(pki.clientContext(stranger), "/healthz")).isInstanceOf(IOException.class);
    }

    @Test
    void clientAllowedSans() throws Exception {
        start(pki.server(KeyType.EC), KeyFormat.PKCS8, TLS + "  client_auth_type: RequireAndVerifyClientCert\n  client_ca_file: ca.crt\n"
                + "  client_allowed_sans: [prometheus.monitoring]\n");
        assertThat(get(pki.clientContext(pki.client("prometheus.monitoring")), "/metrics").statusCode()).isEqualTo(200);
        assertThatThrownBy(() -> get(pki.clientContext(pki.client("intruder.default")), "/metrics")).isInstanceOf(IOException.class);
    }

    @Test
    void minVersionRefusesOlderClients() throws Exception {
        start(pki.server(KeyType.EC), KeyFormat.PKCS8, TLS + "  min_version: TLS13\n");
        var tls12 = new SSLParameters();
        tls12.setProtocols(new String[] {"TLSv1.2"});
        assertThatThrownBy(() -> get(pki.clientContext(null), tls12, "/metrics")).isInstanceOf(IOException.class);
        var tls13 = new SSLParameters();
        tls13.setProtocols(new String[] {"TLSv1.3"});
        assertThat(get(pki.clientContext(null), tls13, "/metrics").statusCode()).isEqualTo(200);
    }

    @Test
    void cipherSuitesLimitTls12() throws Exception {
        start(pki.server(KeyType.EC), KeyFormat.PKCS8, TLS + "  max_version: TLS12\n  cipher_suites: [TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384]\n");
        var other = new SSLParameters();
        other.setCipherSuites(new String[] {"TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"});
        assertThatThrownBy(() -> get(pki.clientContext(null), other, "/metrics")).isInstanceOf(IOException.class);
        HttpResponse<String> response = get(pki.clientContext(null), "/metrics");
        assertThat(response.sslSession().orElseThrow().getCipherSuite()).isEqualTo("TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384");
    }

    @Test
    void basicAuthOverTls() throws Exception {
        start(pki.server(KeyType.EC), KeyFormat.PKCS8, TLS + "basic_auth_users:\n  prometheus: " + SCRAPE_ME + "\n"
                + "http_server_config:\n  headers:\n    X-Content-Type-Options: nosniff\n");
        SSLContext context = pki.clientContext(null);
        HttpResponse<String> right = get(context, "/metrics", "Authorization", basic("prometheus", "scrape-me"));
        assertThat(right.statusCode()).isEqualTo(200);
        assertThat(right.headers().firstValue("X-Content-Type-Options")).contains("nosniff");

        for (String[] wrong : new String[][] {{"Authorization", basic("prometheus", "scrape-you")},
                {"Authorization", basic("grafana", "scrape-me")}, {"Authorization", "Bearer scrape-me"}, {}}) {
            HttpResponse<String> refused = get(context, "/metrics", wrong);
            assertThat(refused.statusCode()).as("%s", (Object) wrong).isEqualTo(401);
            assertThat(refused.headers().firstValue("WWW-Authenticate")).contains("Basic");
            assertThat(refused.headers().firstValue("X-Content-Type-Options")).contains("nosniff");
            assertThat(refused.body()).doesNotContain("internal_");
        }
        HttpResponse<String> probe = get(context, "/healthz");
        assertThat(probe.statusCode()).isEqualTo(200);
        assertThat(probe.body()).isEqualTo("ok\n");
        assertThat(get(context, "/readyz").body()).isEqualTo("not ok\n");
        assertThat(get(context, "/readyz", "Authorization", basic("prometheus", "scrape-me")).body()).isEqualTo("not ok: mappings not synced\n");
        assertThat(get(context, "/nothing-here").statusCode()).isEqualTo(401);
    }

    @Test
    void theServedChainIsTheWholeCertFile() throws Exception {
        Issued identity = pki.server(KeyType.EC);
        TestPki.write(dir.resolve("server.crt"), TestPki.pem(identity.certificate()) + TestPki.pem(pki.ca.certificate()));
        TestPki.write(dir.resolve("server.key"), TestPki.keyPem(identity.keys().getPrivate(), KeyFormat.PKCS8));
        Path config = Files.writeString(dir.resolve("web.yml"), TLS);
        server = MetricsServer.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), WebConfig.load(config),
                metrics::scrape, Optional::empty, Optional::empty);
        X509Certificate[] chain = (X509Certificate[]) get(pki.clientContext(null), "/healthz").sslSession().orElseThrow().getPeerCertificates();
        assertThat(chain).containsExactly(identity.certificate(), pki.ca.certificate());
    }
}
