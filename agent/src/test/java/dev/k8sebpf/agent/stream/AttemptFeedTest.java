package dev.k8sebpf.agent.stream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.k8sebpf.agent.metrics.Gc;
import dev.k8sebpf.agent.scaler.ServiceActivity;
import java.lang.management.ManagementFactory;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class AttemptFeedTest {
    @Test
    void theReplayLogIsBoundedWhateverTheTraffic() {
        var nanos = new AtomicLong();
        var memory = ManagementFactory.getMemoryMXBean();
        Gc.collect();
        long before = memory.getHeapMemoryUsage().getUsed();
        var feed = new AttemptFeed(new ServiceActivity(1000, nanos::get));
        // 3 × the log's entries, one drain each, over 1,000 Services (names as the mapping holds them: shared)
        String[] names = new String[1000];
        for (int i = 0; i < names.length; i++) {
            names[i] = "service-" + i;
        }
        for (int drain = 0; drain < 3 * AttemptFeed.LOG_ENTRIES; drain++) {
            feed.attempted("shop", names[drain % names.length]);
            feed.flush();
            nanos.addAndGet(1_000_000);
        }
        Gc.collect();
        long bytes = memory.getHeapMemoryUsage().getUsed() - before;
        System.out.println("AttemptFeed: " + bytes / 1024 + " KiB of heap with a full replay log (" + AttemptFeed.LOG_ENTRIES
                + " entries) and 1,000 Services' history: " + bytes / AttemptFeed.LOG_ENTRIES + " B per entry at most");
        assertThat(bytes).isLessThan(10L * 1024 * 1024);
        assertThat(feed.instance()).isNotEmpty();
    }
}
