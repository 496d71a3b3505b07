package dev.k8sebpf.agent.l7;

import dev.k8sebpf.agent.httpparse.ConnectionTable;
import dev.k8sebpf.agent.hooks.KernelException;
import dev.k8sebpf.agent.hooks.OwnProcess;
import dev.k8sebpf.agent.mapping.MappingTable;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * L7 HTTP request counting, started as one unit (ENABLE_L7_HTTP=true): the kernel hooks, the request
 * pipeline and its series. Call {@link #poll()} from one thread at a fixed interval (the kernel does
 * not wake us); {@link #close()} detaches the hooks.
 */
public final class L7 implements AutoCloseable {
    private final L7Kernel kernel;
    private final HttpPipeline pipeline;

    private L7(L7Kernel kernel, HttpPipeline pipeline) {
        this.kernel = kernel;
        this.pipeline = pipeline;
    }

    /**
     * Attaches the HTTP hooks (this process's own receives are skipped in the kernel) and registers the
     * series in {@code registry}.
     *
     * @throws KernelException with a one-line user message if the hooks cannot run here
     */
    public static L7 start(L7Options options, MappingTable mapping, MeterRegistry registry) throws KernelException {
        HttpMetrics metrics = new HttpMetrics(registry, options.maxSeries(), options.seriesTtl());
        ConnectionTable connections = new ConnectionTable(ConnectionTable.DEFAULT_CAPACITY,
                ConnectionTable.DEFAULT_IDLE_TTL, System::nanoTime);
        L7Kernel kernel = L7Kernel.open(options.hookTier(), OwnProcess.current(), options.tlsHandshakes(), options.responses());
        HttpPipeline pipeline = new HttpPipeline(options, mapping, metrics, connections);
        metrics.bindKernel(kernel::lostEvents);
        return new L7(kernel, pipeline);
    }

    /** The tier the HTTP hooks run on. */
    public L7HookTier tier() {
        return kernel.tier();
    }

    /** Counts every request the kernel reported since the last poll; returns the events handled. */
    public int poll() {
        pipeline.startDrain();
        return kernel.poll(pipeline);
    }

    /** Events the kernel dropped because its ring buffer was full (also exported as internal_http_lost_events_total). */
    public long lostEvents() {
        return kernel.lostEvents();
    }

    /** Detaches the hooks; events still in the ring are not counted, so poll once more before if they matter. */
    @Override
    public void close() {
        kernel.close();
    }
}
