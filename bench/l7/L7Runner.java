import dev.k8sebpf.agent.l7.L7;
import dev.k8sebpf.agent.l7.L7Options;
import dev.k8sebpf.agent.mapping.Destination;
import dev.k8sebpf.agent.mapping.IpKey;
import dev.k8sebpf.agent.mapping.MappingTable;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.search.Search;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The L7 part of the agent alone, for bench/l7/run.py: maps SERVER_IP to bench/nginx, polls every
 * POLL_MS (default 100, like the agent), and answers "count" on stdin with "<requests to nginx> <filtered> <lost>
 * <TLS handshakes to nginx> <responses from nginx>" (other HTTP servers on the node are counted too, as unmapped, but
 * not reported here); "off" detaches the hooks, "on" attaches them again (the agent's defaults), "on no-tls" attaches
 * them with TLS handshakes not captured (ENABLE_L7_TLS=false), "on responses" with responses followed
 * (ENABLE_L7_RESPONSES=true).
 * Usage: java -cp agent/target/classes:agent/target/lib/* bench/l7/L7Runner.java SERVER_IP [POLL_MS]
 */
public class L7Runner {
    public static void main(String[] args) throws Exception {
        MappingTable mapping = new MappingTable(Duration.ofMinutes(5), 64, System::nanoTime);
        mapping.put(IpKey.parse(args[0]), new Destination("bench", "nginx", "nginx-0"));
        long pollMillis = args.length > 1 ? Long.parseLong(args[1]) : 100;
        Object lock = new Object();
        Attached[] attached = {Attached.start(mapping, true, false)};
        Thread.ofPlatform().daemon().name("poller").start(() -> {
            while (true) {
                synchronized (lock) {
                    if (attached[0] != null) {
                        attached[0].l7.poll();
                    }
                }
                try {
                    Thread.sleep(pollMillis);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        System.out.println("ready");
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in));
        for (String line = in.readLine(); line != null; line = in.readLine()) {
            synchronized (lock) {
                switch (line) {
                    case "count" -> {
                        L7 l7 = attached[0].l7;
                        l7.poll();
                        PrometheusMeterRegistry registry = attached[0].registry;
                        System.out.println(total(registry.find("internal_http_requests").tag("destination_service", "nginx")) + " "
                                + total(registry.find("internal_http_filtered_requests")) + " " + l7.lostEvents() + " "
                                + total(registry.find("internal_tls_handshakes").tag("destination_service", "nginx")) + " "
                                + total(registry.find("internal_http_responses").tag("destination_service", "nginx")));
                    }
                    // detach and attach again, for bench/l7/windows.py
                    case "off" -> {
                        attached[0].l7.close();
                        attached[0] = null;
                        System.out.println("off");
                    }
                    case "on", "on no-tls", "on responses" -> {
                        attached[0] = Attached.start(mapping, !line.equals("on no-tls"), line.equals("on responses"));
                        System.out.println(line);
                    }
                    default -> System.out.println("unknown command " + line);
                }
            }
        }
        synchronized (lock) {
            if (attached[0] != null) {
                attached[0].l7.close();
            }
        }
    }

    private static long total(Search counters) {
        return (long) counters.counters().stream().mapToDouble(Counter::count).sum();
    }

    /** The hooks attached, with a registry of their own (a fresh attach starts its counters at 0). */
    private record Attached(L7 l7, PrometheusMeterRegistry registry) {
        static Attached start(MappingTable mapping, boolean tlsHandshakes, boolean responses) throws Exception {
            PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            return new Attached(L7.start(new L7Options(true, List.of(), List.of("agent"), 100, false, 5_000, Duration.ofMinutes(15),
                    Optional.empty(), tlsHandshakes, 100, responses), mapping, registry), registry);
        }
    }
}
