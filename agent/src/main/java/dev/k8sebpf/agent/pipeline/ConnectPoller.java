package dev.k8sebpf.agent.pipeline;

import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one thread that drains the kernel's ring buffer at a fixed interval (the BPF side submits without
 * wakeups, so nothing would tell us sooner). If a drain throws, the thread stops and {@link #alive()}
 * turns false, so /healthz fails and the pod is restarted instead of silently counting nothing.
 */
public final class ConnectPoller implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ConnectPoller.class);

    private final Thread thread;
    private volatile boolean stopping;

    private ConnectPoller(Runnable drain, Duration interval) {
        this.thread = Thread.ofPlatform().name("connect-poller").unstarted(() -> run(drain, interval));
    }

    public static ConnectPoller start(Runnable drain, Duration interval) {
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

    private void run(Runnable drain, Duration interval) {
        try {
            while (!stopping) {
                drain.run();
                try {
                    Thread.sleep(interval);
                } catch (InterruptedException e) {
                    // close() interrupts the sleep; the loop condition decides
                }
            }
            drain.run();
        } catch (RuntimeException | Error e) {
            LOG.error("connect event polling stopped: {}", e.toString());
        }
    }
}
