package dev.k8sebpf.agent.http;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * PEM certificate, key and CA files named by environment variables (GRPC_TLS_*), read and checked as
 * WEB_CONFIG_FILE's are (every key form Go reads, the key must be the certificate's) and re-read when
 * they change (certificate and key), so a renewed Secret is used without a restart.
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

    /**
     * Trusts certificates that chain to the CAs in {@code ca}, for servers and clients alike. Read once:
     * a CA changes far more rarely than the certificates it signs, and a new one needs a restart.
     */
    public static X509ExtendedTrustManager trustManager(String caVariable, Path ca) throws Invalid {
        try {
            return ServerTls.trustManager(new Pem.Source(caVariable, Optional.of(ca), ""));
        } catch (WebConfig.Invalid e) {
            throw new Invalid(e.getMessage());
        }
    }
}
