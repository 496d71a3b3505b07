package dev.k8sebpf.agent.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ConnectPollerTest {

    @Test
    void drainsRepeatedlyAndOnceMoreOnClose() throws Exception {
        AtomicInteger drains = new AtomicInteger();
        CountDownLatch three = new CountDownLatch(3);
        ConnectPoller poller = ConnectPoller.start(() -> {
            drains.incrementAndGet();
            three.countDown();
            return 0;
        }, Duration.ofMillis(10));
        assertThat(three.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(poller.alive()).isTrue();
        poller.close();
        int afterClose = drains.get();
        assertThat(poller.alive()).isFalse();
        Thread.sleep(50);
        assertThat(drains.get()).isEqualTo(afterClose);
    }

    @Test
    void closeDoesNotWaitForTheInterval() {
        ConnectPoller poller = ConnectPoller.start(() -> 0, Duration.ofHours(1));
        long start = System.nanoTime();
        poller.close();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
    }

    @Test
    void drainsFourTimesAsOftenWhileEventsPourIn() throws Exception {
        CountDownLatch five = new CountDownLatch(5);
        ConnectPoller poller = ConnectPoller.start(() -> {
            five.countDown();
            return (int) ConnectPoller.BUSY_EVENTS * 2;
        }, Duration.ofSeconds(3));
        // 5 drains at the 3 s interval take 12 s; at a quarter of it 3 s
        assertThat(five.await(8, TimeUnit.SECONDS)).isTrue();
        poller.close();
    }

    @Test
    void aFailingDrainStopsTheThreadSoHealthFails() throws Exception {
        ConnectPoller poller = ConnectPoller.start(() -> {
            throw new IllegalStateException("ring buffer unmapped");
        }, Duration.ofMillis(10));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (poller.alive() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(poller.alive()).isFalse();
        poller.close();
    }
}
