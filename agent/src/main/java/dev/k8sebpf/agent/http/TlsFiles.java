package dev.k8sebpf.agent.http;

import java.net.Socket;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * PEM certificate, key and CA files named by environment variables (GRPC_TLS_*), read and checked as
 * WEB_CONFIG_FILE's are (every key form Go reads, the key must be the certificate's) and re-read when
 * they change, so a renewed Secret is used without a restart.
 */
public final class TlsFiles {
    private TlsFiles() {
    }

    /** A file's problem; the message is the one line to show, naming the variable. */
    public static final class Invalid extends Exception {
        Invalid(String message) {
            super(message.replace('\n', ' ').replace('\r', ' '));
        }
    }

    public static X509ExtendedKeyManager keyManager(String certVariable, Path cert, String keyVariable, Path key)
            throws Invalid {
        var certSource = new Pem.Source(certVariable, Optional.of(cert), "");
        var keySource = new Pem.Source(keyVariable, Optional.of(key), "");
        try {
            return new ServerTls.ReloadingKeyManager(Reloading.load(certVariable + " and " + keyVariable,
                    List.of(cert, key), () -> ServerTls.keyMaterial(certSource, keySource)));
        } catch (WebConfig.Invalid e) {
            throw new Invalid(e.getMessage());
        }
    }

    /** Trusts certificates that chain to the CAs in {@code ca}, for servers and clients alike. */
    public static X509ExtendedTrustManager trustManager(String caVariable, Path ca) throws Invalid {
        var source = new Pem.Source(caVariable, Optional.of(ca), "");
        try {
            return new ReloadingTrust(Reloading.load(caVariable, List.of(ca), () -> ServerTls.trustManager(source)));
        } catch (WebConfig.Invalid e) {
            throw new Invalid(e.getMessage());
        }
    }

    /** The current CA's PKIX checks, both ways. */
    private static final class ReloadingTrust extends X509ExtendedTrustManager {
        private final Reloading<X509ExtendedTrustManager> trust;

        ReloadingTrust(Reloading<X509ExtendedTrustManager> trust) {
            this.trust = trust;
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
            trust.current().checkClientTrusted(chain, authType, socket);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
            trust.current().checkServerTrusted(chain, authType, socket);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
            trust.current().checkClientTrusted(chain, authType, engine);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
            trust.current().checkServerTrusted(chain, authType, engine);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            trust.current().checkClientTrusted(chain, authType);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            trust.current().checkServerTrusted(chain, authType);
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return trust.current().getAcceptedIssuers();
        }
    }
}
