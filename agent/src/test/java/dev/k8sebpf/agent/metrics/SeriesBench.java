package dev.k8sebpf.agent.metrics;

import com.sun.management.ThreadMXBean;
import dev.k8sebpf.agent.mapping.Destination;
import io.micrometer.core.instrument.Counter;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.Arrays;

/**
 * Series benchmark (not a test): the heap one series keeps in the agent's registry, and what one scrape
 * costs at that size (allocation and time), for L4 attempt series (4 labels, each its own process name)
 * and L7 request series (7 labels, each its own source IP, paths from a set of 100). A control row with
 * 0 series gives the fixed part the per-series figure is taken against. Run with bench/series/run.sh.
 */
public final class SeriesBench {
    private static final ThreadMXBean THREADS = (ThreadMXBean) ManagementFactory.getThreadMXBean();

    private SeriesBench() {
    }

    public static void main(String[] args) {
        int[] sizes = args.length == 0 ? new int[] {0, 5_000, 10_000, 20_000}
                : Arrays.stream(args).mapToInt(Integer::parseInt).toArray();
        for (String family : new String[] {"l4", "l7"}) {
            measure(family, 2_000); // warm-up: classes, JIT, static caches; not printed
            System.out.println();
            System.out.println("| " + family + " series | retained after scrapes | per series | scrape body | scrape allocates | per series | scrape time (median of 9) |");
            System.out.println("|---|---|---|---|---|---|---|");
            Row control = null;
            for (int n : sizes) {
                Row row = measure(family, n);
                if (control == null) {
                    control = row;
                }
                System.out.printf("| %,d | %.1f MB | %s | %.1f MB | %.1f MB | %s | %.1f ms |%n", n, row.retained / 1e6,
                        n == 0 ? "—" : String.format("%,d B", (row.retained - control.retained) / n), row.body / 1e6,
                        row.allocated / 1e6, n == 0 ? "—" : String.format("%,d B", (row.allocated - control.allocated) / n),
                        row.medianNanos / 1e6);
            }
        }
    }

    private record Row(long retained, long body, long allocated, long medianNanos) {
    }

    private static Row measure(String family, int n) {
        long before = usedAfterGc();
        var metrics = new AgentMetrics(Integer.MAX_VALUE, Duration.ZERO, System::nanoTime);
        Destination[] destinations = new Destination[1_000];
        for (int d = 0; d < destinations.length; d++) {
            destinations[d] = new Destination("team-" + d % 100 + "-prod", "checkout-service-" + d,
                    "checkout-service-" + d + "-7d9f8b6c5-x2kq" + d % 10);
            metrics.serviceAdded(destinations[d].namespace(), destinations[d].service());
        }
        for (int i = 0; i < n; i++) {
            Destination to = destinations[i % destinations.length];
            if (family.equals("l4")) {
                metrics.countAttempt(to, "worker-" + i);
            } else {
                // as HttpMetrics registers them
                Counter.builder("internal_http_requests")
                        .tag("source_ip", "10." + (i >> 16 & 255) + "." + (i >> 8 & 255) + "." + (i & 255))
                        .tag("destination_namespace", to.namespace())
                        .tag("destination_service", to.service())
                        .tag("destination_pod", to.pod())
                        .tag("method", i % 5 == 0 ? "POST" : "GET")
                        .tag("path", "/api/v1/orders/{id}/items/" + i % 100)
                        .tag("process_comm", "nginx")
                        .register(metrics.registry()).increment();
            }
        }
        long[] nanos = new long[9];
        long allocated = 0;
        long body = 0;
        for (int r = 0; r < nanos.length; r++) {
            long a0 = THREADS.getCurrentThreadAllocatedBytes();
            long t0 = System.nanoTime();
            body = metrics.scrape(null).body().length;
            nanos[r] = System.nanoTime() - t0;
            allocated = THREADS.getCurrentThreadAllocatedBytes() - a0;
        }
        long retained = usedAfterGc() - before;
        Arrays.sort(nanos);
        if (metrics.scrape(null).body().length != body) {
            throw new AssertionError("the registry stays reachable until here, unchanged");
        }
        return new Row(retained, body, allocated, nanos[nanos.length / 2]);
    }

    private static long usedAfterGc() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
