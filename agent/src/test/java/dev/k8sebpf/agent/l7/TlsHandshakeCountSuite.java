package dev.k8sebpf.agent.l7;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import dev.k8sebpf.agent.hooks.OwnProcess;
import dev.k8sebpf.agent.loader.KernelPreconditions;
import dev.k8sebpf.agent.tlsparse.TestHellos;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real kernel, loopback: the TLS handshakes real clients make with real servers are counted once per
 * connection with the server name and ALPN they asked for, on the hook tier a subclass names; skipped
 * where the tier is not expected to work, as {@link HttpRequestCountSuite} is. The servers read a hello
 * the two ways servers do: OpenSSL (Python) reads the record's 5-byte header by itself, then the body;
 * the JDK reads all of it at once.
 */
abstract class TlsHandshakeCountSuite extends L7TierSuite {
    private static final String DOMAIN = ".l7test.svc.cluster.local";

    private TlsFixtures tls;

    @BeforeAll
    void createFixtures(@TempDir Path dir) throws Exception {
        tls = TlsFixtures.create(dir);
    }

    @Test
    void curlJdkPythonAndAPostQuantumSizedHelloToOpenSsl() throws Exception {
        KernelPreconditions.requireTool("curl");
        try (Servers.Server server = Servers.pythonTls(address, tls)) {
            CountingPipeline counted = new CountingPipeline(CountingPipeline.options(100), address, "py-tls").port(server.port());
            curl(server, "curl", "--http1.1");
            curl(server, "curl");
            curl(server, "curl");
            jdkHandshake(server, "jdk", List.of("h2", "http/1.1"));
            python(server, "py", List.of("grpc-exp", "h2"));
            // Larger than the capture of an HTTP receive, its server name after a 1216-byte key share:
            // what clients with X25519MLKEM768 send (OpenSSL 3.5+, recent browsers and JDKs)
            byte[] hello = TestHellos.postQuantum("pq" + DOMAIN, List.of("h2"));
            assertThat(hello.length).isGreaterThan(1024);
            sendAndClose(server, hello);

            counted.drain(kernel);
            assertThat(counted.handshakes()).containsExactly(
                    entry("curl" + DOMAIN + " h2,http/1.1", 2L), entry("curl" + DOMAIN + " http/1.1", 1L),
                    entry("jdk" + DOMAIN + " h2,http/1.1", 1L), entry("pq" + DOMAIN + " h2", 1L),
                    entry("py" + DOMAIN + " grpc-exp,h2", 1L));
            assertThat(counted.handshakeTagValues("process_comm")).containsExactly("python3");
            assertThat(counted.handshakeTagValues("destination_pod")).containsExactly("pod-1");
            assertThat(counted.byMethodAndPath()).as("requests inside TLS are not seen").isEmpty();
        }
    }

    @Test
    void helloReadInOneReceiveByTheJdkAndNoServerName() throws Exception {
        KernelPreconditions.requireTool("curl");
        try (Servers.Server server = Servers.jdkTls(address, tls.serverContext())) {
            CountingPipeline counted = new CountingPipeline(CountingPipeline.options(100), address, "jdk-tls").port(server.port());
            curl(server, "curl");
            jdkHandshake(server, "jdk", List.of("http/1.1"));
            // an IP address, as a client dialling a ClusterIP directly does: no SNI
            Servers.runClient(List.of("curl", "-sk", "-o", "/dev/null", "https://" + address + ":" + server.port() + "/"));

            counted.drain(kernel);
            assertThat(counted.handshakes()).containsExactly(
                    entry(" h2,http/1.1", 1L), entry("curl" + DOMAIN + " h2,http/1.1", 1L), entry("jdk" + DOMAIN + " http/1.1", 1L));
            assertThat(counted.handshakeTagValues("process_comm")).containsExactly("java");
        }
    }

    @Test
    void withTlsOffNoHelloIsReported() throws Exception {
        KernelPreconditions.requireTool("curl");
        try (L7Kernel off = L7Kernel.open(Optional.of(tier()), OwnProcess.NOBODY, false, false);
             Servers.Server server = Servers.pythonTls(address, tls)) {
            CountingPipeline counted = new CountingPipeline(CountingPipeline.options(100), address, "tls-off").port(server.port());
            curl(server, "curl");
            assertThat(counted.drain(off)).isZero();
            assertThat(counted.drain(kernel)).as("the other object, TLS on, saw it").isPositive();
        }
    }

    /** One connection (curl makes one per run) with SNI {@code name}.l7test.svc.cluster.local. */
    private void curl(Servers.Server server, String name, String... options) throws IOException, InterruptedException {
        String host = name + DOMAIN;
        List<String> command = new ArrayList<>(List.of("curl", "-sk", "-o", "/dev/null", "--resolve", host + ":" + server.port() + ":" + address));
        command.addAll(List.of(options));
        command.add("https://" + host + ":" + server.port() + "/" + name);
        Servers.runClient(command);
    }

    private void jdkHandshake(Servers.Server server, String name, List<String> alpn) throws Exception {
        try (SSLSocket socket = (SSLSocket) TlsFixtures.trustingClientContext().getSocketFactory().createSocket(address, server.port())) {
            SSLParameters parameters = socket.getSSLParameters();
            parameters.setServerNames(List.of(new SNIHostName(name + DOMAIN)));
            parameters.setApplicationProtocols(alpn.toArray(String[]::new));
            socket.setSSLParameters(parameters);
            socket.startHandshake();
            request(socket);
        }
    }

    private void python(Servers.Server server, String name, List<String> alpn) throws IOException, InterruptedException {
        String script = """
                import socket, ssl, sys
                context = ssl.create_default_context()
                context.check_hostname = False
                context.verify_mode = ssl.CERT_NONE
                context.set_alpn_protocols(sys.argv[4].split(","))
                with socket.create_connection((sys.argv[1], int(sys.argv[2]))) as raw:
                    with context.wrap_socket(raw, server_hostname=sys.argv[3]) as s:
                        s.sendall(b"GET / HTTP/1.1\\r\\nHost: x\\r\\nConnection: close\\r\\n\\r\\n")
                        while s.recv(4096):
                            pass
                """;
        Servers.runClient(List.of("python3", "-c", script, address, Integer.toString(server.port()), name + DOMAIN, String.join(",", alpn)));
    }

    /** A crafted hello, then whatever the server answers (an alert: nothing here can finish it). */
    private void sendAndClose(Servers.Server server, byte[] hello) throws IOException {
        try (Socket socket = new Socket(address, server.port())) {
            socket.setSoTimeout(5_000);
            socket.getOutputStream().write(hello);
            socket.getOutputStream().flush();
            socket.getInputStream().read(new byte[512]);
        }
    }

    private static void request(SSLSocket socket) throws IOException {
        OutputStream out = socket.getOutputStream();
        out.write("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
        InputStream in = socket.getInputStream();
        byte[] buffer = new byte[4096];
        while (in.read(buffer) >= 0) {
            // the whole response, so the server has read the request before the connection closes
        }
    }
}
