package dev.k8sebpf.agent.http;

import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs each HTTP exchange on its own virtual thread (a slow client holds no platform thread), at most
 * {@code limit} at once. Beyond that it refuses, and the JDK server closes that connection: a scrape
 * storm costs at most {@code limit} sets of request buffers and TLS engines instead of growing without bound.
 */
final class BoundedExecutor implements Executor, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(BoundedExecutor.class);

    private final int limit;
    private final Semaphore permits;
    private final ExecutorService threads = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("http-", 0).factory());
    private final AtomicBoolean refusedOnce = new AtomicBoolean();

    BoundedExecutor(int limit) {
        this.limit = limit;
        this.permits = new Semaphore(limit);
    }

    @Override
    public void execute(Runnable exchange) {
        if (!permits.tryAcquire()) {
            // Once at WARN: a storm would otherwise write one line per refused connection.
            if (refusedOnce.compareAndSet(false, true)) {
                LOG.warn("more than {} HTTP requests in flight: closing the connections of further ones (logged once)", limit);
            }
            throw new RejectedExecutionException("more than " + limit + " requests in flight");
        }
        try {
            threads.execute(() -> {
                try {
                    exchange.run();
                } finally {
                    permits.release();
                }
            });
        } catch (RejectedExecutionException e) {
            permits.release();
            throw e;
        }
    }

    @Override
    public void close() {
        threads.shutdown();
    }
}
