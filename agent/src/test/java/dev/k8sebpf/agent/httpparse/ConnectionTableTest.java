package dev.k8sebpf.agent.httpparse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ConnectionTableTest {

    private final AtomicLong now = new AtomicLong();

    @Test
    void keepsStatePerConnectionId() {
        ConnectionTable table = new ConnectionTable(10, Duration.ofSeconds(60), now::get);
        ConnectionState a = table.state(1);
        assertThat(table.state(1)).isSameAs(a);
        assertThat(table.state(2)).isNotSameAs(a);
        assertThat(table.size()).isEqualTo(2);
    }

    @Test
    void dropsTheLeastRecentlyUsedConnectionBeyondCapacity() {
        ConnectionTable table = new ConnectionTable(2, Duration.ofSeconds(60), now::get);
        ConnectionState first = table.state(1);
        table.state(2);
        table.state(1); // 2 is now the least recently used
        table.state(3);
        assertThat(table.size()).isEqualTo(2);
        assertThat(table.evictions()).isEqualTo(1);
        assertThat(table.state(1)).isSameAs(first);
        assertThat(table.evictions()).isEqualTo(1);
        table.state(2);
        assertThat(table.evictions()).isEqualTo(2);
    }

    @Test
    void anIdleConnectionStartsFresh() {
        ConnectionTable table = new ConnectionTable(10, Duration.ofSeconds(60), now::get);
        Reads reads = new Reads();
        ConnectionState state = table.state(7);
        reads.parser.parse(state, "PRI * HTTP/2.0\r\n".getBytes(), 16, 16, reads);
        assertThat(state.phase).isEqualTo(ConnectionState.Phase.OPAQUE);
        now.addAndGet(Duration.ofSeconds(60).toNanos());
        assertThat(table.state(7).phase).isEqualTo(ConnectionState.Phase.OPAQUE);
        now.addAndGet(Duration.ofSeconds(60).toNanos() + 1);
        assertThat(table.state(7).phase).isEqualTo(ConnectionState.Phase.REQUEST_LINE);
    }

    @Test
    void aForgottenConnectionStartsFresh() {
        ConnectionTable table = new ConnectionTable(10, Duration.ofSeconds(60), now::get);
        ConnectionState old = table.state(7);
        table.forget(7);
        assertThat(table.size()).isZero();
        assertThat(table.state(7)).isNotSameAs(old);
    }

    @Test
    void rejectsBadLimits() {
        assertThatThrownBy(() -> new ConnectionTable(0, Duration.ofSeconds(1), now::get))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ConnectionTable(1, Duration.ZERO, now::get))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
