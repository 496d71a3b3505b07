package dev.k8sebpf.agent.config;

import java.nio.file.Path;
import java.util.Optional;

/**
 * GRPC_TLS_CERT_FILE, GRPC_TLS_KEY_FILE, GRPC_TLS_CA_FILE: the PEM files of every gRPC server and client
 * of this process. Cert and key: serve TLS (and present them as the client certificate to the agents);
 * CA: require client certificates signed by it, and verify the agents' certificates against it.
 */
public record GrpcTlsConfig(Optional<Path> certFile, Optional<Path> keyFile, Optional<Path> caFile) {
    public static final GrpcTlsConfig PLAINTEXT = new GrpcTlsConfig(Optional.empty(), Optional.empty(), Optional.empty());

    public boolean enabled() {
        return certFile.isPresent();
    }
}
