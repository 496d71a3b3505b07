package dev.k8sebpf.agent.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsExchange;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import javax.net.ssl.SSLPeerUnverifiedException;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * WEB_CONFIG_FILE: TLS, basic auth and extra response headers for the metrics server, in the format of
 * the Prometheus exporter-toolkit's web configuration ({@code tls_server_config}, {@code http_server_config},
 * {@code basic_auth_users}), so a file written for a Go exporter works here. Read and checked once at start
 * (certificate and key files are re-read when they change, see {@link ServerTls}); keys this agent does
 * not know or support are errors, not silently ignored.
 */
public final class WebConfig {
    /** No file: plain HTTP, no authentication, as without WEB_CONFIG_FILE. */
    public static final WebConfig PLAIN = new WebConfig(Optional.empty(), Optional.empty(), Map.of());

    /** What a request to /metrics lacks, if anything. */
    enum Access { GRANTED, NEEDS_CLIENT_CERTIFICATE, NEEDS_CREDENTIALS }

    // The exporter-toolkit's own list: only these headers, with these values where the set is closed.
    private static final Map<String, Set<String>> HEADERS = Map.of(
            "Strict-Transport-Security", Set.of(),
            "X-Content-Type-Options", Set.of("nosniff"),
            "X-Frame-Options", Set.of("deny", "sameorigin"),
            "X-XSS-Protection", Set.of(),
            "Content-Security-Policy", Set.of());
    private static final Pattern BCRYPT = Pattern.compile("\\$2[aby]\\$(0[4-9]|[12][0-9]|3[01])\\$[./A-Za-z0-9]{53}");

    private final Optional<ServerTls> tls;
    private final Optional<BasicAuth> basicAuth;
    private final Map<String, String> headers;

    private WebConfig(Optional<ServerTls> tls, Optional<BasicAuth> basicAuth, Map<String, String> headers) {
        this.tls = tls;
        this.basicAuth = basicAuth;
        this.headers = headers;
    }

    /** A problem with one key, worded for the user; {@link #load} adds the file name. */
    static final class Invalid extends Exception {
        Invalid(String problem) {
            super(problem);
        }
    }

