package dev.k8sebpf.agent.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.k8sebpf.agent.bpf.AddrFamily;
import dev.k8sebpf.agent.bpf.ConnectEvent;
import dev.k8sebpf.agent.mapping.Destination;
import dev.k8sebpf.agent.mapping.IpKey;
import dev.k8sebpf.agent.mapping.MappingTable;
import dev.k8sebpf.agent.metrics.AgentMetrics;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConnectEventCounterTest {
    private final MappingTable table = new MappingTable(Duration.ofSeconds(60), 100, System::nanoTime);
    private final AgentMetrics metrics = new AgentMetrics(10_000, Duration.ZERO, System::nanoTime);

    /** As the kernel sends it: IPv4 in the first 4 bytes of daddr with family 4, else 16 bytes with family 6. */
    static ConnectEvent event(String ip, String comm, int excluded) throws Exception {
        byte[] address = InetAddress.getByName(ip).getAddress();
        byte[] daddr = Arrays.copyOf(address, 16);
        byte[] commBytes = Arrays.copyOf(comm.getBytes(StandardCharsets.UTF_8), 16);
        return new ConnectEvent(daddr, 80, address.length == 4 ? AddrFamily.FAMILY_V4 : AddrFamily.FAMILY_V6, 1, 0, 4242, 0, excluded, new byte[2], commBytes);
    }

    private List<String> attempts() {
        String text = new String(metrics.scrape(null).body(), StandardCharsets.UTF_8);
        return text.lines().filter(line -> line.startsWith("internal_tcp_")).toList();
    }

    @Test
    void mappedV4AndV6AttemptsAreCountedPerDestinationAndComm() throws Exception {
        table.put(IpKey.parse("10.96.0.7"), new Destination("shop", "web", ""));
        table.put(IpKey.parse("fd00::5"), new Destination("shop", "web", "web-1"));
        metrics.serviceAdded("shop", "web");
        var counter = new ConnectEventCounter(table, metrics, false);
        counter.accept(event("10.96.0.7", "curl", 0));
        counter.accept(event("10.96.0.7", "curl", 0));
        counter.accept(event("fd00::5", "java", 0));
        assertThat(attempts()).containsExactlyInAnyOrder(
                "internal_tcp_attempts_total{destination_namespace=\"shop\",destination_pod=\"\",destination_service=\"web\",process_comm=\"curl\"} 2.0",
                "internal_tcp_attempts_total{destination_namespace=\"shop\",destination_pod=\"web-1\",destination_service=\"web\",process_comm=\"java\"} 1.0",
                "internal_tcp_service_attempts_total{destination_namespace=\"shop\",destination_service=\"web\"} 3.0");
    }

    @Test
    void unmappedIsCountedWithEmptyLabelsUnlessDropped() throws Exception {
        new ConnectEventCounter(table, metrics, false).accept(event("192.0.2.1", "curl", 0));
        new ConnectEventCounter(table, metrics, true).accept(event("192.0.2.1", "curl", 0));
        assertThat(attempts()).containsExactly(
                "internal_tcp_attempts_total{destination_namespace=\"\",destination_pod=\"\",destination_service=\"\",process_comm=\"curl\"} 1.0");
    }

    @Test
    void excludedEventsAreNotAttempts() throws Exception {
        table.put(IpKey.parse("10.96.0.7"), new Destination("shop", "web", ""));
        metrics.serviceAdded("shop", "web");
        new ConnectEventCounter(table, metrics, false).accept(event("10.96.0.7", "kubelet", 1));
        assertThat(attempts()).containsExactly(
                "internal_tcp_service_attempts_total{destination_namespace=\"shop\",destination_service=\"web\"} 0.0");
    }

    @Test
    void manyCommsKeepTheirOwnNames() throws Exception {
        var counter = new ConnectEventCounter(table, metrics, false);
        for (int round = 0; round < 3; round++) {
            for (int i = 0; i < 200; i++) {
                counter.accept(event("192.0.2.1", "worker-" + i, 0));
            }
        }
        assertThat(attempts()).hasSize(200).allSatisfy(line -> assertThat(line).endsWith("} 3.0"));
        assertThat(attempts()).anySatisfy(line -> assertThat(line).contains("process_comm=\"worker-199\""));
    }

    @Test
    void countingAKnownTupleDoesNotAllocate() throws Exception {
        table.put(IpKey.parse("10.96.0.7"), new Destination("shop", "web", "web-1"));
        metrics.serviceAdded("shop", "web");
        var counter = new ConnectEventCounter(table, metrics, false);
        ConnectEvent event = event("10.96.0.7", "curl", 0);
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long perEvent = Long.MAX_VALUE;
        // JIT warm-up is not deterministic: take the best of a few rounds.
        for (int round = 0; round < 10 && perEvent > 0; round++) {
            long before = threads.getCurrentThreadAllocatedBytes();
            for (int i = 0; i < 200_000; i++) {
                counter.accept(event);
            }
            perEvent = (threads.getCurrentThreadAllocatedBytes() - before) / 200_000;
        }
        assertThat(perEvent).as("bytes allocated per counted event").isZero();
    }
}
