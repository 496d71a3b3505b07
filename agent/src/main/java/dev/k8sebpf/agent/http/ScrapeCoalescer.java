package dev.k8sebpf.agent.http;

import dev.k8sebpf.agent.metrics.AgentMetrics.Scrape;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;

/**
 * Renders scrapes one at a time and lets concurrent scrapes with the same Accept header share one render.
 * A render allocates the whole body, so a burst of N scrapers would otherwise hold N bodies at once.
 * Every caller is answered by a render that started after it arrived, so a response never misses a count
 * made before its request: scrapes arriving while a render runs join the next round, which one of them
 * renders once the current render ends (a burst costs at most two renders per Accept header).
 */
final class ScrapeCoalescer {
    /** One render and everyone waiting for it; written under {@code rendering}, read after holding it. */
    private static final class Round {
        private Scrape scrape;
        private RuntimeException failure;
        private Error error;
        private boolean done;
    }

    private final Function<String, Scrape> render;
    private final ReentrantLock rendering = new ReentrantLock();
    /** Rounds not yet started, by Accept header; a round leaves the map when its render starts. */
    private final Map<String, Round> next = new HashMap<>();
    private final AtomicInteger callers = new AtomicInteger();

    ScrapeCoalescer(Function<String, Scrape> render) {
        this.render = render;
    }

    Scrape scrape(String acceptHeader) {
        String key = acceptHeader == null ? "" : acceptHeader;
        Round round;
        synchronized (next) {
            round = next.computeIfAbsent(key, k -> new Round());
        }
        callers.incrementAndGet();
        rendering.lock();
        try {
            if (!round.done) {
                synchronized (next) {
                    next.remove(key, round);
                }
                try {
                    round.scrape = render.apply(acceptHeader);
                } catch (RuntimeException e) {
                    round.failure = e;
                } catch (Error e) {
                    round.error = e;
                }
                round.done = true;
            }
        } finally {
            rendering.unlock();
            callers.decrementAndGet();
        }
        if (round.error != null) {
            throw round.error;
        }
        if (round.failure != null) {
            throw round.failure;
        }
        return round.scrape;
    }

    /** Callers inside {@link #scrape} now (rendering or waiting); lets tests line a burst up behind one render. */
    int callers() {
        return callers.get();
    }
}
