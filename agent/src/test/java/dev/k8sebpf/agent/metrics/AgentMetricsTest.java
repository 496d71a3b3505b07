package dev.k8sebpf.agent.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.k8sebpf.agent.mapping.Destination;
import dev.k8sebpf.agent.mapping.IpKey;
import dev.k8sebpf.agent.mapping.MappingTable;
import io.micrometer.core.instrument.FunctionCounter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class AgentMetricsTest {
    private static final String TEXT_0_0_4 = "text/plain; version=0.0.4; charset=utf-8";

    private final AgentMetrics metrics = new AgentMetrics(10_000, Duration.ZERO, System::nanoTime);

    private List<String> samples() {
        return samples(metrics);
    }

    static List<String> samples(AgentMetrics metrics) {
        AgentMetrics.Scrape scrape = metrics.scrape(null);
        assertThat(scrape.contentType()).isEqualTo(TEXT_0_0_4);
        return new String(scrape.body(), StandardCharsets.UTF_8).lines().filter(line -> !line.startsWith("#")).toList();
    }

    @Test
    void attemptsCarryDestinationAndComm() {
        metrics.countAttempt(new Destination("shop", "web", "web-1"), "curl");
        metrics.countAttempt(new Destination("shop", "web", "web-1"), "curl");
        metrics.countAttempt(new Destination("shop", "web", ""), "java");
        metrics.countAttempt(Destination.UNMAPPED, "curl");
        assertThat(samples()).containsExactlyInAnyOrder(
                "internal_tcp_attempts_total{destination_namespace=\"\",destination_pod=\"\",destination_service=\"\",process_comm=\"curl\"} 1.0",
                "internal_tcp_attempts_total{destination_namespace=\"shop\",destination_pod=\"\",destination_service=\"web\",process_comm=\"java\"} 1.0",
                "internal_tcp_attempts_total{destination_namespace=\"shop\",destination_pod=\"web-1\",destination_service=\"web\",process_comm=\"curl\"} 2.0");
    }

    @Test
    void activationSeriesExistsAtZeroThenCountsEveryIpOfTheService() {
        metrics.serviceAdded("shop", "web");
        metrics.serviceAdded("shop", "web"); // a re-list announces it again
        assertThat(samples()).containsExactly(
                "internal_tcp_service_attempts_total{destination_namespace=\"shop\",destination_service=\"web\"} 0.0");

        metrics.countAttempt(new Destination("shop", "web", ""), "curl");
        metrics.countAttempt(new Destination("shop", "web", "web-1"), "curl");
        metrics.countAttempt(new Destination("other", "web", "web-1"), "curl"); // same name, other namespace
        assertThat(samples()).contains(
                "internal_tcp_service_attempts_total{destination_namespace=\"shop\",destination_service=\"web\"} 2.0");
        assertThat(samples()).filteredOn(line -> line.startsWith("internal_tcp_service_attempts_total")).hasSize(1);
    }

    @Test
    void serviceRemovedDropsItsSeries() {
        metrics.serviceAdded("shop", "web");
        metrics.serviceAdded("shop", "db");
        metrics.countAttempt(new Destination("shop", "web", "web-1"), "curl");
        metrics.countAttempt(new Destination("shop", "db", "db-0"), "curl");
        metrics.serviceRemoved("shop", "web");
        assertThat(samples()).containsExactlyInAnyOrder(
                "internal_tcp_attempts_total{destination_namespace=\"shop\",destination_pod=\"db-0\",destination_service=\"db\",process_comm=\"curl\"} 1.0",
                "internal_tcp_service_attempts_total{destination_namespace=\"shop\",destination_service=\"db\"} 1.0");
        metrics.serviceAdded("shop", "web");
        assertThat(samples()).contains(
                "internal_tcp_service_attempts_total{destination_namespace=\"shop\",destination_service=\"web\"} 0.0");
    }

    @Test
    void kernelAndMappingSeries() {
        AtomicLong lost = new AtomicLong(3);
        AtomicLong excluded = new AtomicLong(7);
        var table = new MappingTable(Duration.ofSeconds(60), 1, System::nanoTime);
        table.put(IpKey.parse("10.0.0.1"), new Destination("a", "b", ""));
        table.put(IpKey.parse("10.0.0.2"), new Destination("a", "b", ""));
        metrics.bindKernel("cgroup", lost::get, excluded::get);
        metrics.bindMapping(table);
        lost.set(4);
        assertThat(samples()).containsExactlyInAnyOrder(
                "internal_agent_hook_tier{tier=\"cgroup\"} 1.0",
                "internal_agent_lost_events_total 4.0",
                "internal_tcp_excluded_attempts_total 7.0",
                "internal_agent_mapping_entries 1.0",
                "internal_agent_mapping_evictions_total 1.0",
                "internal_tcp_overflowed_attempts_total 0.0");
    }

    /** Micrometer holds a function-backed meter's state weakly: every such meter must still read after GCs. */
    @Test
    void functionBackedSeriesKeepReadingAfterGarbageCollection() {
        AtomicLong lost = new AtomicLong();
        AtomicLong excluded = new AtomicLong();
        bindThroughThrowawayObjects(lost, excluded);
        lost.set(225_103);
        excluded.set(5_000);
        Gc.collect();
        assertThat(samples()).containsExactlyInAnyOrder(
                "internal_agent_hook_tier{tier=\"cgroup\"} 1.0",
                "internal_agent_lost_events_total 225103.0",
                "internal_tcp_excluded_attempts_total 5000.0",
                "internal_agent_mapping_entries 1.0",
                "internal_agent_mapping_evictions_total 1.0",
                "internal_tcp_overflowed_attempts_total 0.0");
    }

    /** As Main binds them: method references made on the spot, and a table this test keeps no reference to. */
    private void bindThroughThrowawayObjects(AtomicLong lost, AtomicLong excluded) {
        var table = new MappingTable(Duration.ofSeconds(60), 1, System::nanoTime);
        table.put(IpKey.parse("10.0.0.1"), new Destination("a", "b", ""));
        table.put(IpKey.parse("10.0.0.2"), new Destination("a", "b", ""));
        metrics.bindKernel("cgroup", lost::get, excluded::get);
        metrics.bindMapping(table);
    }

    /** A process can rename itself at will (prctl): process names must not grow the series without bound. */
    @Test
    void processNamesBeyondTheCapCountUnderOther() {
        var capped = new AgentMetrics(3, Duration.ZERO, System::nanoTime);
        capped.bindKernel("cgroup", () -> 0, () -> 0);
        capped.serviceAdded("shop", "web");
        Destination web = new Destination("shop", "web", "web-1");
        for (int i = 0; i < 20_000; i++) {
            capped.countAttempt(web, "proc-" + i);
        }
        List<String> attempts = samples(capped).stream().filter(l -> l.startsWith("internal_tcp_attempts_total")).toList();
        assertThat(attempts).hasSize(4).contains(
                "internal_tcp_attempts_total{destination_namespace=\"shop\",destination_pod=\"web-1\",destination_service=\"web\",process_comm=\"{other}\"} 19997.0");
        assertThat(samples(capped)).contains(
                "internal_tcp_service_attempts_total{destination_namespace=\"shop\",destination_service=\"web\"} 20000.0",
                "internal_tcp_overflowed_attempts_total 19997.0");
    }

    @Test
    void idleAttemptSeriesAreRemovedAtScrape() {
        AtomicLong clock = new AtomicLong();
        var expiring = new AgentMetrics(100, Duration.ofMinutes(4), clock::get);
        expiring.countAttempt(new Destination("shop", "web", "web-1"), "curl");
        clock.set(Duration.ofMinutes(5).toNanos());
        expiring.countAttempt(new Destination("shop", "web", "web-1"), "wget");
        assertThat(samples(expiring)).filteredOn(l -> l.startsWith("internal_tcp_attempts_total")).containsExactly(
                "internal_tcp_attempts_total{destination_namespace=\"shop\",destination_pod=\"web-1\",destination_service=\"web\",process_comm=\"wget\"} 1.0");
    }

    /** A scrape that fails (here a meter that throws) is reported to liveness until a scrape succeeds. */
    @Test
    void aFailedScrapeIsAProblemUntilOneSucceeds() {
        var broken = FunctionCounter.builder("broken", metrics, m -> {
            throw new OutOfMemoryError("Java heap space");
        }).register(metrics.registry());
        assertThat(metrics.scrapeProblem()).isEmpty();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> metrics.scrape(null)).isInstanceOf(OutOfMemoryError.class);
        assertThat(metrics.scrapeProblem()).contains("rendering /metrics failed: java.lang.OutOfMemoryError: Java heap space");
        metrics.registry().remove(broken);
        metrics.scrape(null);
        assertThat(metrics.scrapeProblem()).isEmpty();
    }

    @Test
    void openMetricsWhenAsked() {
        metrics.serviceAdded("shop", "web");
        AgentMetrics.Scrape scrape = metrics.scrape("application/openmetrics-text; version=1.0.0; charset=utf-8,text/plain;q=0.5");
        assertThat(scrape.contentType()).startsWith("application/openmetrics-text");
        assertThat(new String(scrape.body(), StandardCharsets.UTF_8))
                .contains("# TYPE internal_tcp_service_attempts counter\n")
                .contains("internal_tcp_service_attempts_total{destination_namespace=\"shop\",destination_service=\"web\"} 0.0\n")
                .endsWith("# EOF\n");
    }
}
