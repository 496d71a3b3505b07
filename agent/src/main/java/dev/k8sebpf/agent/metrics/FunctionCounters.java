package dev.k8sebpf.agent.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.function.LongSupplier;

/**
 * Counters whose value is read from elsewhere (the kernel's tallies, a table's evictions) at scrape time.
 * Micrometer holds a FunctionCounter's state object only weakly, so a lambda or method reference given as
 * that object is collected at the next GC and the series freezes at its last value. Here the state object
 * is the registry itself (alive as long as anyone scrapes it) and the source sits in the function, which
 * the meter holds strongly.
 */
public final class FunctionCounters {
    private FunctionCounters() {
    }

    public static void register(MeterRegistry registry, String name, String description, LongSupplier source) {
        FunctionCounter.builder(name, registry, ignored -> source.getAsLong())
                .description(description)
                .register(registry);
    }
}
