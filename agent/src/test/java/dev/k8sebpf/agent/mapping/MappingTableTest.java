package dev.k8sebpf.agent.mapping;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class MappingTableTest {
    private final AtomicLong clock = new AtomicLong(1_000);
    private final MappingTable table = new MappingTable(Duration.ofSeconds(60), 4, clock::get);

    private static final Destination WEB = new Destination("shop", "web", "");
    private static final Destination WEB_POD = new Destination("shop", "web", "web-1");
    private static final Destination DB_POD = new Destination("shop", "db", "db-0");

    private static IpKey ip(String text) {
        return IpKey.parse(text);
    }

    private void advance(Duration duration) {
        clock.addAndGet(duration.toNanos());
    }

    @Test
    void unknownIsUnmapped() {
        assertThat(table.lookup(ip("10.0.0.1"))).isSameAs(Destination.UNMAPPED);
    }

    @Test
    void v4AndV4MappedAreTheSameEntry() {
        table.put(ip("10.0.0.1"), WEB);
        assertThat(table.lookup(ip("::ffff:10.0.0.1"))).isEqualTo(WEB);
        table.put(ip("::ffff:10.0.0.1"), WEB_POD);
        assertThat(table.lookup(ip("10.0.0.1"))).isEqualTo(WEB_POD);
        assertThat(table.size()).isEqualTo(1);
    }

    @Test
    void ipv6Entries() {
        table.put(ip("fd00::1"), WEB);
        table.put(ip("fd00::1:0:0:1"), DB_POD);
        assertThat(table.lookup(ip("fd00:0:0:0:0:0:0:1"))).isEqualTo(WEB);
        assertThat(table.lookup(ip("fd00::1:0:0:1"))).isEqualTo(DB_POD);
        assertThat(table.lookup(ip("0.0.0.1"))).isSameAs(Destination.UNMAPPED);
    }

    @Test
    void removedEntryResolvesForTheTtlThenIsGone() {
        table.put(ip("10.0.0.2"), WEB_POD);
        table.remove(ip("10.0.0.2"));
        assertThat(table.lookup(ip("10.0.0.2"))).isEqualTo(WEB_POD);
        advance(Duration.ofSeconds(59));
        assertThat(table.lookup(ip("10.0.0.2"))).isEqualTo(WEB_POD);
        assertThat(table.size()).isEqualTo(1);
        advance(Duration.ofSeconds(1));
        assertThat(table.lookup(ip("10.0.0.2"))).isSameAs(Destination.UNMAPPED);
        assertThat(table.size()).isZero();
    }

    @Test
    void reusedIpMapsToTheNewOwnerAtOnce() {
        table.put(ip("10.0.0.3"), WEB_POD);
        table.remove(ip("10.0.0.3"));
        table.put(ip("10.0.0.3"), DB_POD);
        assertThat(table.lookup(ip("10.0.0.3"))).isEqualTo(DB_POD);
        advance(Duration.ofMinutes(5));
        assertThat(table.lookup(ip("10.0.0.3"))).as("a live entry never expires").isEqualTo(DB_POD);
    }

    @Test
    void removingAnUnknownIpDoesNothing() {
        table.remove(ip("10.0.0.9"));
        assertThat(table.size()).isZero();
    }

    @Test
    void zeroTtlRemovesAtOnce() {
        var noTtl = new MappingTable(Duration.ZERO, 4, clock::get);
        noTtl.put(ip("10.0.0.4"), WEB);
        noTtl.remove(ip("10.0.0.4"));
        assertThat(noTtl.lookup(ip("10.0.0.4"))).isSameAs(Destination.UNMAPPED);
        assertThat(noTtl.size()).isZero();
    }

    @Test
    void retainOnlyRemovesTheRestWithTtl() {
        table.put(ip("10.0.0.1"), WEB);
        table.put(ip("10.0.0.2"), WEB_POD);
        table.put(ip("10.0.0.3"), DB_POD);
        table.retainOnly(Set.of(ip("10.0.0.1"), ip("10.0.0.3")));
        assertThat(table.lookup(ip("10.0.0.2"))).as("still within TTL").isEqualTo(WEB_POD);
        advance(Duration.ofSeconds(60));
        assertThat(table.lookup(ip("10.0.0.2"))).isSameAs(Destination.UNMAPPED);
        assertThat(table.lookup(ip("10.0.0.1"))).isEqualTo(WEB);
        assertThat(table.lookup(ip("10.0.0.3"))).isEqualTo(DB_POD);
        assertThat(table.size()).isEqualTo(2);
    }

    @Test
    void capacityEvictsExpiredFirstWithoutCounting() {
        for (int i = 1; i <= 4; i++) {
            table.put(ip("10.0.0." + i), WEB_POD);
        }
        table.remove(ip("10.0.0.1"));
        advance(Duration.ofSeconds(61));
        table.put(ip("10.0.0.5"), DB_POD);
        assertThat(table.evictions()).isZero();
        assertThat(table.size()).isEqualTo(4);
        assertThat(table.lookup(ip("10.0.0.2"))).isEqualTo(WEB_POD);
    }

    @Test
    void capacityEvictsRemovedEntriesBeforeLiveOnes() {
        for (int i = 1; i <= 4; i++) {
            table.put(ip("10.0.0." + i), WEB_POD);
        }
        table.remove(ip("10.0.0.3"));
        table.put(ip("10.0.0.5"), DB_POD);
        assertThat(table.evictions()).isEqualTo(1);
        assertThat(table.lookup(ip("10.0.0.3"))).isSameAs(Destination.UNMAPPED);
        assertThat(table.lookup(ip("10.0.0.1"))).isEqualTo(WEB_POD);
        assertThat(table.size()).isEqualTo(4);
    }

    @Test
    void capacityThenEvictsTheOldestLiveEntry() {
        for (int i = 1; i <= 4; i++) {
            table.put(ip("10.0.0." + i), WEB_POD);
        }
        table.put(ip("10.0.0.1"), WEB); // re-put: now the newest
        table.put(ip("10.0.0.5"), DB_POD);
        table.put(ip("10.0.0.6"), DB_POD);
        assertThat(table.evictions()).isEqualTo(2);
        assertThat(table.lookup(ip("10.0.0.2"))).isSameAs(Destination.UNMAPPED);
        assertThat(table.lookup(ip("10.0.0.3"))).isSameAs(Destination.UNMAPPED);
        assertThat(table.lookup(ip("10.0.0.1"))).isEqualTo(WEB);
        assertThat(table.lookup(ip("10.0.0.6"))).isEqualTo(DB_POD);
        assertThat(table.size()).isEqualTo(4);
    }

    @Test
    void manyEntriesAndChurnKeepEveryLookupRight() {
        var big = new MappingTable(Duration.ofSeconds(1), 100_000, clock::get);
        for (int round = 0; round < 5; round++) {
            for (int i = 0; i < 20_000; i++) {
                big.put(ip("10." + round + "." + (i >> 8) + "." + (i & 0xff)), new Destination("ns", "svc" + round, "p" + i));
            }
            for (int i = 0; i < 20_000; i += 2) {
                big.remove(ip("10." + round + "." + (i >> 8) + "." + (i & 0xff)));
            }
            advance(Duration.ofSeconds(2));
        }
        assertThat(big.size()).isEqualTo(5 * 10_000);
        for (int round = 0; round < 5; round++) {
            for (int i = 0; i < 20_000; i++) {
                Destination expected = i % 2 == 0 ? Destination.UNMAPPED : new Destination("ns", "svc" + round, "p" + i);
                assertThat(big.lookup(ip("10." + round + "." + (i >> 8) + "." + (i & 0xff)))).isEqualTo(expected);
            }
        }
        assertThat(big.evictions()).isZero();
    }

    @Test
    void readersNeverSeeAWrongOwnerWhileWritersChurn() throws Exception {
        var shared = new MappingTable(Duration.ofMillis(1), 64, System::nanoTime);
        IpKey stable = ip("10.1.0.1");
        shared.put(stable, DB_POD);
        AtomicBoolean stop = new AtomicBoolean();
        List<Throwable> failures = new ArrayList<>();
        Thread writer = Thread.ofPlatform().start(() -> {
            for (int i = 0; !stop.get(); i++) {
                IpKey churn = ip("10.2." + ((i >> 8) & 0xff) + "." + (i & 0xff));
                shared.put(churn, WEB_POD);
                shared.remove(churn);
            }
        });
        Thread reader = Thread.ofPlatform().start(() -> {
            try {
                for (int i = 0; i < 2_000_000; i++) {
                    assertThat(shared.lookup(stable.hi(), stable.lo())).isSameAs(DB_POD);
                }
            } catch (Throwable t) {
                synchronized (failures) {
                    failures.add(t);
                }
            }
        });
        reader.join();
        stop.set(true);
        writer.join();
        assertThat(failures).isEmpty();
    }
}
