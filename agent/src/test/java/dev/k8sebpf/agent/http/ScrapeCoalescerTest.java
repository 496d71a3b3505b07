package dev.k8sebpf.agent.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.k8sebpf.agent.metrics.AgentMetrics.Scrape;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ScrapeCoalescerTest {
    /** Renders "render N" and, while {@code gate} is closed, blocks in the first render. */
    private final AtomicInteger renders = new AtomicInteger();
    private final CountDownLatch gate = new CountDownLatch(1);
    private final ScrapeCoalescer coalescer = new ScrapeCoalescer(accept -> {
        int n = renders.incrementAndGet();
        if (n == 1) {
            await(gate);
        }
        return new Scrape(String.valueOf(accept), ("render " + n).getBytes(StandardCharsets.UTF_8));
    });
    private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();

    @AfterEach
    void stop() {
        gate.countDown();
        threads.shutdownNow();
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String body(Future<Scrape> scrape) throws Exception {
        return new String(scrape.get().body(), StandardCharsets.UTF_8);
    }

    private void untilCallers(int callers) throws InterruptedException {
        until(coalescer::callers, callers);
    }

    /** Polls (for at most 15 s) until {@code count} reaches {@code wanted}: the threads under test get there on their own. */
    static void until(IntSupplier count, int wanted) throws InterruptedException {
        long deadline = System.nanoTime() + 15_000_000_000L;
        while (count.getAsInt() != wanted) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + wanted + ", still " + count.getAsInt());
            }
            Thread.sleep(10);
        }
    }

    @Test
    void scrapesArrivingDuringARenderShareTheNextOne() throws Exception {
        Future<Scrape> first = threads.submit(() -> coalescer.scrape("text"));
        untilCallers(1);
        List<Future<Scrape>> burst = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            burst.add(threads.submit(() -> coalescer.scrape("text")));
        }
        untilCallers(51);
        gate.countDown();
        assertThat(body(first)).isEqualTo("render 1");
        for (Future<Scrape> scrape : burst) {
            // Not render 1: it started before they arrived and could miss what they were sent to see.
            assertThat(body(scrape)).isEqualTo("render 2");
        }
        assertThat(renders).hasValue(2);
    }

    @Test
    void differentAcceptHeadersAreRenderedApart() throws Exception {
        Future<Scrape> first = threads.submit(() -> coalescer.scrape("text"));
        untilCallers(1);
        Future<Scrape> open = threads.submit(() -> coalescer.scrape("openmetrics"));
        Future<Scrape> text = threads.submit(() -> coalescer.scrape("text"));
        untilCallers(3);
        gate.countDown();
        first.get();
        assertThat(open.get().contentType()).isEqualTo("openmetrics");
        assertThat(text.get().contentType()).isEqualTo("text");
        assertThat(renders).hasValue(3);
    }

    @Test
    void sequentialScrapesRenderEachTime() {
        gate.countDown();
        assertThat(new String(coalescer.scrape(null).body(), StandardCharsets.UTF_8)).isEqualTo("render 1");
        assertThat(new String(coalescer.scrape(null).body(), StandardCharsets.UTF_8)).isEqualTo("render 2");
    }

    @Test
    void aFailedRenderFailsEveryoneWhoSharedIt() throws Exception {
        var blocked = new CountDownLatch(1);
        var calls = new AtomicInteger();
        var failing = new ScrapeCoalescer(accept -> {
            if (calls.incrementAndGet() == 1) {
                await(blocked);
                return new Scrape("text", new byte[0]);
            }
            throw new IllegalStateException("render " + calls.get() + " failed");
        });
        Future<Scrape> first = threads.submit(() -> failing.scrape(null));
        until(failing::callers, 1);
        Future<Scrape> a = threads.submit(() -> failing.scrape(null));
        Future<Scrape> b = threads.submit(() -> failing.scrape(null));
        until(failing::callers, 3);
        blocked.countDown();
        first.get();
        for (Future<Scrape> shared : List.of(a, b)) {
            assertThatThrownBy(shared::get).hasRootCauseMessage("render 2 failed");
        }
        // The failure is not kept: the next scrape renders again.
        assertThatThrownBy(() -> failing.scrape(null)).hasMessage("render 3 failed");
        assertThat(failing.callers()).isZero();
    }
}
