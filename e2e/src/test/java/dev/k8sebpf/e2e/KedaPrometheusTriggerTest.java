package dev.k8sebpf.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The KEDA evaluation rules against a canned query API, so the end-to-end assertions rest on them. */
class KedaPrometheusTriggerTest {
    private static final String QUERY = "sum(increase(internal_tcp_service_attempts_total{destination_namespace=\"demo\",destination_service=\"web\"}[30s]))";
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-01-02T03:04:05.678Z"), ZoneOffset.UTC);

    private HttpServer server;
    private final AtomicReference<String> body = new AtomicReference<>();
    private final AtomicReference<Integer> status = new AtomicReference<>(200);
    private final AtomicReference<String> lastQueryString = new AtomicReference<>();

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/api/v1/query", exchange -> {
            lastQueryString.set(exchange.getRequestURI().getRawQuery());
            byte[] bytes = body.get().getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(status.get(), bytes.length);
            exchange.getResponseBody().write(bytes);
            exchange.close();
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private KedaPrometheusTrigger trigger(boolean ignoreNullValues) {
        return new KedaPrometheusTrigger("http://127.0.0.1:" + server.getAddress().getPort(), QUERY,
                Map.of("latency_offset", "1ms"), 0, ignoreNullValues, CLOCK);
    }

    private static String vector(String... values) {
        var elements = new StringBuilder();
        for (String value : values) {
            elements.append(elements.isEmpty() ? "" : ",").append("{\"metric\":{},\"value\":[1767323045,\"").append(value).append("\"]}");
        }
        return "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[" + elements + "]}}";
    }

    @Test
    void sendsTheQueryAtTheCurrentWholeSecondWithTheExtraParameters() throws Exception {
        body.set(vector("1"));
        trigger(true).poll();
        String decoded = URLDecoder.decode(lastQueryString.get(), StandardCharsets.UTF_8);
        assertThat(decoded).isEqualTo("query=" + QUERY + "&time=2026-01-02T03:04:05Z&latency_offset=1ms");
    }

    @Test
    void oneElementAboveTheActivationThresholdActivates() throws Exception {
        body.set(vector("0.5"));
        assertThat(trigger(true).poll()).isEqualTo(new KedaPrometheusTrigger.Decision(0.5, true));
    }

    @Test
    void zeroIsNotAboveAThresholdOfZero() throws Exception {
        body.set(vector("0"));
        assertThat(trigger(true).poll()).isEqualTo(new KedaPrometheusTrigger.Decision(0, false));
    }

    @Test
    void anEmptyResultIsZeroUnlessNullValuesAreRefused() throws Exception {
        body.set(vector());
        assertThat(trigger(true).poll()).isEqualTo(new KedaPrometheusTrigger.Decision(0, false));
        assertThatThrownBy(() -> trigger(false).poll()).hasMessageContaining("the result is empty");
    }

    @Test
    void moreThanOneElementIsAnError() {
        body.set(vector("1", "2"));
        assertThatThrownBy(() -> trigger(true).poll()).hasMessageContaining("returned multiple elements");
    }

    @Test
    void notANumberCountsAsZeroUnlessNullValuesAreRefused() throws Exception {
        body.set(vector("NaN"));
        assertThat(trigger(true).poll()).isEqualTo(new KedaPrometheusTrigger.Decision(0, false));
        body.set(vector("+Inf"));
        assertThatThrownBy(() -> trigger(false).poll()).hasMessageContaining("returns Infinity");
    }

    @Test
    void anErrorStatusIsAnError() {
        status.set(503);
        body.set("{}");
        assertThatThrownBy(() -> trigger(true).poll()).hasMessageContaining("status: 503");
    }
}
