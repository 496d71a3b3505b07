package dev.k8sebpf.agent.http;

import dev.k8sebpf.agent.http.WebConfig.Invalid;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;

/**
 * PEM certificates and private keys in the forms Go's {@code tls.X509KeyPair} reads: PKCS#8
 * ({@code PRIVATE KEY}), PKCS#1 ({@code RSA PRIVATE KEY}) and SEC1 ({@code EC PRIVATE KEY}, with or
 * without the {@code EC PARAMETERS} block openssl puts before it). The keys come out as JDK key objects.
 */
final class Pem {
    private Pem() {
    }

    /**
     * A PEM text from a file (re-read on change) or inline in the web config; {@code label} names its
     * setting in messages (e.g. {@code tls_server_config.cert_file}, {@code GRPC_TLS_CERT_FILE}).
     */
    record Source(String label, java.util.Optional<java.nio.file.Path> file, String inline) {
        String read() throws Invalid {
            if (file.isEmpty()) {
                return inline;
            }
            try {
                return java.nio.file.Files.readString(file.get(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new Invalid(this + ": cannot read it (" + e.getClass().getSimpleName() + ": " + e.getMessage() + ")");
            }
        }

        @Override
        public String toString() {
            return file.map(path -> label + " " + path).orElse(label + " (inline)");
        }
    }

    static List<X509Certificate> certificates(Source source) throws Invalid {
        List<X509Certificate> certificates = new ArrayList<>();
        for (Object object : objects(source)) {
            if (object instanceof X509CertificateHolder holder) {
                try {
                    certificates.add(new JcaX509CertificateConverter().getCertificate(holder));
                } catch (GeneralSecurityException e) {
                    throw new Invalid(source + ": a CERTIFICATE block cannot be read (" + e.getMessage() + ")");
                }
            }
        }
        if (certificates.isEmpty()) {
            throw new Invalid(source + ": no PEM CERTIFICATE block in it");
        }
        return certificates;
    }

    static PrivateKey privateKey(Source source) throws Invalid {
        for (Object object : objects(source)) {
            PrivateKeyInfo info = switch (object) {
                case PrivateKeyInfo pkcs8 -> pkcs8;
                case PEMKeyPair pair -> pair.getPrivateKeyInfo();
                case PEMEncryptedKeyPair ignored -> throw encrypted(source);
                case PKCS8EncryptedPrivateKeyInfo ignored -> throw encrypted(source);
                default -> null;
            };
            if (info != null) {
                try {
                    return new JcaPEMKeyConverter().getPrivateKey(info);
                } catch (IOException e) {
                    throw new Invalid(source + ": the private key cannot be used (" + e.getMessage() + ")");
                }
            }
        }
        throw new Invalid(source + ": no private key in it (expected a PEM PRIVATE KEY, RSA PRIVATE KEY or EC PRIVATE KEY block)");
    }

    private static Invalid encrypted(Source source) {
        return new Invalid(source + ": the key is encrypted, which Go's exporters do not read either;"
                + " decrypt it (openssl pkey -in key.pem -out plain.pem)");
    }

    private static List<Object> objects(Source source) throws Invalid {
        List<Object> objects = new ArrayList<>();
        try (var parser = new PEMParser(new StringReader(source.read()))) {
            for (Object object = parser.readObject(); object != null; object = parser.readObject()) {
                objects.add(object);
            }
        } catch (IOException | RuntimeException e) {
            throw new Invalid(source + ": not valid PEM (" + e.getMessage() + ")");
        }
        return objects;
    }
}
