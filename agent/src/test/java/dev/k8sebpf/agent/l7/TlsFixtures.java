package dev.k8sebpf.agent.l7;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.Objects;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * The TLS tests' server certificate: a self-signed EC key pair committed as {@code l7/tls-test-server.p12}
 * (made once with keytool, valid for a century; a test key that guards nothing). Generating one per run
 * meant a keytool JVM in every guest, and one crashed in C1 code under TCG emulation. PKCS#12 serves JDK
 * servers; PEM copies serve Python's. The clients do not verify it: the tests count handshakes, not trust.
 */
final class TlsFixtures {
    private static final char[] PASSWORD = "l7test".toCharArray();

    final Path certPem;
    final Path keyPem;
    private final KeyStore keyStore;

    private TlsFixtures(Path certPem, Path keyPem, KeyStore keyStore) {
        this.certPem = certPem;
        this.keyPem = keyPem;
        this.keyStore = keyStore;
    }

    static TlsFixtures create(Path dir) throws IOException, GeneralSecurityException {
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = TlsFixtures.class.getResourceAsStream("/l7/tls-test-server.p12")) {
            store.load(Objects.requireNonNull(in, "l7/tls-test-server.p12 is missing from the test resources"), PASSWORD);
        }
        Path cert = Files.writeString(dir.resolve("cert.pem"), pem("CERTIFICATE", store.getCertificate("server").getEncoded()));
        Path key = Files.writeString(dir.resolve("key.pem"), pem("PRIVATE KEY", store.getKey("server", PASSWORD).getEncoded()));
        return new TlsFixtures(cert, key, store);
    }

    SSLContext serverContext() throws GeneralSecurityException {
        KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keys.init(keyStore, PASSWORD);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(keys.getKeyManagers(), null, null);
        return context;
    }

    static SSLContext trustingClientContext() throws GeneralSecurityException {
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, new TrustManager[] {new X509TrustManager() {
            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType) {
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType) {
            }

            @Override
            public X509Certificate[] getAcceptedIssuers() {
                return new X509Certificate[0];
            }
        }}, null);
        return context;
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }
}
