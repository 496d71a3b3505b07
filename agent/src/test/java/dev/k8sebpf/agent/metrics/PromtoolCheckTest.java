package dev.k8sebpf.agent.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.k8sebpf.agent.mapping.Destination;
import dev.k8sebpf.agent.mapping.MappingTable;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class PromtoolCheckTest {

    @Test
    void everySeriesPassesPromtool() throws Exception {
        var metrics = new AgentMetrics(10_000, Duration.ZERO, System::nanoTime);
        metrics.bindKernel("syscall_tracepoint", () -> 2, () -> 5);
        metrics.bindMapping(new MappingTable(Duration.ofSeconds(60), 10, System::nanoTime));
        metrics.serviceAdded("shop", "web");
        metrics.countAttempt(new Destination("shop", "web", "web-1"), "curl");
        metrics.countAttempt(Destination.UNMAPPED, "weird \"comm\"\\");

        byte[] text = metrics.scrape(null).body();
        assertThat(new String(text)).contains("process_comm=\"weird \\\"comm\\\"\\\\\"");
        Promtool.assertValid(text);
    }

    @Test
    void promtoolRejectsBrokenExposition() throws Exception {
        // Guards the check above: a broken scrape must make the helper fail.
        Promtool.requireInstalled();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Promtool.assertValid("metric{ 1\n".getBytes()))
                .isInstanceOf(AssertionError.class);
    }
}
