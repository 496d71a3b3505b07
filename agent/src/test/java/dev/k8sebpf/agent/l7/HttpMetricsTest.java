package dev.k8sebpf.agent.l7;

import static org.assertj.core.api.Assertions.assertThat;

import dev.k8sebpf.agent.metrics.Gc;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class HttpMetricsTest {
    /** Micrometer holds a function-backed meter's state weakly: the kernel's tallies must still read after GCs. */
    @Test
    void kernelTalliesKeepReadingAfterGarbageCollection() {
        var registry = new SimpleMeterRegistry();
        AtomicLong lost = new AtomicLong();
        AtomicLong inKernel = new AtomicLong();
        new HttpMetrics(registry, Duration.ZERO).bindKernel(lost::get, inKernel::get);
        lost.set(17);
        inKernel.set(4_000);
        Gc.collect();
        assertThat(registry.get(HttpMetrics.LOST).functionCounter().count()).isEqualTo(17);
        assertThat(registry.get(HttpMetrics.IN_KERNEL).functionCounter().count()).isEqualTo(4_000);
    }
}
