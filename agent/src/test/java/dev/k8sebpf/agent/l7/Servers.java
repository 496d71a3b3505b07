package dev.k8sebpf.agent.l7;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;

/** HTTP servers on loopback for the kernel tests: each reports the port it listens on. */
final class Servers {
    private Servers() {
    }

    interface Server extends AutoCloseable {
        int port();

        @Override
        void close() throws IOException, InterruptedException;
    }

    /** A fresh address in 127.0.0.0/8, so other tests' traffic never lands on our servers. */
    static String randomLoopback() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        return "127." + random.nextInt(100, 200) + "." + random.nextInt(256) + "." + random.nextInt(1, 255);
    }

    /**
     * The JDK's HttpServer in this process (process comm {@code java}): 200 "ok" for everything, except
     * {@code /status/NNN} (status NNN), {@code /sleep/N} (200 after N ms) and {@code /chunked} (200, a
     * chunked body in three writes).
     */
    static Server jdk(String address) throws IOException {
        return jdk(HttpServer.create(new InetSocketAddress(InetAddress.getByName(address), 0), 64));
    }

    /** {@link #jdk} over TLS: the JDK's SSLEngine, which reads a whole ClientHello in one receive. */
    static Server jdkTls(String address, SSLContext context) throws IOException {
        HttpsServer server = HttpsServer.create(new InetSocketAddress(InetAddress.getByName(address), 0), 64);
        server.setHttpsConfigurator(new HttpsConfigurator(context));
        return jdk(server);
    }

    private static Server jdk(HttpServer server) {
        server.createContext("/", exchange -> {
            try (exchange) {
                exchange.getRequestBody().readAllBytes();
                String path = exchange.getRequestURI().getPath();
                byte[] body = "ok".getBytes(StandardCharsets.US_ASCII);
                if (path.equals("/chunked")) {
                    exchange.sendResponseHeaders(200, 0);
                    for (int i = 0; i < 3; i++) {
                        exchange.getResponseBody().write(body);
                        exchange.getResponseBody().flush();
                    }
                    return;
                }
                if (path.startsWith("/sleep/")) {
                    Thread.sleep(Long.parseLong(path.substring("/sleep/".length())));
                }
                exchange.sendResponseHeaders(path.startsWith("/status/") ? Integer.parseInt(path.substring("/status/".length())) : 200,
                        body.length);
                exchange.getResponseBody().write(body);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        server.setExecutor(Executors.newFixedThreadPool(2));
        server.start();
        return new Server() {
            @Override
            public int port() {
                return server.getAddress().getPort();
            }

            @Override
            public void close() {
                server.stop(0);
                ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
            }
        };
    }

    /**
     * Python's http.server with HTTP/1.1 keep-alive (process comm {@code python3}); {@code /status/NNN}
     * answers NNN, {@code /close} closes the connection without an answer.
     */
    static Server python(String address) throws IOException {
        return pythonScript("http11_server.py", address);
    }

    /** {@link #python} over TLS (test resource https11_server.py): OpenSSL reads a record's header, then its body. */
    static Server pythonTls(String address, TlsFixtures tls) throws IOException {
        return pythonScript("https11_server.py", address, tls.certPem.toString(), tls.keyPem.toString());
    }

    /**
     * One connection, read with recv() except for read number {@code switchAt}, a read() through a
     * second descriptor of the same socket (process comm {@code python3}).
     */
    static Server twoDescriptors(String address, int switchAt) throws IOException {
        return pythonScript("two_fd_server.py", address, Integer.toString(switchAt));
    }

    /** Runs test resource /l7/{@code script} with the address and args; it prints its port once listening. */
    private static Server pythonScript(String script, String address, String... args) throws IOException {
        String source;
        try (InputStream in = Servers.class.getResourceAsStream("/l7/" + script)) {
            source = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        List<String> command = new ArrayList<>(List.of("python3", "-c", source, address));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String line = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.US_ASCII)).readLine();
        if (line == null) {
            process.destroyForcibly();
            throw new IOException(script + " on " + address + " did not start");
        }
        int port = Integer.parseInt(line.strip());
        return new Server() {
            @Override
            public int port() {
                return port;
            }

            @Override
            public void close() throws InterruptedException {
                process.destroy();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        };
    }

    /** Debian's nginx with its own config, pid and logs in a temp dir; one worker; 200 "ok" for everything. */
    static Nginx nginx(String address) throws IOException, InterruptedException {
        return Nginx.start(address, freePort(address), false);
    }

    /** {@link #nginx} speaking cleartext HTTP/2 with prior knowledge only (nginx has no h2c upgrade). */
    static Nginx nginxH2c(String address) throws IOException, InterruptedException {
        return Nginx.start(address, freePort(address), true);
    }

    static final class Nginx implements Server {
        private final Process process;
        private final Path dir;
        private final int port;

        private Nginx(Process process, Path dir, int port) {
            this.process = process;
            this.dir = dir;
            this.port = port;
        }

        static Nginx start(String address, int port, boolean http2) throws IOException, InterruptedException {
            Path dir = Files.createTempDirectory("l7-nginx");
            Files.writeString(dir.resolve("nginx.conf"), String.join("\n",
                    "daemon off;",
                    "user root;",
                    "worker_processes 1;",
                    "pid " + dir.resolve("nginx.pid") + ";",
                    "error_log " + dir.resolve("error.log") + ";",
                    "events { worker_connections 1024; }",
                    "http {",
                    "  access_log " + dir.resolve("access.log") + ";",
                    "  client_body_temp_path " + dir.resolve("body") + ";",
                    "  proxy_temp_path " + dir.resolve("proxy") + ";",
                    "  fastcgi_temp_path " + dir.resolve("fastcgi") + ";",
                    "  uwsgi_temp_path " + dir.resolve("uwsgi") + ";",
                    "  scgi_temp_path " + dir.resolve("scgi") + ";",
                    "  keepalive_requests 1000000;",
                    "  server {",
                    "    listen " + address + ":" + port + (http2 ? " http2" : "") + ";",
                    "    location / { return 200 \"ok\\n\"; }",
                    "    location /gone/ { return 404; }",
                    "  }",
                    "}", ""));
            Process process = new ProcessBuilder("/usr/sbin/nginx", "-p", dir.toString(), "-c", dir.resolve("nginx.conf").toString(),
                    "-e", dir.resolve("error.log").toString())
                    .redirectErrorStream(true).redirectOutput(dir.resolve("stdout.log").toFile()).start();
            Nginx nginx = new Nginx(process, dir, port);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (true) {
                try (Socket probe = new Socket(address, port)) {
                    return nginx;
                } catch (IOException notYet) {
                    if (!process.isAlive() || System.nanoTime() > deadline) {
                        nginx.close();
                        throw new IOException("nginx did not start on " + address + ":" + port + ": "
                                + Files.readString(dir.resolve("error.log")));
                    }
                    Thread.sleep(20);
                }
            }
        }

        @Override
        public int port() {
            return port;
        }

        /** Requests nginx logged (it logs each request it read, answered or not). */
        long accessLogLines() throws IOException {
            return accessLog().size();
        }

        List<String> accessLog() throws IOException {
            return Files.readAllLines(dir.resolve("access.log"));
        }

        @Override
        public void close() throws IOException, InterruptedException {
            process.destroy();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }

    private static int freePort(String address) throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(address))) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free port on " + address, e);
        }
    }

    /** Runs a client to completion; it must exit 0. Returns its standard output (its errors go to ours). */
    static String runClient(List<String> command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("%s finished", command).isTrue();
        assertThat(process.exitValue()).as("%s exit code, output %s", command, out).isZero();
        return out;
    }

    /** Reads until {@code count} responses of the test servers ("...\r\n\r\nok") arrived. */
    static void readResponses(Socket socket, int count) throws IOException {
        socket.setSoTimeout(10_000);
        InputStream in = socket.getInputStream();
        StringBuilder seen = new StringBuilder();
        int found = 0;
        while (found < count) {
            int b = in.read();
            assertThat(b).as("server closed after %d of %d responses", found, count).isNotNegative();
            seen.append((char) b);
            if (seen.length() >= 6 && seen.substring(seen.length() - 6).equals("\r\n\r\nok")) {
                found++;
            }
        }
    }
}