    public static WebConfig load(Path file) throws WebConfigException {
        try {
            String text;
            try {
                text = Files.readString(file, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new Invalid("cannot read it (" + e.getClass().getSimpleName() + ": " + e.getMessage() + ")");
            }
            Section root = Section.of("", parseYaml(text), Set.of("tls_server_config", "http_server_config", "basic_auth_users"));
            Optional<Section> tlsSection = root.section("tls_server_config", ServerTls.KEYS);
            Optional<Section> http = root.section("http_server_config", Set.of("http2", "headers"));
            Map<String, String> headers = headers(http);
            // http2 is accepted for compatibility; the JDK server speaks HTTP/1.1 only, which every scraper supports.
            if (http.isPresent()) {
                http.get().bool("http2");
            }
            Optional<ServerTls> tls = tlsSection.isPresent()
                    ? ServerTls.from(tlsSection.get(), file.toAbsolutePath().getParent())
                    : Optional.empty();
            return new WebConfig(tls, basicAuth(root.stringMap("basic_auth_users")), headers);
        } catch (Invalid e) {
            throw new WebConfigException(file, e.getMessage());
        }
    }

    private static Object parseYaml(String text) throws Invalid {
        var options = new LoaderOptions();
        options.setAllowDuplicateKeys(false);
        try {
            return new Yaml(new SafeConstructor(options)).load(text);
        } catch (MarkedYAMLException e) {
            var mark = e.getProblemMark();
            throw new Invalid("not valid YAML: " + e.getProblem()
                    + (mark == null ? "" : " at line " + (mark.getLine() + 1) + ", column " + (mark.getColumn() + 1)));
        } catch (YAMLException e) {
            throw new Invalid("not valid YAML: " + e.getMessage());
        }
    }

    private static Map<String, String> headers(Optional<Section> http) throws Invalid {
        if (http.isEmpty()) {
            return Map.of();
        }
        Map<String, String> headers = http.get().stringMap("headers");
        for (Map.Entry<String, String> header : headers.entrySet()) {
            Set<String> allowed = HEADERS.get(header.getKey());
            if (allowed == null) {
                throw new Invalid("http_server_config.headers: header " + header.getKey() + " cannot be set (allowed: "
                        + String.join(", ", new TreeSet<>(HEADERS.keySet())) + ")");
            }
            if (!allowed.isEmpty() && !allowed.contains(header.getValue())) {
                throw new Invalid("http_server_config.headers." + header.getKey() + ": \"" + header.getValue()
                        + "\" is not one of " + String.join(", ", new TreeSet<>(allowed)));
            }
        }
        return Map.copyOf(headers);
    }

    private static Optional<BasicAuth> basicAuth(Map<String, String> users) throws Invalid {
        for (Map.Entry<String, String> user : users.entrySet()) {
            if (!BCRYPT.matcher(user.getValue()).matches()) {
                throw new Invalid("basic_auth_users." + user.getKey() + ": not a bcrypt hash (expected $2a$, $2b$ or $2y$,"
                        + " a cost from 04 to 31, $ and 53 characters, e.g. from htpasswd -nBC 10 \"\" | tr -d ':\\n')");
            }
        }
        return users.isEmpty() ? Optional.empty() : Optional.of(new BasicAuth(users));
    }

    Optional<ServerTls> tls() {
        return tls;
    }

    Map<String, String> headers() {
        return headers;
    }

    /** Whether requests must prove who they are (a client certificate or basic auth credentials). */
    boolean authenticates() {
        return basicAuth.isPresent() || tls.map(ServerTls::requiresClientCertificate).orElse(false);
    }

    Access access(HttpExchange exchange) {
        if (tls.map(ServerTls::requiresClientCertificate).orElse(false) && !hasPeerCertificate(exchange)) {
            return Access.NEEDS_CLIENT_CERTIFICATE;
        }
        if (basicAuth.isPresent() && !basicAuth.get().permits(exchange.getRequestHeaders().getFirst("Authorization"))) {
            return Access.NEEDS_CREDENTIALS;
        }
        return Access.GRANTED;
    }

    /** A certificate here has passed the handshake's checks (chain and allowed SANs, as configured). */
    private static boolean hasPeerCertificate(HttpExchange exchange) {
        if (!(exchange instanceof HttpsExchange https)) {
            return false;
        }
        try {
            return https.getSSLSession().getPeerCertificates().length > 0;
        } catch (SSLPeerUnverifiedException e) {
            return false;
        }
    }

    /** One line for the start-up log. */
    String describe() {
        List<String> parts = new ArrayList<>();
        parts.add(tls.map(ServerTls::describe).orElse("plain HTTP"));
        basicAuth.ifPresent(auth -> parts.add("basic auth (" + auth.users() + (auth.users() == 1 ? " user)" : " users)")));
        if (!headers.isEmpty()) {
            parts.add("headers " + String.join(", ", new TreeSet<>(headers.keySet())));
        }
        return String.join(", ", parts);
    }

    /** One mapping of the file, by its dotted path, that rejects keys it does not know. */
    record Section(String path, Map<?, ?> values) {
        static Section of(String path, Object value, Set<String> known) throws Invalid {
            if (value == null) {
                return new Section(path, Map.of());
            }
            if (!(value instanceof Map<?, ?> map)) {
                throw new Invalid((path.isEmpty() ? "the file" : path) + ": expected a mapping with the keys "
                        + String.join(", ", new TreeSet<>(known)));
            }
            for (Object key : map.keySet()) {
                if (!known.contains(String.valueOf(key))) {
                    throw new Invalid("unknown key " + dotted(path, String.valueOf(key)) + " (known here: "
                            + String.join(", ", new TreeSet<>(known)) + ")");
                }
            }
            return new Section(path, map);
        }

        private static String dotted(String path, String key) {
            return path.isEmpty() ? key : path + "." + key;
        }

        Optional<Section> section(String key, Set<String> known) throws Invalid {
            return values.get(key) == null ? Optional.empty() : Optional.of(of(dotted(path, key), values.get(key), known));
        }

        Optional<String> string(String key) throws Invalid {
            Object value = values.get(key);
            if (value == null) {
                return Optional.empty();
            }
            if (value instanceof Map || value instanceof List) {
                throw new Invalid(dotted(path, key) + ": expected a string");
            }
            String text = String.valueOf(value);
            return text.isEmpty() ? Optional.empty() : Optional.of(text);
        }

        Optional<Boolean> bool(String key) throws Invalid {
            Object value = values.get(key);
            if (value != null && !(value instanceof Boolean)) {
                throw new Invalid(dotted(path, key) + ": expected true or false, not \"" + value + "\"");
            }
            return Optional.ofNullable((Boolean) value);
        }

        List<String> strings(String key) throws Invalid {
            Object value = values.get(key);
            if (value == null) {
                return List.of();
            }
            if (!(value instanceof List<?> list) || list.stream().anyMatch(v -> v instanceof Map || v instanceof List || v == null)) {
                throw new Invalid(dotted(path, key) + ": expected a list of strings");
            }
            return list.stream().map(String::valueOf).toList();
        }

        Map<String, String> stringMap(String key) throws Invalid {
            Object value = values.get(key);
            if (value == null) {
                return Map.of();
            }
            if (!(value instanceof Map<?, ?> map) || map.values().stream().anyMatch(v -> v instanceof Map || v instanceof List || v == null)) {
                throw new Invalid(dotted(path, key) + ": expected a mapping of strings to strings");
            }
            Map<String, String> strings = new LinkedHashMap<>();
            map.forEach((k, v) -> strings.put(String.valueOf(k), String.valueOf(v)));
            return strings;
        }
    }
}
