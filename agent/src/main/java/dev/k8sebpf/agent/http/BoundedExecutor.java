package dev.k8sebpf.agent.http;

import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs HTTP exchanges on virtual threads, at most {@code running} at once; up to {@code queued} more wait
 * for a turn (a waiting exchange holds only its socket: the JDK server allocates an exchange's buffers and
 * TLS engine when it runs). Beyond that it refuses, and the JDK server closes that connection. So a burst
 * of scrapers is answered in turn, and a storm costs bounded memory instead of growing without limit.
 */
final class BoundedExecutor implements Executor, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(BoundedExecutor.class);

    private final int admittedLimit;
    private final Semaphore admitted;
    private final Semaphore running;
    private final AtomicInteger waiting = new AtomicInteger();
    private final ExecutorService threads = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("http-", 0).factory());
    private final AtomicBoolean refusedOnce = new AtomicBoolean();

    BoundedExecutor(int running, int queued) {
        this.admittedLimit = running + queued;
        this.admitted = new Semaphore(admittedLimit);
        this.running = new Semaphore(running);
    }

    @Override
    public void execute(Runnable exchange) {
        if (!admitted.tryAcquire()) {
            // Once at WARN: a storm would otherwise write one line per refused connection.
            if (refusedOnce.compareAndSet(false, true)) {
                LOG.warn("more than {} HTTP requests at once: closing the connections of further ones (logged once)", admittedLimit);
            }
            throw new RejectedExecutionException("more than " + admittedLimit + " requests at once");
        }
        try {
            threads.execute(() -> {
                try {
                    waiting.incrementAndGet();
                    running.acquireUninterruptibly();
                    waiting.decrementAndGet();
                    try {
                        exchange.run();
                    } finally {
                        running.release();
                    }
                } finally {
                    admitted.release();
                }
            });
        } catch (RejectedExecutionException e) {
            admitted.release();
            throw e;
        }
    }

    /** Exchanges admitted but waiting for a turn. */
    int waiting() {
        return waiting.get();
    }

    @Override
    public void close() {
        threads.shutdown();
    }
}
