package dev.k8sebpf.agent.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.k8sebpf.agent.http.TestPki.Issued;
import dev.k8sebpf.agent.http.TestPki.KeyFormat;
import dev.k8sebpf.agent.http.TestPki.KeyType;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Every refused file gives one line naming the file and the key at fault. */
class WebConfigTest {
    private static final String TLS = "tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n";

    @TempDir
    Path dir;
    private final TestPki pki = new TestPki("ca");

    @BeforeEach
    void certificates() throws Exception {
        Issued server = pki.server(KeyType.EC);
        Files.writeString(dir.resolve("server.crt"), TestPki.pem(server.certificate()));
        Files.writeString(dir.resolve("server.key"), TestPki.keyPem(server.keys().getPrivate(), KeyFormat.PKCS8));
    }

    private WebConfig load(String text) throws Exception {
        return WebConfig.load(write(text));
    }

    private Path write(String text) throws Exception {
        return Files.writeString(dir.resolve("web.yml"), text);
    }

    private void assertRefused(String text, String problem) throws Exception {
        Path file = write(text);
        assertThatThrownBy(() -> WebConfig.load(file)).isInstanceOf(WebConfigException.class)
                .hasMessage("WEB_CONFIG_FILE " + file + ": " + problem.replace("$DIR", dir.toString()));
    }

    @Test
    void anEmptyFileOrOnlyTlsVersionsMeanPlainHttp() throws Exception {
        assertThat(load("").describe()).isEqualTo("plain HTTP");
        assertThat(load("tls_server_config:\n  min_version: TLS13\n").tls()).isEmpty();
    }

    @Test
    void describesWhatIsOn() throws Exception {
        WebConfig web = load(TLS + "  client_auth_type: RequireAndVerifyClientCert\n  client_ca_file: server.crt\n"
                + "basic_auth_users:\n  prometheus: " + MetricsServerTlsTest.SCRAPE_ME + "\n"
                + "http_server_config:\n  http2: false\n  headers:\n    X-Frame-Options: deny\n");
        assertThat(web.describe()).isEqualTo("HTTPS (TLSv1.2 to TLSv1.3, client certificates RequireAndVerifyClientCert,"
                + " certificate files re-read when they change), basic auth (1 user), headers X-Frame-Options");
        assertThat(web.authenticates()).isTrue();
        assertThat(load(TLS).authenticates()).isFalse();
    }

    @Test
    void inlinePem() throws Exception {
        String cert = Files.readString(dir.resolve("server.crt")).indent(4);
        String key = Files.readString(dir.resolve("server.key")).indent(4);
        assertThat(load("tls_server_config:\n  cert: |\n" + cert + "  key: |\n" + key).tls()).isPresent();
    }

    @Test
    void theDeployExampleLoadsOnceItsPlaceholderIsReplaced() throws Exception {
        Secret secret;
        try (var in = Files.newInputStream(Path.of("..", "deploy", "web-config", "secret.yaml"))) {
            secret = new KubernetesSerialization().unmarshal(in, Secret.class);
        }
        String example = secret.getStringData().get("web.yml");
        Files.createDirectories(dir.resolve("tls"));
        Files.copy(dir.resolve("server.crt"), dir.resolve("tls/tls.crt"));
        Files.copy(dir.resolve("server.key"), dir.resolve("tls/tls.key"));
        String local = example.replace("/etc/k8s-ebpf-agent/", dir + "/");
        assertRefused(local, "basic_auth_users.prometheus: not a bcrypt hash (expected $2a$, $2b$ or $2y$, a cost from 04 to 31,"
                + " $ and 53 characters, e.g. from htpasswd -nBC 10 \"\" | tr -d ':\\n')");
        WebConfig web = load(local.replace("REPLACE_ME", MetricsServerTlsTest.SCRAPE_ME));
        assertThat(web.tls()).isPresent();
        assertThat(web.authenticates()).isTrue();
        assertThat(web.headers()).containsEntry("X-Content-Type-Options", "nosniff");
    }

