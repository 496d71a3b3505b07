package dev.k8sebpf.agent.l7;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * A throwaway server certificate for the TLS tests, made with the running JDK's keytool (present in
 * every JDK and JRE the tests run on, unlike the openssl binary), in PKCS#12 for JDK servers and PEM for
 * Python's. The clients do not verify it: the tests count handshakes, not trust.
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

    static TlsFixtures create(Path dir) throws IOException, InterruptedException, GeneralSecurityException {
        Path keytool = Path.of(ProcessHandle.current().info().command().orElseThrow()).resolveSibling("keytool");
        Path p12 = dir.resolve("server.p12");
        Process process = new ProcessBuilder(List.of(keytool.toString(), "-genkeypair", "-keyalg", "EC", "-groupname", "secp256r1",
                "-alias", "server", "-dname", "CN=l7test", "-validity", "2", "-storetype", "PKCS12", "-keystore", p12.toString(),
                "-storepass", new String(PASSWORD), "-keypass", new String(PASSWORD)))
                .redirectErrorStream(true).start();
        String out;
        try (InputStream in = process.getInputStream()) {
            out = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new IOException("keytool failed: " + out);
        }
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(p12)) {
            store.load(in, PASSWORD);
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
