package dev.k8sebpf.agent.grpc;

import dev.k8sebpf.agent.config.GrpcTlsConfig;
import dev.k8sebpf.agent.http.TlsFiles;
import io.grpc.ChannelCredentials;
import io.grpc.InsecureChannelCredentials;
import io.grpc.InsecureServerCredentials;
import io.grpc.ServerCredentials;
import io.grpc.TlsChannelCredentials;
import io.grpc.TlsServerCredentials;
import java.util.Optional;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * The process's gRPC credentials from GRPC_TLS_*: plaintext when no certificate is set; else TLS with the
 * certificate (re-read when the files change), and with a CA: client certificates required and verified
 * by the servers, the agents' certificates verified by the scaler's clients (without a CA the clients
 * use the JDK's trusted roots). Files are read at start: a bad one is a start-up error.
 */
public final class GrpcTls {
    private final Optional<X509ExtendedKeyManager> keys;
    private final Optional<X509ExtendedTrustManager> trust;

    private GrpcTls(Optional<X509ExtendedKeyManager> keys, Optional<X509ExtendedTrustManager> trust) {
        this.keys = keys;
        this.trust = trust;
    }

    public static GrpcTls load(GrpcTlsConfig config) throws TlsFiles.Invalid {
        if (!config.enabled()) {
            return new GrpcTls(Optional.empty(), Optional.empty());
        }
        X509ExtendedKeyManager keys = TlsFiles.keyManager("GRPC_TLS_CERT_FILE", config.certFile().orElseThrow(),
                "GRPC_TLS_KEY_FILE", config.keyFile().orElseThrow());
        Optional<X509ExtendedTrustManager> trust = config.caFile().isPresent()
                ? Optional.of(TlsFiles.trustManager("GRPC_TLS_CA_FILE", config.caFile().get())) : Optional.empty();
        return new GrpcTls(Optional.of(keys), trust);
    }

    public ServerCredentials server() {
        if (keys.isEmpty()) {
            return InsecureServerCredentials.create();
        }
        var builder = TlsServerCredentials.newBuilder().keyManager(keys.get());
        trust.ifPresent(ca -> builder.trustManager(ca).clientAuth(TlsServerCredentials.ClientAuth.REQUIRE));
        return builder.build();
    }

    public ChannelCredentials client() {
        if (keys.isEmpty()) {
            return InsecureChannelCredentials.create();
        }
        var builder = TlsChannelCredentials.newBuilder().keyManager(keys.get());
        trust.ifPresent(builder::trustManager);
        return builder.build();
    }

    public boolean enabled() {
        return keys.isPresent();
    }

    /** For the start line: plaintext, TLS, or mutual TLS. */
    public String describe() {
        return keys.isEmpty() ? "plaintext" : trust.isPresent() ? "TLS, client certificates required (GRPC_TLS_CA_FILE)" : "TLS";
    }
}
