package dev.k8sebpf.agent.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsServer;
import dev.k8sebpf.agent.metrics.AgentMetrics;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves /metrics, /healthz and /readyz on METRICS_ADDR with the JDK's HTTP server, over TLS and with
 * basic auth when WEB_CONFIG_FILE says so. The probes need no credentials (kubelet has none), and when
 * credentials are required they tell an unauthenticated caller only "ok" or "not ok", not the reason.
 */
public final class MetricsServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MetricsServer.class);
    private static final String PLAIN = "text/plain; charset=utf-8";
    /**
     * Connections the kernel queues until the server accepts them (it caps this at net.core.somaxconn).
     * With 16, a burst of 200 scrapers overflowed the queue and the dropped SYNs were retried after 1, 3, 7 s.
     */
    static final int BACKLOG = 1024;
    /**
     * Exchanges running at once. Each holds the JDK server's buffers (≈ 25 KiB, ≈ 90 KiB with TLS) while it
     * runs; 64 keep a storm within a few MiB of the local 32 MiB heap and are far more than 2 cores serve.
     */
    static final int RUNNING = 64;
    /** Exchanges waiting for a turn (a parked virtual thread each); beyond, connections are closed. */
    static final int QUEUED = 1024;
    /**
     * Writes of at most this much: the JDK's plain-HTTP stream copies each write into a buffer of twice its
     * size (32 KiB then, per running exchange), and 16 KiB fills one TLS record.
     */
    private static final int WRITE_CHUNK = 16384;

    static {
        // The JDK server waits forever by default for a request's headers (timed from its first byte,
        // the wait for a turn included) and for a client to take the response; a stalled client would
        // hold a running slot until it disconnects. Seconds; -D overrides.
        System.getProperties().putIfAbsent("sun.net.httpserver.maxReqTime", "30");
        System.getProperties().putIfAbsent("sun.net.httpserver.maxRspTime", "60");
    }

    private final HttpServer server;
    private final BoundedExecutor executor;

    private MetricsServer(HttpServer server, BoundedExecutor executor) {
        this.server = server;
        this.executor = executor;
    }

    /** Plain HTTP without authentication. */
    public static MetricsServer start(InetSocketAddress address, AgentMetrics metrics, HealthCheck liveness,
                                      HealthCheck readiness) throws IOException {
        return start(address, WebConfig.PLAIN, metrics::scrape, liveness, readiness);
    }

    /** @param scrape renders /metrics for an Accept header (null when absent) */
    public static MetricsServer start(InetSocketAddress address, WebConfig web, Function<String, AgentMetrics.Scrape> scrape,
                                      HealthCheck liveness, HealthCheck readiness) throws IOException {
        return start(address, web, new ScrapeCoalescer(scrape), liveness, readiness, new BoundedExecutor(RUNNING, QUEUED));
    }

    static MetricsServer start(InetSocketAddress address, WebConfig web, ScrapeCoalescer scrapes, HealthCheck liveness,
                               HealthCheck readiness, BoundedExecutor executor) throws IOException {
        HttpServer server;
        if (web.tls().isPresent()) {
            HttpsServer https = HttpsServer.create(address, BACKLOG);
            https.setHttpsConfigurator(web.tls().get().configurator());
            server = https;
        } else {
            server = HttpServer.create(address, BACKLOG);
        }
        var handler = new Handler(web, scrapes, liveness, readiness);
        server.createContext("/", handler::handle);
        server.setExecutor(executor);
        server.start();
        LOG.info("metrics server on {}: {}", server.getAddress(), web.describe());
        return new MetricsServer(server, executor);
    }

    public InetSocketAddress address() {
        return server.getAddress();
    }

    @Override
    public void close() {
        server.stop(0);
        executor.close();
    }

    private record Handler(WebConfig web, ScrapeCoalescer scrapes, HealthCheck liveness, HealthCheck readiness) {
        void handle(HttpExchange exchange) throws IOException {
            try (exchange) {
                web.headers().forEach(exchange.getResponseHeaders()::set);
                String method = exchange.getRequestMethod();
                if (!method.equals("GET") && !method.equals("HEAD")) {
                    exchange.getResponseHeaders().set("Allow", "GET, HEAD");
                    respond(exchange, 405, PLAIN, "method not allowed\n");
                    return;
                }
                String path = exchange.getRequestURI().getPath();
                if (path.equals("/healthz") || path.equals("/readyz")) {
                    probe(exchange, path.equals("/healthz") ? liveness : readiness);
                    return;
                }
                switch (web.access(exchange)) {
                    case NEEDS_CLIENT_CERTIFICATE -> respond(exchange, 403, PLAIN, "client certificate required\n");
                    case NEEDS_CREDENTIALS -> {
                        // As the exporter-toolkit answers, so scrapers and curl know to send credentials.
                        exchange.getResponseHeaders().set("WWW-Authenticate", "Basic");
                        respond(exchange, 401, PLAIN, "Unauthorized\n");
                    }
                    case GRANTED -> route(exchange, path);
                }
            } catch (RuntimeException e) {
                // The JDK server would drop the connection silently; log it, the client sees a reset.
                LOG.warn("{} {} failed: {}", exchange.getRequestMethod(), exchange.getRequestURI(), e.toString());
            }
        }

        private void route(HttpExchange exchange, String path) throws IOException {
            if (path.equals("/metrics")) {
                AgentMetrics.Scrape scrape = scrapes.scrape(exchange.getRequestHeaders().getFirst("Accept"));
                respond(exchange, 200, scrape.contentType(), scrape.body());
            } else {
                respond(exchange, 404, PLAIN, "not found: try /metrics, /healthz or /readyz\n");
            }
        }

        private void probe(HttpExchange exchange, HealthCheck check) throws IOException {
            Optional<String> problem = check.problem();
            boolean detailed = !web.authenticates() || web.access(exchange) == WebConfig.Access.GRANTED;
            String body = problem.map(reason -> detailed ? "not ok: " + reason + "\n" : "not ok\n").orElse("ok\n");
            respond(exchange, problem.isEmpty() ? 200 : 503, PLAIN, body);
        }
    }

    private static void respond(HttpExchange exchange, int status, String contentType, String body) throws IOException {
        respond(exchange, status, contentType, body.getBytes(StandardCharsets.UTF_8));
    }

    private static void respond(HttpExchange exchange, int status, String contentType, byte[] body) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", contentType);
        boolean head = exchange.getRequestMethod().equals("HEAD");
        exchange.sendResponseHeaders(status, head ? -1 : body.length);
        if (!head) {
            try (OutputStream out = exchange.getResponseBody()) {
                // A 1 MiB scrape written at once would cost each running exchange a 2 MiB copy.
                for (int offset = 0; offset < body.length; offset += WRITE_CHUNK) {
                    out.write(body, offset, Math.min(WRITE_CHUNK, body.length - offset));
                }
            }
        }
    }
}
