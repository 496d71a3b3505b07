package dev.k8sebpf.agent.l7;

import static org.assertj.core.api.Assertions.assertThat;

import dev.k8sebpf.agent.metrics.Gc;
import dev.k8sebpf.agent.httpparse.HttpMethod;
import dev.k8sebpf.agent.mapping.Destination;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class HttpMetricsTest {
    /** 5,000 clients × 4 paths against a cap of 100: the series stop at the cap plus one overflow series per method. */
    @Test
    void sourceIpsAndProcessesBeyondTheCapCountInTheDestinationsOverflowSeries() {
        var registry = new SimpleMeterRegistry();
        var metrics = new HttpMetrics(registry, 100, Duration.ZERO);
        var orders = new Destination("shop", "orders", "orders-1");
        for (int client = 0; client < 5_000; client++) {
            for (int path = 0; path < 4; path++) {
                metrics.countRequest(0, 0x0a000000L + client, orders, path == 3 ? HttpMethod.POST : HttpMethod.GET,
                        "/p" + path, "nginx-" + client % 7);
            }
        }
        var counters = registry.find(HttpMetrics.REQUESTS).counters();
        assertThat(counters).hasSize(102);
        assertThat(counters.stream().mapToDouble(Counter::count).sum()).isEqualTo(20_000);
        Counter overflowGets = registry.get(HttpMetrics.REQUESTS).tag("method", "GET").tag("source_ip", "{other}")
                .tag("path", "/{other}").tag("process_comm", "{other}").tag("destination_service", "orders").counter();
        assertThat(overflowGets.count()).isEqualTo(15_000 - 75);
        assertThat(registry.get(HttpMetrics.OVERFLOWED).functionCounter().count()).isEqualTo(20_000 - 100);
    }

    /** Micrometer holds a function-backed meter's state weakly: the kernel's tallies must still read after GCs. */
    @Test
    void kernelTallyKeepsReadingAfterGarbageCollection() {
        var registry = new SimpleMeterRegistry();
        AtomicLong lost = new AtomicLong();
        new HttpMetrics(registry, 10_000, Duration.ZERO).bindKernel(lost::get);
        lost.set(17);
        Gc.collect();
        assertThat(registry.get(HttpMetrics.LOST).functionCounter().count()).isEqualTo(17);
    }
}