    @Test
    void missingFile() {
        Path absent = dir.resolve("absent.yml");
        assertThatThrownBy(() -> WebConfig.load(absent))
                .hasMessage("WEB_CONFIG_FILE " + absent + ": cannot read it (NoSuchFileException: " + absent + ")");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "tls_server_config: [a, b] | tls_server_config: expected a mapping with the keys cert, cert_file, cipher_suites, client_allowed_sans, client_auth_type, client_ca, client_ca_file, curve_preferences, key, key_file, max_version, min_version, prefer_server_cipher_suites",
        "- just a list | the file: expected a mapping with the keys basic_auth_users, http_server_config, tls_server_config",
        "rate_limit: {interval: 1s} | unknown key rate_limit (known here: basic_auth_users, http_server_config, tls_server_config)",
        "tls_server_config: {cert_file: server.crt, key_file: server.key, cert_fiel: x} | unknown key tls_server_config.cert_fiel (known here: cert, cert_file, cipher_suites, client_allowed_sans, client_auth_type, client_ca, client_ca_file, curve_preferences, key, key_file, max_version, min_version, prefer_server_cipher_suites)",
        "http_server_config: {http2: maybe} | http_server_config.http2: expected true or false, not \"maybe\"",
        "http_server_config: {headers: {Server: agent}} | http_server_config.headers: header Server cannot be set (allowed: Content-Security-Policy, Strict-Transport-Security, X-Content-Type-Options, X-Frame-Options, X-XSS-Protection)",
        "http_server_config: {headers: {X-Frame-Options: allow}} | http_server_config.headers.X-Frame-Options: \"allow\" is not one of deny, sameorigin",
        "basic_auth_users: {alice: [a]} | basic_auth_users: expected a mapping of strings to strings",
        "tls_server_config: {key_file: server.key} | tls_server_config: missing one of cert or cert_file",
        "tls_server_config: {cert_file: server.crt} | tls_server_config: missing one of key or key_file",
        "tls_server_config: {cert_file: server.crt, cert: x, key_file: server.key} | tls_server_config: set cert or cert_file, not both",
        "tls_server_config: {cert_file: server.crt, key_file: server.key, client_auth_type: Always} | tls_server_config.client_auth_type: \"Always\" is not one of NoClientCert, RequestClientCert, RequireAnyClientCert, VerifyClientCertIfGiven, RequireAndVerifyClientCert",
        "tls_server_config: {cert_file: server.crt, key_file: server.key, client_ca_file: server.crt} | tls_server_config: client_ca_file is set but client_auth_type is NoClientCert (set client_auth_type: RequireAndVerifyClientCert)",
        "tls_server_config: {cert_file: server.crt, key_file: server.key, client_auth_type: RequireAndVerifyClientCert} | tls_server_config: client_auth_type RequireAndVerifyClientCert verifies client certificates against client_ca_file (or client_ca), which is not set",
        "tls_server_config: {cert_file: server.crt, key_file: server.key, client_auth_type: VerifyClientCertIfGiven, client_ca_file: server.crt, client_allowed_sans: [a]} | tls_server_config: client_allowed_sans requires client_auth_type to be one of RequireAnyClientCert or RequireAndVerifyClientCert",
        "tls_server_config: {cert_file: server.crt, key_file: server.key, min_version: TLS1.2} | tls_server_config.min_version: \"TLS1.2\" is not one of TLS10, TLS11, TLS12, TLS13",
        "tls_server_config: {cert_file: server.crt, key_file: server.key, min_version: TLS13, max_version: TLS12} | tls_server_config: min_version TLS13 is above max_version TLS12",
        "tls_server_config: {cert_file: server.crt, key_file: server.key, cipher_suites: [TLS_RSA_WITH_RC4_128_SHA]} | tls_server_config.cipher_suites: unknown or insecure cipher suite \"TLS_RSA_WITH_RC4_128_SHA\" (Go's tls.CipherSuites() names, e.g. TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256)",
        "tls_server_config: {cert_file: server.crt, key_file: server.key, curve_preferences: [P256]} | tls_server_config.curve_preferences: unknown curve \"P256\" (known: CurveP256, CurveP384, CurveP521, X25519)",
        "tls_server_config: {cert_file: absent.crt, key_file: server.key} | tls_server_config.cert_file $DIR/absent.crt: cannot read it (NoSuchFileException: $DIR/absent.crt)",
        "tls_server_config: {cert_file: server.key, key_file: server.key} | tls_server_config.cert_file $DIR/server.key: no PEM CERTIFICATE block in it",
        "tls_server_config: {cert_file: server.crt, key_file: server.crt} | tls_server_config.key_file $DIR/server.crt: no private key in it (expected a PEM PRIVATE KEY, RSA PRIVATE KEY or EC PRIVATE KEY block)",
        "tls_server_config: {cert_file: server.crt, key_file: server.key, client_auth_type: RequireAndVerifyClientCert, client_ca_file: server.key} | tls_server_config.client_ca_file $DIR/server.key: no PEM CERTIFICATE block in it",
    })
    void refused(String text, String problem) throws Exception {
        assertRefused(text, problem);
    }

    @Test
    void notABcryptHash() throws Exception {
        assertRefused("basic_auth_users: {alice: secret}", "basic_auth_users.alice: not a bcrypt hash (expected $2a$, $2b$ or $2y$,"
                + " a cost from 04 to 31, $ and 53 characters, e.g. from htpasswd -nBC 10 \"\" | tr -d ':\\n')");
    }

    @Test
    void badYamlSaysWhere() throws Exception {
        assertRefused("tls_server_config:\n  cert_file: [unclosed\n", "not valid YAML: expected ',' or ']', but got <stream end> at line 3, column 1");
        assertRefused("basic_auth_users:\n  a: x\n  a: y\n", "not valid YAML: found duplicate key a at line 3, column 3");
    }

    @Test
    void keyOfAnotherCertificate() throws Exception {
        Issued other = pki.server(KeyType.EC);
        Files.writeString(dir.resolve("other.key"), TestPki.keyPem(other.keys().getPrivate(), KeyFormat.PKCS8));
        assertRefused("tls_server_config: {cert_file: server.crt, key_file: other.key}",
                "tls_server_config.key_file $DIR/other.key is not the key of the certificate in tls_server_config.cert_file $DIR/server.crt");
        Issued rsa = pki.server(KeyType.RSA);
        Files.writeString(dir.resolve("rsa.key"), TestPki.keyPem(rsa.keys().getPrivate(), KeyFormat.TRADITIONAL));
        assertRefused("tls_server_config: {cert_file: server.crt, key_file: rsa.key}",
                "tls_server_config.key_file $DIR/rsa.key is not the key of the certificate in tls_server_config.cert_file $DIR/server.crt");
    }

    @Test
    void encryptedKey() throws Exception {
        Files.writeString(dir.resolve("encrypted.key"), "-----BEGIN ENCRYPTED PRIVATE KEY-----\n"
                + "MIGjMF8GCSqGSIb3DQEFDTBSMDEGCSqGSIb3DQEFDDAkBBBrpNPZxWw0FCHxL4yI\n"
                + "0hKHAgIIADAMBggqhkiG9w0CCQUAMB0GCWCGSAFlAwQBKgQQ3nZbGpOTuyvYkY0s\n"
                + "Ot7NjgRA0H7FUgNd2wV4MeGAfgrrjCvYB2oe4pyZ0Bz2n3YH+w0VsrkBwMN2Vamj\n"
                + "0tYfgSezjdQrjSmZaOlLtUxdT+1f7g==\n-----END ENCRYPTED PRIVATE KEY-----\n");
        assertRefused("tls_server_config: {cert_file: server.crt, key_file: encrypted.key}",
                "tls_server_config.key_file $DIR/encrypted.key: the key is encrypted, which Go's exporters do not read either;"
                        + " decrypt it (openssl pkey -in key.pem -out plain.pem)");
    }
}
