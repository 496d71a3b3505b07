package dev.k8sebpf.agent.http;

import java.io.IOException;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;
import java.net.Socket;
import java.security.Principal;
import java.util.Arrays;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.util.io.pem.PemObject;

/** A throwaway CA and the certificates tests need, written as PEM the way openssl and Go tools write them. */
public final class TestPki {
    private static final AtomicLong SERIALS = new AtomicLong(1);

    enum KeyType {
        RSA, EC, ED25519
    }

    /** How the private key is written: PKCS#8, or the traditional PKCS#1/SEC1 block (EC with openssl's EC PARAMETERS first). */
    enum KeyFormat {
        PKCS8, TRADITIONAL, EC_WITH_PARAMETERS
    }

    record Issued(KeyPair keys, X509Certificate certificate) {
    }

    private final String caName;
    final Issued ca;

    public TestPki(String name) {
        this.caName = name;
        KeyPair keys = generate(KeyType.EC);
        this.ca = new Issued(keys, sign(name, keys, new GeneralName[0], true));
    }

    static KeyPair generate(KeyType type) {
        try {
            return switch (type) {
                case RSA -> {
                    KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
                    generator.initialize(2048);
                    yield generator.generateKeyPair();
                }
                case EC -> {
                    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
                    generator.initialize(new ECGenParameterSpec("secp256r1"));
                    yield generator.generateKeyPair();
                }
                case ED25519 -> KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
            };
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A server certificate for 127.0.0.1 (the IP SAN Java's hostname check wants). */
    Issued server(KeyType type) {
        KeyPair keys = generate(type);
        return new Issued(keys, sign("metrics-server", keys, new GeneralName[] {new GeneralName(GeneralName.iPAddress, "127.0.0.1")},
                false, KeyPurposeId.id_kp_serverAuth));
    }

    /** A client certificate with a DNS SAN. */
    Issued client(String dnsName) {
        KeyPair keys = generate(KeyType.EC);
        return new Issued(keys, sign(dnsName, keys, new GeneralName[] {new GeneralName(GeneralName.dNSName, dnsName)}, false,
                KeyPurposeId.id_kp_clientAuth));
    }

    /**
     * GRPC_TLS_*: a certificate for both ends of a gRPC connection (server and client use) naming
     * {@code dnsName} and 127.0.0.1, written as {@code name.crt} and {@code name.key} (PKCS#8, what
     * grpc-java's own PEM reader takes); returns the two paths.
     */
    public Path[] writePeer(Path dir, String name, String dnsName) throws IOException {
        KeyPair keys = generate(KeyType.EC);
        X509Certificate certificate = sign(name, keys, new GeneralName[] {new GeneralName(GeneralName.dNSName, dnsName),
                new GeneralName(GeneralName.iPAddress, "127.0.0.1")}, false, KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth);
        return new Path[] {Files.writeString(dir.resolve(name + ".crt"), pem(certificate)),
                Files.writeString(dir.resolve(name + ".key"), keyPem(keys.getPrivate(), KeyFormat.PKCS8))};
    }

    /** The CA certificate as {@code ca.crt}. */
    public Path writeCa(Path dir) throws IOException {
        return Files.writeString(dir.resolve("ca.crt"), pem(ca.certificate()));
    }

    private X509Certificate sign(String subject, KeyPair keys, GeneralName[] sans, boolean isCa, KeyPurposeId... purposes) {
        try {
            Instant now = Instant.now();
            X500Name issuerName = new X500Name("CN=" + caName);
            var builder = new JcaX509v3CertificateBuilder(issuerName, BigInteger.valueOf(SERIALS.getAndIncrement()),
                    Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(Duration.ofDays(2))), new X500Name("CN=" + subject), keys.getPublic());
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(isCa));
            if (sans.length > 0) {
                builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(sans));
            }
            if (purposes.length > 0) {
                builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(purposes));
            }
            PrivateKey signer = ca == null ? keys.getPrivate() : ca.keys().getPrivate();
            return new JcaX509CertificateConverter().getCertificate(builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(signer)));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static String pem(Object object) {
        var text = new StringWriter();
        try (var writer = new JcaPEMWriter(text)) {
            writer.writeObject(object);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return text.toString();
    }

    static String keyPem(PrivateKey key, KeyFormat format) {
        try {
            return switch (format) {
                case PKCS8 -> pem(new JcaPKCS8Generator(key, null));
                case TRADITIONAL -> key.getAlgorithm().equals("EC") ? sec1(key) : pem(key);
                // openssl ecparam -genkey -name prime256v1 writes the curve's OID block before the key.
                case EC_WITH_PARAMETERS -> "-----BEGIN EC PARAMETERS-----\nBggqhkjOPQMBBw==\n-----END EC PARAMETERS-----\n" + sec1(key);
            };
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * SEC1 with the curve inside, as openssl writes it: the JDK's PKCS#8 encoding keeps the curve only in
     * the outer algorithm identifier, so BouncyCastle's writer would leave it out.
     */
    private static String sec1(PrivateKey key) throws IOException {
        PrivateKeyInfo info = PrivateKeyInfo.getInstance(key.getEncoded());
        var inner = org.bouncycastle.asn1.sec.ECPrivateKey.getInstance(info.parsePrivateKey());
        var withCurve = new org.bouncycastle.asn1.sec.ECPrivateKey(256, inner.getKey(), inner.getPublicKey(),
                info.getPrivateKeyAlgorithm().getParameters());
        return pem(new PemObject("EC PRIVATE KEY", withCurve.getEncoded()));
    }

    /** Writes through a rename, as a Secret volume update does, so the file gets a new inode. */
    static Path write(Path file, String text) throws IOException {
        Path temporary = Files.writeString(file.resolveSibling(file.getFileName() + ".tmp"), text);
        return Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** A client context trusting this CA, presenting {@code identity} when given (null: none). */
    SSLContext clientContext(Issued identity) throws GeneralSecurityException, IOException {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("ca", ca.certificate());
        TrustManagerFactory trustFactory = TrustManagerFactory.getInstance("PKIX");
        trustFactory.init(trust);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(identity == null ? null : new KeyManager[] {new Presenting(identity)}, trustFactory.getTrustManagers(), null);
        return context;
    }

    /** Sends its certificate whatever CAs the server names, so a server that must refuse it gets to see it. */
    private static final class Presenting extends X509ExtendedKeyManager {
        private final Issued identity;

        Presenting(Issued identity) {
            this.identity = identity;
        }

        @Override
        public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
            return Arrays.asList(keyType).contains(identity.keys().getPrivate().getAlgorithm()) ? "client" : null;
        }

        @Override
        public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
            return chooseEngineClientAlias(keyType, issuers, null);
        }

        @Override
        public String[] getClientAliases(String keyType, Principal[] issuers) {
            return new String[] {"client"};
        }

        @Override
        public X509Certificate[] getCertificateChain(String alias) {
            return new X509Certificate[] {identity.certificate()};
        }

        @Override
        public PrivateKey getPrivateKey(String alias) {
            return identity.keys().getPrivate();
        }

        @Override
        public String[] getServerAliases(String keyType, Principal[] issuers) {
            return null;
        }

        @Override
        public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
            return null;
        }
    }
}
