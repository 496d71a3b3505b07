package dev.k8sebpf.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.Map;

/**
 * Evaluates a query the way KEDA's {@code prometheus} scaler does (read from kedacore/keda
 * pkg/scalers/prometheus_scaler.go, ExecutePromQuery and GetMetricsAndActivity), so the tests assert
 * KEDA's decision rather than our own reading of the data:
 * <ul>
 *   <li>GET {@code <serverAddress>/api/v1/query?query=<escaped>&time=<now, RFC 3339, whole seconds>}
 *       plus every {@code queryParameters} entry;</li>
 *   <li>a non-2xx status or unparsable body is an error;</li>
 *   <li>0 result elements → 0 (ignoreNullValues, KEDA's default) or an error; more than 1 → an error;</li>
 *   <li>the value is the second item of the element's {@code value} pair, parsed as a float;
 *       NaN or ±Inf → 0 (ignoreNullValues) or an error;</li>
 *   <li>the trigger is active (KEDA scales 0 → 1) when the value is greater than activationThreshold.</li>
 * </ul>
 */
record KedaPrometheusTrigger(String serverAddress, String query, Map<String, String> queryParameters,
                             double activationThreshold, boolean ignoreNullValues, Clock clock) {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private static final ObjectMapper JSON = new ObjectMapper();

    /** KEDA's defaults: activationThreshold 0, ignoreNullValues true, the wall clock. */
    static KedaPrometheusTrigger of(String serverAddress, String query, Map<String, String> queryParameters) {
        return new KedaPrometheusTrigger(serverAddress, query, Map.copyOf(queryParameters), 0, true, Clock.systemUTC());
    }

    /** What KEDA reports for one polling cycle. */
    record Decision(double value, boolean active) {
    }

    static final class QueryException extends Exception {
        QueryException(String message) {
            super(message);
        }
    }

    Decision poll() throws QueryException {
        double value = execute();
        return new Decision(value, value > activationThreshold);
    }

    double execute() throws QueryException {
        JsonNode result = fetch().path("data").path("result");
        if (!result.isArray()) {
            throw new QueryException("cannot unmarshal the result of " + query + ": " + result);
        }
        if (result.isEmpty()) {
            return nullValue("the result is empty");
        }
        if (result.size() > 1) {
            throw new QueryException("prometheus query " + query + " returned multiple elements");
        }
        JsonNode pair = result.get(0).path("value");
        if (pair.isEmpty()) {
            return nullValue("the value list is empty");
        }
        if (pair.size() < 2) {
            throw new QueryException("prometheus query " + query + " didn't return enough values");
        }
        double value = pair.get(1).isNull() ? -1 : parseGoFloat(pair.get(1).asText());
        if (Double.isNaN(value) || Double.isInfinite(value)) {
            return nullValue("prometheus query returns " + value);
        }
        return value;
    }

    private JsonNode fetch() throws QueryException {
        var url = new StringBuilder(serverAddress).append("/api/v1/query?query=").append(escape(query))
                .append("&time=").append(DateTimeFormatter.ISO_INSTANT.format(Instant.now(clock).truncatedTo(ChronoUnit.SECONDS)));
        queryParameters.forEach((key, value) -> url.append('&').append(escape(key)).append('=').append(escape(value)));
        HttpResponse<String> response;
        try {
            response = HTTP.send(HttpRequest.newBuilder(URI.create(url.toString())).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new QueryException("GET " + url + ": " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new QueryException("interrupted");
        }
        if (response.statusCode() < 200 || response.statusCode() > 299) {
            throw new QueryException("prometheus query api returned error. status: " + response.statusCode() + " (" + url + ")");
        }
        try {
            return JSON.readTree(response.body());
        } catch (IOException e) {
            throw new QueryException("not JSON from " + url + ": " + e.getMessage());
        }
    }

    private double nullValue(String why) throws QueryException {
        if (ignoreNullValues) {
            return 0;
        }
        throw new QueryException("prometheus metrics 'prometheus' target may be lost: " + why);
    }

    /** Go's strconv.ParseFloat spellings of the special values, which Java's parser does not know. */
    private double parseGoFloat(String text) throws QueryException {
        return switch (text.toLowerCase(java.util.Locale.ROOT)) {
            case "nan" -> Double.NaN;
            case "inf", "+inf", "infinity", "+infinity" -> Double.POSITIVE_INFINITY;
            case "-inf", "-infinity" -> Double.NEGATIVE_INFINITY;
            default -> {
                try {
                    yield Double.parseDouble(text);
                } catch (NumberFormatException e) {
                    throw new QueryException("Error converting prometheus value " + text);
                }
            }
        };
    }

    private static String escape(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8);
    }
}
