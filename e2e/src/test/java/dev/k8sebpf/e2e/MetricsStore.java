package dev.k8sebpf.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A real Prometheus or VictoriaMetrics single-node on loopback, scraping one target every
 * {@code interval}, with its storage in a temp dir. KEDA queries it through {@link #trigger}.
 */
record MetricsStore(String name, String baseUrl, Map<String, String> queryParameters, ManagedProcess process)
        implements AutoCloseable {

    private static final Duration STARTUP = Duration.ofSeconds(60);

    static MetricsStore prometheus(String target, Duration interval, Path dir) throws IOException {
        Path binary = Requirements.requireExecutable("/usr/bin/prometheus");
        Path config = Files.writeString(dir.resolve("prometheus.yml"), scrapeConfig(target, interval));
        int port = FreePort.pick();
        var process = ManagedProcess.start("prometheus", List.of(binary.toString(),
                "--config.file=" + config,
                "--storage.tsdb.path=" + Files.createDirectories(dir.resolve("prometheus-data")),
                "--web.listen-address=127.0.0.1:" + port,
                "--log.level=warn"), Map.of(), dir.resolve("prometheus.log"));
        String url = "http://127.0.0.1:" + port;
        process.awaitHttpOk(url + "/-/ready", STARTUP);
        return new MetricsStore("Prometheus", url, Map.of(), process);
    }

    /**
     * VictoriaMetrics hides samples younger than -search.latencyOffset (30 s by default) from queries.
     * Newer releases accept a per-query {@code latency_offset}; Debian's 1.79 ignores it, so the flag
     * lowers it for the whole server and the query still carries the parameter, as deploy/keda does.
     */
    static MetricsStore victoriaMetrics(String target, Duration interval, Path dir) throws IOException {
        Path binary = Requirements.requireExecutable("/usr/bin/victoria-metrics");
        Path config = Files.writeString(dir.resolve("vm-scrape.yml"), scrapeConfig(target, interval));
        int port = FreePort.pick();
        var process = ManagedProcess.start("victoria-metrics", List.of(binary.toString(),
                "-promscrape.config=" + config,
                "-storageDataPath=" + Files.createDirectories(dir.resolve("vm-data")),
                "-httpListenAddr=127.0.0.1:" + port,
                "-search.latencyOffset=1ms",
                "-loggerLevel=WARN"), Map.of(), dir.resolve("victoria-metrics.log"));
        String url = "http://127.0.0.1:" + port;
        process.awaitHttpOk(url + "/health", STARTUP);
        return new MetricsStore("VictoriaMetrics", url, Map.of("latency_offset", "1ms"), process);
    }

    private static String scrapeConfig(String target, Duration interval) {
        return """
                global:
                  scrape_interval: %1$ds
                  scrape_timeout: %1$ds
                scrape_configs:
                  - job_name: k8s-ebpf-agent
                    static_configs:
                      - targets: ['%2$s']
                """.formatted(interval.toSeconds(), target);
    }

    KedaPrometheusTrigger trigger(String query) {
        return KedaPrometheusTrigger.of(baseUrl, query, queryParameters);
    }

    @Override
    public void close() {
        process.close();
    }

    @Override
    public String toString() {
        return name;
    }
}
