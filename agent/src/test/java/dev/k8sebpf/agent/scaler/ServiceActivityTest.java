package dev.k8sebpf.agent.scaler;

import static org.assertj.core.api.Assertions.assertThat;

import dev.k8sebpf.agent.metrics.Gc;
import dev.k8sebpf.agent.scaler.ServiceActivity.ServiceKey;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ServiceActivityTest {
    private static final ServiceKey WEB = new ServiceKey("shop", "web");

    private final AtomicLong nanos = new AtomicLong(-5 * Rings.MINUTE + 123); // nanoTime may be negative
    private final ServiceActivity activity = new ServiceActivity(1000, nanos::get);

    private void at(Duration from, long count) {
        activity.record(WEB, count, nanos.get() - from.toNanos());
    }

    private void pass(Duration d) {
        nanos.addAndGet(d.toNanos());
    }

    @Test
    void theWindowIsExactForTheLastAttemptAndToTheBucketForCounts() {
        activity.record(WEB, 1, nanos.get());
        pass(Duration.ofMillis(2999));
        assertThat(activity.attemptsWithin(WEB, Duration.ofSeconds(3))).as("2.999 s after it, 3 s window").isEqualTo(1);
        pass(Duration.ofMillis(2));
        assertThat(activity.attemptsWithin(WEB, Duration.ofSeconds(3))).as("3.001 s after it").isZero();
        assertThat(activity.attemptsWithin(new ServiceKey("shop", "other"), Duration.ofHours(1))).isZero();
    }

    @Test
    void countsOverLongWindowsCombineSecondsAndMinutesWithoutCountingTwice() {
        // 10 attempts a second for 2 h: each window holds 10 per second of it, to the minute at its old edge
        for (int i = 0; i < 7200; i++) {
            activity.record(WEB, 10, nanos.get());
            pass(Duration.ofSeconds(1));
        }
        assertThat(activity.attemptsWithin(WEB, Duration.ofSeconds(30))).isBetween(290L, 300L);
        assertThat(activity.attemptsWithin(WEB, Duration.ofSeconds(60))).isBetween(590L, 600L);
        assertThat(activity.attemptsWithin(WEB, Duration.ofMinutes(5))).isBetween(2400L, 3000L);
        assertThat(activity.attemptsWithin(WEB, Duration.ofHours(1))).isBetween(35_400L, 36_000L);
    }

    @Test
    void backdatedAttemptsLandInTheirBuckets() {
        at(Duration.ofMinutes(30), 7);
        at(Duration.ofSeconds(20), 2);
        assertThat(activity.attemptsWithin(WEB, Duration.ofSeconds(30))).isEqualTo(2);
        assertThat(activity.attemptsWithin(WEB, Duration.ofMinutes(40))).isEqualTo(9);
        at(Duration.ofHours(2), 100); // older than any window: only the last-attempt time could move, and it does not
        assertThat(activity.attemptsWithin(WEB, Duration.ofHours(1))).isEqualTo(9);
    }

    @Test
    void aHistoryReplayedIntoAnotherActivityCountsTheSame() {
        for (int i = 0; i < 400; i++) {
            activity.record(WEB, i % 7, nanos.get());
            pass(Duration.ofMillis(700));
        }
        var copy = new ServiceActivity(1000, nanos::get);
        activity.visit((key, last, rings) -> rings.forEachBucket(Long.MIN_VALUE, nanos.get(),
                (start, count) -> copy.record(key, count, start)));
        for (Duration window : List.of(Duration.ofSeconds(10), Duration.ofSeconds(59), Duration.ofMinutes(3), Duration.ofHours(1))) {
            assertThat(copy.attemptsWithin(WEB, window)).as("within %s", window)
                    .isBetween(activity.attemptsWithin(WEB, window) - 7 * 2, activity.attemptsWithin(WEB, window));
        }
        long all = activity.attemptsWithin(WEB, Duration.ofHours(1));
        long[] replayed = {0};
        activity.visit((key, last, rings) -> rings.forEachBucket(Long.MIN_VALUE, nanos.get(), (start, count) -> replayed[0] += count));
        assertThat(replayed[0]).as("spans do not overlap").isEqualTo(all);
    }

    @Test
    void servicesAreCappedAndIdleOnesExpire() {
        var capped = new ServiceActivity(100, nanos::get);
        for (int i = 0; i < 250; i++) {
            capped.record(new ServiceKey("shop", "s" + i), 1, nanos.get());
            pass(Duration.ofMillis(10));
        }
        assertThat(capped.services()).isEqualTo(100);
        assertThat(capped.evictions()).isEqualTo(150);
        assertThat(capped.attemptsWithin(new ServiceKey("shop", "s249"), Duration.ofMinutes(1))).isEqualTo(1);
        assertThat(capped.attemptsWithin(new ServiceKey("shop", "s0"), Duration.ofMinutes(1))).as("evicted").isZero();
        pass(ServiceActivity.MAX_WINDOW.plusSeconds(1));
        capped.record(new ServiceKey("shop", "late"), 1, nanos.get());
        assertThat(capped.services()).as("idle for the largest window: dropped, not evicted").isEqualTo(1);
        assertThat(capped.evictions()).isEqualTo(150);
    }

    @Test
    void memoryPerServiceIsFixedWhateverTheTraffic() {
        var memory = ManagementFactory.getMemoryMXBean();
        var kept = new ArrayList<ServiceActivity>();
        Gc.collect();
        long before = memory.getHeapMemoryUsage().getUsed();
        var busy = new ServiceActivity(2000, nanos::get);
        kept.add(busy);
        // 2,000 Services, each tried every 100 ms for an hour (before: 36,000 buckets each, ≈ 1.4 MB)
        for (int tick = 0; tick < 36_000; tick++) {
            for (int s = 0; s < 2000; s += 1 + (tick % 50)) {
                busy.record(new ServiceKey("shop", "s" + s), 1, nanos.get());
            }
            pass(Duration.ofMillis(100));
        }
        Gc.collect();
        long perService = (memory.getHeapMemoryUsage().getUsed() - before) / busy.services();
        System.out.println("ServiceActivity: " + perService + " bytes of heap per Service after an hour of attempts");
        assertThat(busy.services()).isEqualTo(2000);
        assertThat(perService).isLessThan(2_000);
        assertThat(kept).hasSize(1);
    }
}
