package dev.k8sebpf.agent.http;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsParameters;
import dev.k8sebpf.agent.http.WebConfig.Invalid;
import dev.k8sebpf.agent.http.WebConfig.Section;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * tls_server_config mapped onto JSSE. Certificate and key files are checked for changes on each handshake
 * and re-read when they change (the exporter-toolkit re-reads them on each handshake), so a renewed
 * Secret takes effect without a restart; inline PEM ({@code cert}, {@code key}, {@code client_ca}) is
 * read once. Client certificates that are required are demanded per request on every path except the
 * probes (see {@link WebConfig#access}), so kubelet, which has no client certificate, can still probe.
 */
final class ServerTls {
    static final Set<String> KEYS = Set.of("cert", "key", "client_ca", "cert_file", "key_file", "client_auth_type",
            "client_ca_file", "client_allowed_sans", "min_version", "max_version", "cipher_suites",
            "prefer_server_cipher_suites", "curve_preferences");

    /** Go's tls.ClientAuthType names; {@code verify}: the chain must lead to client_ca. */
    private enum ClientAuth {
        NoClientCert(false, false), RequestClientCert(false, false), RequireAnyClientCert(true, false),
        VerifyClientCertIfGiven(false, true), RequireAndVerifyClientCert(true, true);

        final boolean require;
        final boolean verify;

        ClientAuth(boolean require, boolean verify) {
            this.require = require;
            this.verify = verify;
        }

        static ClientAuth of(String name) throws Invalid {
            if (name.equals("RequireClientCert")) {
                return RequireAnyClientCert; // the toolkit's old name, still accepted there
            }
            for (ClientAuth auth : values()) {
                if (auth.name().equals(name)) {
                    return auth;
                }
            }
            throw new Invalid("tls_server_config.client_auth_type: \"" + name + "\" is not one of "
                    + String.join(", ", Arrays.stream(values()).map(Enum::name).toList()));
        }
    }

    private static final Map<String, String> VERSIONS = new LinkedHashMap<>();
    private static final Map<String, String> CURVES = Map.of(
            "CurveP256", "secp256r1", "CurveP384", "secp384r1", "CurveP521", "secp521r1", "X25519", "x25519");
    /** Go's tls.CipherSuites() for TLS 1.0–1.2 (Go does not let TLS 1.3 suites be chosen, nor do we). */
    private static final Set<String> GO_CIPHER_SUITES = Set.of(
            "TLS_RSA_WITH_AES_128_CBC_SHA", "TLS_RSA_WITH_AES_256_CBC_SHA",
            "TLS_RSA_WITH_AES_128_GCM_SHA256", "TLS_RSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA", "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA",
            "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA",
            "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256");
    private static final Set<String> GO_TLS13_SUITES = Set.of(
            "TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256");
    private static final AtomicLong ALIASES = new AtomicLong();

    static {
        VERSIONS.put("TLS10", "TLSv1");
        VERSIONS.put("TLS11", "TLSv1.1");
        VERSIONS.put("TLS12", "TLSv1.2");
        VERSIONS.put("TLS13", "TLSv1.3");
    }

    /** One certificate chain and its key, under an alias unique to this load. */
    record KeyMaterial(String alias, X509Certificate[] chain, PrivateKey key) {
    }

    private final SSLContext context;
    private final SSLParameters parameters;
    private final ClientAuth clientAuth;
    private final String description;

    private ServerTls(SSLContext context, SSLParameters parameters, ClientAuth clientAuth, String description) {
        this.context = context;
        this.parameters = parameters;
        this.clientAuth = clientAuth;
        this.description = description;
    }

    /** Empty when the section configures no certificate, key, client CA or client auth: plain HTTP, as in Go. */
    static Optional<ServerTls> from(Section section, Path configDirectory) throws Invalid {
        Optional<Pem.Source> cert = source(section, "cert", "cert_file", configDirectory);
        Optional<Pem.Source> key = source(section, "key", "key_file", configDirectory);
        Optional<Pem.Source> clientCa = source(section, "client_ca", "client_ca_file", configDirectory);
        Optional<String> clientAuthName = section.string("client_auth_type");
        if (cert.isEmpty() && key.isEmpty() && clientCa.isEmpty() && clientAuthName.isEmpty()) {
            return Optional.empty();
        }
        if (cert.isEmpty()) {
            throw new Invalid("tls_server_config: missing one of cert or cert_file");
        }
        if (key.isEmpty()) {
            throw new Invalid("tls_server_config: missing one of key or key_file");
        }
        ClientAuth clientAuth = clientAuthName.isPresent() ? ClientAuth.of(clientAuthName.get()) : ClientAuth.NoClientCert;
        if (clientCa.isPresent() && clientAuth == ClientAuth.NoClientCert) {
            throw new Invalid("tls_server_config: client_ca_file is set but client_auth_type is NoClientCert"
                    + " (set client_auth_type: RequireAndVerifyClientCert)");
        }
        if (clientAuth.verify && clientCa.isEmpty()) {
            throw new Invalid("tls_server_config: client_auth_type " + clientAuth + " verifies client certificates"
                    + " against client_ca_file (or client_ca), which is not set");
        }
        List<String> allowedSans = section.strings("client_allowed_sans");
        if (!allowedSans.isEmpty() && !clientAuth.require) {
            throw new Invalid("tls_server_config: client_allowed_sans requires client_auth_type to be one of"
                    + " RequireAnyClientCert or RequireAndVerifyClientCert");
        }
        List<String> protocols = protocols(section);
        Optional<Boolean> prefer = section.bool("prefer_server_cipher_suites");
        List<String> cipherSuites = section.strings("cipher_suites");
        List<String> curves = curves(section);

        Reloading<KeyMaterial> keys = Reloading.load("tls_server_config certificate and key",
                files(cert, key), () -> keyMaterial(cert.get(), key.get()));
        Optional<Reloading<X509ExtendedTrustManager>> trust = clientCa.isPresent()
                ? Optional.of(Reloading.load("tls_server_config client CA", files(clientCa), () -> trustManager(clientCa.get())))
                : Optional.empty();
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            TrustManager[] trustManagers = clientAuth == ClientAuth.NoClientCert ? null
                    : new TrustManager[] {new ClientTrust(trust, allowedSans)};
            context.init(new X509ExtendedKeyManager[] {new ReloadingKeyManager(keys)}, trustManagers, new SecureRandom());
            SSLParameters parameters = context.getDefaultSSLParameters();
            parameters.setProtocols(protocols.toArray(String[]::new));
            if (!cipherSuites.isEmpty()) {
                parameters.setCipherSuites(cipherSuites(cipherSuites, context));
            }
            parameters.setUseCipherSuitesOrder(prefer.orElse(true));
            if (!curves.isEmpty()) {
                parameters.setNamedGroups(curves.toArray(String[]::new));
            }
            // "Require" is enforced per request (WebConfig.access), so the handshake only asks for a certificate.
            parameters.setWantClientAuth(clientAuth != ClientAuth.NoClientCert);
            String description = "HTTPS (" + protocols.getFirst() + (protocols.size() > 1 ? " to " + protocols.getLast() : "")
                    + ", client certificates " + clientAuth + (cert.get().file().isPresent() ? ", certificate files re-read when they change" : "") + ")";
            return Optional.of(new ServerTls(context, parameters, clientAuth, description));
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new Invalid("tls_server_config: the JDK refuses it (" + e.getMessage() + ")");
        }
    }

    HttpsConfigurator configurator() {
        return new HttpsConfigurator(context) {
            @Override
            public void configure(HttpsParameters params) {
                params.setSSLParameters(parameters);
            }
        };
    }

    boolean requiresClientCertificate() {
        return clientAuth.require;
    }

    String describe() {
        return description;
    }

    private static Optional<Pem.Source> source(Section section, String inlineKey, String fileKey, Path directory) throws Invalid {
        Optional<String> inline = section.string(inlineKey);
        Optional<String> file = section.string(fileKey);
        if (inline.isPresent() && file.isPresent()) {
            throw new Invalid("tls_server_config: set " + inlineKey + " or " + fileKey + ", not both");
        }
        if (file.isPresent()) {
            // Relative to the web config file's directory, as the exporter-toolkit resolves them.
            return Optional.of(new Pem.Source("tls_server_config." + fileKey, Optional.of(directory.resolve(file.get())), ""));
        }
        return inline.map(text -> new Pem.Source("tls_server_config." + inlineKey, Optional.empty(), text));
    }

    @SafeVarargs
    private static List<Path> files(Optional<Pem.Source>... sources) {
        return Arrays.stream(sources).flatMap(Optional::stream).flatMap(source -> source.file().stream()).toList();
    }

    private static List<String> protocols(Section section) throws Invalid {
        List<String> names = List.copyOf(VERSIONS.keySet());
        int min = names.indexOf(version(section, "min_version", "TLS12"));
        int max = names.indexOf(version(section, "max_version", "TLS13"));
        if (min > max) {
            throw new Invalid("tls_server_config: min_version " + names.get(min) + " is above max_version " + names.get(max));
        }
        return names.subList(min, max + 1).stream().map(VERSIONS::get).toList();
    }

    private static String version(Section section, String key, String otherwise) throws Invalid {
        String version = section.string(key).orElse(otherwise);
        if (!VERSIONS.containsKey(version)) {
            throw new Invalid("tls_server_config." + key + ": \"" + version + "\" is not one of " + String.join(", ", VERSIONS.keySet()));
        }
        return version;
    }

    private static List<String> curves(Section section) throws Invalid {
        List<String> groups = new ArrayList<>();
        for (String curve : section.strings("curve_preferences")) {
            String group = CURVES.get(curve);
            if (group == null) {
                throw new Invalid("tls_server_config.curve_preferences: unknown curve \"" + curve + "\" (known: CurveP256, CurveP384, CurveP521, X25519)");
            }
            groups.add(group);
        }
        return groups;
    }

    /** The chosen TLS 1.2 suites in order, then the JDK's TLS 1.3 suites, which Go does not let one restrict. */
    private static String[] cipherSuites(List<String> chosen, SSLContext context) throws Invalid {
        List<String> supported = List.of(context.getSupportedSSLParameters().getCipherSuites());
        List<String> suites = new ArrayList<>();
        for (String suite : chosen) {
            if (!GO_CIPHER_SUITES.contains(suite) && !GO_TLS13_SUITES.contains(suite)) {
                throw new Invalid("tls_server_config.cipher_suites: unknown or insecure cipher suite \"" + suite
                        + "\" (Go's tls.CipherSuites() names, e.g. TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256)");
            }
            if (!supported.contains(suite)) {
                throw new Invalid("tls_server_config.cipher_suites: " + suite + " is not supported by this JDK");
            }
            if (!GO_TLS13_SUITES.contains(suite)) {
                suites.add(suite);
            }
        }
        Arrays.stream(context.getDefaultSSLParameters().getCipherSuites()).filter(GO_TLS13_SUITES::contains).forEach(suites::add);
        return suites.toArray(String[]::new);
    }

    static KeyMaterial keyMaterial(Pem.Source cert, Pem.Source key) throws Invalid {
        List<X509Certificate> chain = Pem.certificates(cert);
        PrivateKey privateKey = Pem.privateKey(key);
        if (!belongTogether(privateKey, chain.getFirst())) {
            throw new Invalid(key + " is not the key of the certificate in " + cert);
        }
        return new KeyMaterial("web-" + ALIASES.incrementAndGet(), chain.toArray(X509Certificate[]::new), privateKey);
    }

    /** Signs with the key and verifies with the certificate: works for every key type the JDK signs with. */
    private static boolean belongTogether(PrivateKey key, X509Certificate certificate) throws Invalid {
        String algorithm = switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            case "EdDSA", "Ed25519", "Ed448" -> "EdDSA";
            default -> throw new Invalid("tls_server_config: " + key.getAlgorithm() + " keys are not supported (RSA, EC or Ed25519)");
        };
        byte[] probe = "k8s-ebpf-agent key check".getBytes(StandardCharsets.US_ASCII);
        try {
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(probe);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(certificate.getPublicKey());
            verifier.update(probe);
            return verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            return false; // e.g. an EC key with an RSA certificate
        }
    }

    static X509ExtendedTrustManager trustManager(Pem.Source clientCa) throws Invalid {
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            List<X509Certificate> cas = Pem.certificates(clientCa);
            for (int i = 0; i < cas.size(); i++) {
                store.setCertificateEntry("ca-" + i, cas.get(i));
            }
            TrustManagerFactory factory = TrustManagerFactory.getInstance("PKIX");
            factory.init(store);
            return Arrays.stream(factory.getTrustManagers()).filter(X509ExtendedTrustManager.class::isInstance)
                    .map(X509ExtendedTrustManager.class::cast).findFirst()
                    .orElseThrow(() -> new Invalid("tls_server_config: the JDK has no X.509 trust manager"));
        } catch (GeneralSecurityException | java.io.IOException e) {
            throw new Invalid(clientCa + ": cannot be used as a CA (" + e.getMessage() + ")");
        }
    }

    /** Serves the current certificate for the key type the handshake asks about. */
    static final class ReloadingKeyManager extends X509ExtendedKeyManager {
        private final Reloading<KeyMaterial> material;

        ReloadingKeyManager(Reloading<KeyMaterial> material) {
            this.material = material;
        }

        private String alias(String keyType) {
            KeyMaterial current = material.current();
            return current.key().getAlgorithm().equals(keyType) ? current.alias() : null;
        }

        @Override
        public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
            return alias(keyType);
        }

        @Override
        public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
            return alias(keyType);
        }

        @Override
        public String[] getServerAliases(String keyType, Principal[] issuers) {
            String alias = alias(keyType);
            return alias == null ? null : new String[] {alias};
        }

        @Override
        public X509Certificate[] getCertificateChain(String alias) {
            return material.find(m -> m.alias().equals(alias)).map(m -> m.chain().clone()).orElse(null);
        }

        @Override
        public PrivateKey getPrivateKey(String alias) {
            return material.find(m -> m.alias().equals(alias)).map(KeyMaterial::key).orElse(null);
        }

        // as a gRPC client (GRPC_TLS_*: the scaler to the agents) the same certificate is the client's
        @Override
        public String[] getClientAliases(String keyType, Principal[] issuers) {
            return getServerAliases(keyType, issuers);
        }

        @Override
        public String chooseClientAlias(String[] keyTypes, Principal[] issuers, Socket socket) {
            return Arrays.stream(keyTypes).map(this::alias).filter(java.util.Objects::nonNull).findFirst().orElse(null);
        }

        @Override
        public String chooseEngineClientAlias(String[] keyTypes, Principal[] issuers, SSLEngine engine) {
            return chooseClientAlias(keyTypes, issuers, null);
        }
    }

    /**
     * Client certificates: chained to client_ca when the auth type verifies (else any certificate, whose
     * key the handshake still proves), then matched against client_allowed_sans when set.
     */
    private static final class ClientTrust extends X509ExtendedTrustManager {
        private final Optional<Reloading<X509ExtendedTrustManager>> verifier;
        private final List<String> allowedSans;

        ClientTrust(Optional<Reloading<X509ExtendedTrustManager>> verifier, List<String> allowedSans) {
            this.verifier = verifier;
            this.allowedSans = allowedSans;
        }

        @FunctionalInterface
        private interface Check {
            void on(X509ExtendedTrustManager verifier) throws CertificateException;
        }

        private void verify(X509Certificate[] chain, Check check) throws CertificateException {
            if (verifier.isPresent()) {
                check.on(verifier.get().current());
            }
            checkSans(chain);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
            verify(chain, v -> v.checkClientTrusted(chain, authType, engine));
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
            verify(chain, v -> v.checkClientTrusted(chain, authType, socket));
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            verify(chain, v -> v.checkClientTrusted(chain, authType));
        }

        private void checkSans(X509Certificate[] chain) throws CertificateException {
            if (allowedSans.isEmpty()) {
                return;
            }
            for (String san : sans(chain[0])) {
                for (String allowed : allowedSans) {
                    if (san.equals(allowed) || sameAddress(san, allowed)) {
                        return;
                    }
                }
            }
            throw new CertificateException("no subject alternative name of the client certificate is in client_allowed_sans");
        }

        /** DNS names, e-mail addresses, URIs and IP addresses, as Go's SAN match takes them. */
        private static List<String> sans(X509Certificate certificate) throws CertificateParsingException {
            List<String> sans = new ArrayList<>();
            var names = certificate.getSubjectAlternativeNames();
            if (names != null) {
                for (List<?> name : names) {
                    int type = (Integer) name.get(0);
                    if (type == 1 || type == 2 || type == 6 || type == 7) {
                        sans.add(String.valueOf(name.get(1)));
                    }
                }
            }
            return sans;
        }

        /** The JDK writes IPv6 SANs in full (0:0:0:0:0:0:0:1), Go and users write them short (::1). */
        private static boolean sameAddress(String san, String allowed) {
            try {
                return InetAddress.ofLiteral(san).equals(InetAddress.ofLiteral(allowed));
            } catch (IllegalArgumentException e) {
                return false;
            }
        }

        private static CertificateException serversNotTrusted() {
            return new CertificateException("the metrics server trusts clients only");
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
            throw serversNotTrusted();
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
            throw serversNotTrusted();
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            throw serversNotTrusted();
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return verifier.map(v -> v.current().getAcceptedIssuers()).orElse(new X509Certificate[0]);
        }
    }
}
