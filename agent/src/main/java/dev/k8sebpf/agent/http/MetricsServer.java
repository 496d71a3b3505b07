package dev.k8sebpf.agent.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.k8sebpf.agent.metrics.AgentMetrics;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Serves /metrics, /healthz and /readyz on METRICS_ADDR with the JDK's HTTP server. */
public final class MetricsServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MetricsServer.class);
    private static final String PLAIN = "text/plain; charset=utf-8";

    private final HttpServer server;
    private final ExecutorService executor;

    private MetricsServer(HttpServer server, ExecutorService executor) {
        this.server = server;
        this.executor = executor;
    }

    public static MetricsServer start(InetSocketAddress address, AgentMetrics metrics, HealthCheck liveness,
                                      HealthCheck readiness) throws IOException {
        HttpServer server = HttpServer.create(address, 16);
        server.createContext("/", exchange -> handle(exchange, metrics, liveness, readiness));
        ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
        server.setExecutor(executor);
        server.start();
        return new MetricsServer(server, executor);
    }

    public InetSocketAddress address() {
        return server.getAddress();
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdown();
    }

    private static void handle(HttpExchange exchange, AgentMetrics metrics, HealthCheck liveness, HealthCheck readiness)
            throws IOException {
        try (exchange) {
            String method = exchange.getRequestMethod();
            if (!method.equals("GET") && !method.equals("HEAD")) {
                exchange.getResponseHeaders().set("Allow", "GET, HEAD");
                respond(exchange, 405, PLAIN, "method not allowed\n".getBytes(StandardCharsets.UTF_8));
                return;
            }
            switch (exchange.getRequestURI().getPath()) {
                case "/metrics" -> {
                    AgentMetrics.Scrape scrape = metrics.scrape(exchange.getRequestHeaders().getFirst("Accept"));
                    respond(exchange, 200, scrape.contentType(), scrape.body());
                }
                case "/healthz" -> probe(exchange, liveness);
                case "/readyz" -> probe(exchange, readiness);
                default -> respond(exchange, 404, PLAIN, "not found: try /metrics, /healthz or /readyz\n".getBytes(StandardCharsets.UTF_8));
            }
        } catch (RuntimeException e) {
            // The JDK server would drop the connection silently; log it, the client sees a reset.
            LOG.warn("{} {} failed: {}", exchange.getRequestMethod(), exchange.getRequestURI(), e.toString());
        }
    }

    private static void probe(HttpExchange exchange, HealthCheck check) throws IOException {
        Optional<String> problem = check.problem();
        String body = problem.map(reason -> "not ok: " + reason + "\n").orElse("ok\n");
        respond(exchange, problem.isEmpty() ? 200 : 503, PLAIN, body.getBytes(StandardCharsets.UTF_8));
    }

    private static void respond(HttpExchange exchange, int status, String contentType, byte[] body) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", contentType);
        boolean head = exchange.getRequestMethod().equals("HEAD");
        exchange.sendResponseHeaders(status, head ? -1 : body.length);
        if (!head) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }
}
