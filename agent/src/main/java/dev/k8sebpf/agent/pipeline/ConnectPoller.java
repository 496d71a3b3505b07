package dev.k8sebpf.agent.pipeline;

import java.time.Duration;
import java.util.function.IntSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one thread that drains the kernel's ring buffers at an interval (the BPF side submits without
 * wakeups, so nothing would tell us sooner). When events arrive so fast that one interval would bring
 * more than {@link #BUSY_EVENTS} of them (half the L7 ring), it drains four times as often until the
 * rate falls, so a storm does not overflow the ring. Not sooner: draining often costs more per event
 * than draining in big batches (measured: 0.46 against 0.31 µs per HTTP event at 10 ms against 100 ms).
 * If a drain throws, the thread stops and {@link #alive()} turns false, so /healthz fails and the pod
 * is restarted instead of silently counting nothing.
 */
public final class ConnectPoller implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ConnectPoller.class);
    /** Half of the smaller ring (L7: ~25,000 http_events; L4: ~75,000 connect_events). */
    static final long BUSY_EVENTS = 12_000;
    private static final int BUSY_SPEEDUP = 4;

    private final Thread thread;
    private volatile boolean stopping;

    private ConnectPoller(IntSupplier drain, Duration interval) {
        this.thread = Thread.ofPlatform().name("connect-poller").unstarted(() -> run(drain, interval));
    }

    /** @param drain drains every ring once, returns the events it handed on */
    public static ConnectPoller start(IntSupplier drain, Duration interval) {
        var poller = new ConnectPoller(drain, interval);
        poller.thread.start();
        return poller;
    }

    public boolean alive() {
        return thread.isAlive();
    }

    /** Stops after the current drain, then drains once more so events seen before shutdown are counted. */
    @Override
    public void close() {
        stopping = true;
        thread.interrupt();
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void run(IntSupplier drain, Duration interval) {
        long intervalNanos = interval.toNanos();
        try {
            long last = System.nanoTime() - intervalNanos;
            while (!stopping) {
                long start = System.nanoTime();
                int events = drain.getAsInt();
                long elapsed = Math.max(start - last, 1);
                last = start;
                boolean busy = (double) events * intervalNanos / elapsed > BUSY_EVENTS;
                try {
                    Thread.sleep(busy ? interval.dividedBy(BUSY_SPEEDUP) : interval);
                } catch (InterruptedException e) {
                    // close() interrupts the sleep; the loop condition decides
                }
            }
            drain.getAsInt();
        } catch (RuntimeException | Error e) {
            LOG.error("connect event polling stopped: {}", e.toString());
        }
    }
}
