package dev.k8sebpf.agent.pipeline;

import dev.k8sebpf.agent.bpf.AddrFamily;
import dev.k8sebpf.agent.bpf.ConnectEvent;
import dev.k8sebpf.agent.comm.ProcessNames;
import dev.k8sebpf.agent.kernel.ConnectEventSink;
import dev.k8sebpf.agent.mapping.Destination;
import dev.k8sebpf.agent.mapping.IpKey;
import dev.k8sebpf.agent.mapping.MappingTable;
import dev.k8sebpf.agent.metrics.AgentMetrics;
import java.util.Arrays;
import java.util.List;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Event → destination → counter, on the poll thread. Excluded attempts reach here only when the kernel
 * was asked to emit them (debug logging); they are logged, never counted as attempts.
 */
public final class ConnectEventCounter implements ConnectEventSink {
    private static final Logger LOG = LoggerFactory.getLogger(ConnectEventCounter.class);

    private final MappingTable table;
    private final AgentMetrics metrics;
    private final boolean dropUnmapped;
    private final BiConsumer<String, String> serviceAttempted;
    private final ProcessNames comms = new ProcessNames(List.of()); // the kernel flags excluded events itself

    /** @param dropUnmapped DROP_UNMAPPED: skip destinations the table does not know instead of counting them with empty labels */
    public ConnectEventCounter(MappingTable table, AgentMetrics metrics, boolean dropUnmapped) {
        this(table, metrics, dropUnmapped, (namespace, service) -> { });
    }

    /** @param serviceAttempted told of every attempt to a known Service (namespace, name), e.g. the scaler */
    public ConnectEventCounter(MappingTable table, AgentMetrics metrics, boolean dropUnmapped,
                               BiConsumer<String, String> serviceAttempted) {
        this.table = table;
        this.metrics = metrics;
        this.dropUnmapped = dropUnmapped;
        this.serviceAttempted = serviceAttempted;
    }

    @Override
    public void accept(ConnectEvent event) {
        byte[] daddr = event.daddr();
        boolean v4 = event.family() == AddrFamily.FAMILY_V4;
        if (event.excluded() == 1) {
            if (LOG.isDebugEnabled()) {
                LOG.debug("excluded attempt: {} (pid {}) → {} port {}", event.commString(), event.tgid(),
                        IpKey.of(v4 ? Arrays.copyOf(daddr, 4) : daddr), event.dport());
            }
            return;
        }
        Destination destination = table.lookup(IpKey.hiOf(daddr, v4), IpKey.loOf(daddr, v4));
        if (destination == Destination.UNMAPPED && dropUnmapped) {
            return;
        }
        metrics.countAttempt(destination, comms.of(event.comm()).name());
        if (!destination.service().isEmpty()) {
            serviceAttempted.accept(destination.namespace(), destination.service());
        }
    }
}
