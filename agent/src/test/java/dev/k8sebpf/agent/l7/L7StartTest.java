package dev.k8sebpf.agent.l7;

import static org.assertj.core.api.Assertions.assertThat;

import dev.k8sebpf.agent.loader.KernelPreconditions;
import dev.k8sebpf.agent.mapping.Destination;
import dev.k8sebpf.agent.mapping.IpKey;
import dev.k8sebpf.agent.mapping.MappingTable;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The entry point Main uses: the exported series have the contract's exact names and labels. */
class L7StartTest {
    @Test
    void startCountsIntoTheRegistryWithTheContractSeries() throws Exception {
        KernelPreconditions.requireBpf();
        KernelPreconditions.requireTool("curl");
        String address = Servers.randomLoopback();
        MappingTable mapping = new MappingTable(Duration.ofMinutes(1), 16, System::nanoTime);
        mapping.put(IpKey.parse(address), new Destination("l7test", "start", "start-0"));
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        L7Options options = new L7Options(true, List.of(), List.of("agent"), 100, false, 10_000, Duration.ofMinutes(15), Optional.empty(), true, 100, false);

        try (L7 l7 = L7.start(options, mapping, registry); Servers.Server server = Servers.python(address)) {
            String url = "http://" + address + ":" + server.port();
            Process curl = new ProcessBuilder("curl", "-s", "-o", "/dev/null", url + "/x/1", "-o", "/dev/null", url + "/x/2?q",
                    "-o", "/dev/null", url + "/healthz").start();
            assertThat(curl.waitFor()).isZero();
            assertThat(l7.poll()).isPositive();

            assertThat(registry.scrape().lines()).contains(
                    "internal_http_requests_total{destination_namespace=\"l7test\",destination_pod=\"start-0\","
                            + "destination_service=\"start\",method=\"GET\",path=\"/x/{id}\",process_comm=\"python3\","
                            + "source_ip=\"127.0.0.1\"} 2.0");
            assertThat(registry.scrape()).containsPattern("(?m)^internal_http_filtered_requests_total [1-9]")
                    .containsPattern("(?m)^internal_http_lost_events_total [0-9]");
            assertThat(l7.lostEvents()).isZero();

            // a keep-alive client repeating one request across polls: each one counted
            try (Socket socket = new Socket(address, server.port())) {
                for (int poll = 0; poll < 3; poll++) {
                    for (int i = 0; i < 4; i++) {
                        socket.getOutputStream().write("GET /same HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                        Servers.readResponses(socket, 1);
                    }
                    l7.poll();
                }
            }
            assertThat(registry.scrape().lines()).contains(
                    "internal_http_requests_total{destination_namespace=\"l7test\",destination_pod=\"start-0\","
                            + "destination_service=\"start\",method=\"GET\",path=\"/same\",process_comm=\"python3\","
                            + "source_ip=\"127.0.0.1\"} 12.0");

            l7.close();
            l7.close();
            assertThat(l7.poll()).as("poll after close").isZero();
            assertThat(l7.lostEvents()).isZero();
        }
    }
}
