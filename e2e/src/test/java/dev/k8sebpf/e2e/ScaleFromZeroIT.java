package dev.k8sebpf.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Scale from zero, end to end on loopback: the packaged agent (real eBPF, ENABLE_L7_HTTP=true) knows
 * a Service whose ClusterIP has no listener (zero pods) and a Service with one pod (a python3 HTTP
 * server on a loopback "pod IP"); Prometheus and VictoriaMetrics scrape the agent every second.
 * KEDA's evaluation of the activation query must flip to "scale 0 → 1" after one connect attempt and
 * back to 0 once the attempt leaves the query window; HTTP requests to the pod show up by method and
 * path in both stores.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ScaleFromZeroIT {
    private static final Duration SCRAPE_INTERVAL = Duration.ofSeconds(1);
    /** Two scrape intervals, plus KEDA's whole-second query time and the agent's 100 ms poll. */
    private static final Duration ACTIVATION_BUDGET = SCRAPE_INTERVAL.multipliedBy(2).plusMillis(1500);
    private static final String CLUSTER_IP = "127.77.0.10";
    private static final int SERVICE_PORT = 80;
    /** A pod of Service demo/api: the HTTP server the L7 test sends requests to. */
    private static final String POD_IP = "127.77.0.21";
    private static final int POD_PORT = 8080;
    private static final String MAPPING = """
            apiVersion: v1
            kind: Service
            metadata:
              name: web
              namespace: demo
            spec:
              type: ClusterIP
              clusterIP: %s
              clusterIPs: [%s]
              ports:
              - port: %d
                protocol: TCP
            ---
            apiVersion: v1
            kind: Service
            metadata:
              name: api
              namespace: demo
            spec:
              type: ClusterIP
              clusterIP: 127.77.0.20
              ports:
              - port: 80
                targetPort: %d
            ---
            apiVersion: discovery.k8s.io/v1
            kind: EndpointSlice
            metadata:
              name: api-1
              namespace: demo
              labels:
                kubernetes.io/service-name: api
            addressType: IPv4
            endpoints:
            - addresses: [%s]
              targetRef: {kind: Pod, name: api-0, namespace: demo}
            ports:
            - port: %d
              protocol: TCP
            """.formatted(CLUSTER_IP, CLUSTER_IP, SERVICE_PORT, POD_PORT, POD_IP, POD_PORT);
    private static final String QUERY = ActivationQuery.forService("demo", "web");

    private AgentUnderTest agent;
    private ManagedProcess podServer;
    private final List<MetricsStore> stores = new ArrayList<>();
    private final Map<MetricsStore, Long> activatedAtNanos = new LinkedHashMap<>();

    @BeforeAll
    void start(@TempDir Path dir) throws IOException {
        Requirements.requireRoot();
        agent = AgentUnderTest.start(MAPPING, Map.of("ENABLE_L7_HTTP", "true"), dir);
        podServer = ManagedProcess.start("pod api-0 (python3 http.server)", List.of("python3", "-m", "http.server",
                String.valueOf(POD_PORT), "--bind", POD_IP, "--directory", dir.toString()), Map.of(), dir.resolve("pod.log"))
                .awaitHttpOk("http://" + POD_IP + ":" + POD_PORT + "/", Duration.ofSeconds(30));
        stores.add(MetricsStore.prometheus(agent.metricsAddress(), SCRAPE_INTERVAL, dir));
        stores.add(MetricsStore.victoriaMetrics(agent.metricsAddress(), SCRAPE_INTERVAL, dir));
    }

    @AfterAll
    void stop() {
        stores.forEach(MetricsStore::close);
        if (podServer != null) {
            podServer.close();
        }
        if (agent != null) {
            agent.close();
        }
    }

    @Test
    @Order(1)
    void oneConnectAttemptToAServiceWithZeroPodsMakesKedaScaleFromZeroInBothStores() throws Exception {
        for (MetricsStore store : stores) {
            awaitSeriesAtZero(store);
        }

        long attemptAt = System.nanoTime();
        assertThatThrownBy(() -> {
            try (var socket = new Socket()) {
                socket.connect(new InetSocketAddress(CLUSTER_IP, SERVICE_PORT), 2000);
            }
        }).as("nothing listens on the ClusterIP: the Service has zero pods").isInstanceOf(ConnectException.class);

        Map<MetricsStore, Long> activated = awaitEveryStore(KedaPrometheusTrigger.Decision::active,
                attemptAt + ACTIVATION_BUDGET.plusSeconds(5).toNanos());
        for (MetricsStore store : stores) {
            assertThat(activated).as("%s: KEDA active 5 s after the budget; agent log:%n%s", store, agent.log()).containsKey(store);
            Duration elapsed = Duration.ofNanos(activated.get(store) - attemptAt);
            System.out.printf("e2e: %s: KEDA would scale 0->1 %d ms after the connect attempt%n", store, elapsed.toMillis());
            assertThat(elapsed).as("%s: time from the attempt to KEDA's activation", store).isLessThanOrEqualTo(ACTIVATION_BUDGET);
        }
        activatedAtNanos.putAll(activated);
        assertThat(scrapeAgent()).as("the agent counted exactly the one attempt")
                .contains("internal_tcp_service_attempts_total{destination_namespace=\"demo\",destination_service=\"web\"} 1.0");
    }

    @Test
    @Order(2)
    void whenTrafficStopsKedaSeesZeroAgainAfterTheQueryWindow() throws Exception {
        assertThat(activatedAtNanos).as("needs the activation of the previous test").hasSize(stores.size());
        long firstActivation = activatedAtNanos.values().stream().min(Long::compare).orElseThrow();
        Map<MetricsStore, Long> idle = awaitEveryStore(decision -> decision.equals(new KedaPrometheusTrigger.Decision(0, false)),
                firstActivation + ActivationQuery.WINDOW.plus(ACTIVATION_BUDGET).plusSeconds(5).toNanos());
        for (MetricsStore store : stores) {
            assertThat(idle).as("%s: KEDA back at 0 after the window", store).containsKey(store);
            Duration elapsed = Duration.ofNanos(idle.get(store) - activatedAtNanos.get(store));
            System.out.printf("e2e: %s: back to 0 %d ms after it turned positive%n", store, elapsed.toMillis());
            // Not earlier than the window minus the sample spacing: KEDA must keep seeing the attempt
            // for a whole window, whatever its polling phase.
            assertThat(elapsed).as("%s: how long KEDA kept seeing the attempt", store)
                    .isBetween(ActivationQuery.WINDOW.minus(SCRAPE_INTERVAL.multipliedBy(3)),
                            ActivationQuery.WINDOW.plus(ACTIVATION_BUDGET));
        }
    }

    @Test
    @Order(3)
    void httpRequestsToAPodShowUpByMethodAndPathInBothStores() throws Exception {
        var client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        String pod = "http://" + POD_IP + ":" + POD_PORT;
        for (int i = 0; i < 3; i++) {
            client.send(HttpRequest.newBuilder(URI.create(pod + "/orders/" + (40 + i) + "?page=2")).build(), HttpResponse.BodyHandlers.discarding());
        }
        for (int i = 0; i < 2; i++) {
            // python's http.server answers POST with 501; the request still reached the pod
            client.send(HttpRequest.newBuilder(URI.create(pod + "/cart")).POST(HttpRequest.BodyPublishers.ofString("{}")).build(),
                    HttpResponse.BodyHandlers.discarding());
        }
        Map<String, Double> expected = Map.of("GET /orders/{id}", 3.0, "POST /cart", 2.0);
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        for (MetricsStore store : stores) {
            Map<String, Double> seen = new LinkedHashMap<>();
            while (!seen.equals(expected) && System.nanoTime() < deadline) {
                ManagedProcess.sleep(Duration.ofMillis(200));
                for (String request : expected.keySet()) {
                    String[] methodAndPath = request.split(" ");
                    String query = "sum(internal_http_requests_total{destination_namespace=\"demo\",destination_service=\"api\","
                            + "destination_pod=\"api-0\",method=\"%s\",path=\"%s\"})".formatted(methodAndPath[0], methodAndPath[1]);
                    seen.put(request, store.trigger(query).execute());
                }
            }
            assertThat(seen).as("%s: HTTP requests to pod demo/api-0 by method and path; agent log:%n%s", store, agent.log())
                    .isEqualTo(expected);
        }
    }

    @Test
    @Order(4)
    void theDashboardAndTheKedaExamplesQuerySeriesTheAgentExports() throws Exception {
        String scrape = scrapeAgent();
        for (String series : DeployFiles.queriedSeries()) {
            assertThat(scrape).as("the agent's /metrics").containsPattern("(?m)^" + series + "[{ ]");
        }
        var prometheus = stores.getFirst();
        for (String expression : DeployFiles.dashboardExpressions()) {
            String runnable = expression.replace("$__rate_interval", "1m").replace("$node", ".*");
            assertThatCode(() -> KedaPrometheusTrigger.of(prometheus.baseUrl(), "count(" + runnable + ")", Map.of()).execute())
                    .as("dashboard query %s", expression).doesNotThrowAnyException();
        }
    }

    /**
     * Polls every store's KEDA trigger together (so one store's delay does not inflate another's time)
     * until each decision matches; returns when each first matched, leaving out stores that never did.
     */
    private Map<MetricsStore, Long> awaitEveryStore(Predicate<KedaPrometheusTrigger.Decision> wanted, long deadlineNanos)
            throws KedaPrometheusTrigger.QueryException {
        Map<MetricsStore, Long> matchedAt = new LinkedHashMap<>();
        while (matchedAt.size() < stores.size() && System.nanoTime() < deadlineNanos) {
            for (MetricsStore store : stores) {
                if (!matchedAt.containsKey(store) && wanted.test(store.trigger(QUERY).poll())) {
                    matchedAt.put(store, System.nanoTime());
                }
            }
            ManagedProcess.sleep(Duration.ofMillis(50));
        }
        return matchedAt;
    }

    /** The series exists at 0 (one element, value 0) before any attempt: KEDA gets 0, not "no data". */
    private static void awaitSeriesAtZero(MetricsStore store) throws Exception {
        var strict = new KedaPrometheusTrigger(store.baseUrl(), QUERY, store.queryParameters(), 0, false, Clock.systemUTC());
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        KedaPrometheusTrigger.QueryException last = null;
        while (System.nanoTime() < deadline) {
            try {
                assertThat(strict.poll()).as("%s before any attempt", store).isEqualTo(new KedaPrometheusTrigger.Decision(0, false));
                return;
            } catch (KedaPrometheusTrigger.QueryException e) {
                last = e;  // not scraped twice yet
            }
            ManagedProcess.sleep(Duration.ofMillis(200));
        }
        throw new AssertionError(store + " never returned the activation series at 0: " + last.getMessage());
    }

    private String scrapeAgent() throws IOException, InterruptedException {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://" + agent.metricsAddress() + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }
}
