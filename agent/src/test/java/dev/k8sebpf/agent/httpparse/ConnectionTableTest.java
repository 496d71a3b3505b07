package dev.k8sebpf.agent.httpparse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.k8sebpf.agent.mapping.IpKey;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ConnectionTableTest {

    private static final long PEER = key(new byte[] {10, 0, 0, 1}, 8080, new byte[] {10, 0, 0, 2}, 40000);

    private final AtomicLong now = new AtomicLong();

    @Test
    void keepsStatePerConnectionId() {
        ConnectionTable table = new ConnectionTable(10, Duration.ofSeconds(60), now::get);
        ConnectionState a = table.state(1, PEER);
        assertThat(table.state(1, PEER)).isSameAs(a);
        assertThat(table.state(2, PEER)).isNotSameAs(a);
        assertThat(table.size()).isEqualTo(2);
    }

    @Test
    void dropsTheLeastRecentlyUsedConnectionBeyondCapacity() {
        ConnectionTable table = new ConnectionTable(2, Duration.ofSeconds(60), now::get);
        ConnectionState first = table.state(1, PEER);
        table.state(2, PEER);
        table.state(1, PEER); // 2 is now the least recently used
        table.state(3, PEER);
        assertThat(table.size()).isEqualTo(2);
        assertThat(table.evictions()).isEqualTo(1);
        assertThat(table.state(1, PEER)).isSameAs(first);
        assertThat(table.evictions()).isEqualTo(1);
        table.state(2, PEER);
        assertThat(table.evictions()).isEqualTo(2);
    }

    @Test
    void anIdleConnectionStartsFresh() {
        ConnectionTable table = new ConnectionTable(10, Duration.ofSeconds(60), now::get);
        Reads reads = new Reads();
        ConnectionState state = table.state(7, PEER);
        reads.parser.parse(state, "HTTP/1.1 200 OK\r\n".getBytes(), 17, 17, reads);
        assertThat(state.phase).isEqualTo(ConnectionState.Phase.OPAQUE);
        now.addAndGet(Duration.ofSeconds(60).toNanos());
        table.readClock();
        assertThat(table.state(7, PEER).phase).isEqualTo(ConnectionState.Phase.OPAQUE);
        now.addAndGet(Duration.ofSeconds(60).toNanos() + 1);
        table.readClock();
        assertThat(table.state(7, PEER).phase).isEqualTo(ConnectionState.Phase.REQUEST_LINE);
    }

    @Test
    void keepsTheMostRecentlyUsedConnectionsAsALinkedHashMapWould() {
        // ids as the kernel's socket addresses look (aligned, close together), and a few that collide
        Random random = new Random(7);
        ConnectionTable table = new ConnectionTable(300, Duration.ofSeconds(60), now::get);
        Map<Long, ConnectionState> model = new LinkedHashMap<>(16, 0.75f, true);
        for (int step = 0; step < 200_000; step++) {
            long id = random.nextInt(10) == 0 ? random.nextInt(4) << 20 : 0xffff_8881_0000_0000L + random.nextInt(600) * 2304L;
            ConnectionState state = table.state(id, PEER);
            ConnectionState known = model.get(id);
            if (known != null) {
                assertThat(state).isSameAs(known);
            } else {
                model.put(id, state);
                if (model.size() > 300) {
                    model.remove(model.keySet().iterator().next());
                }
            }
            assertThat(table.size()).isEqualTo(model.size());
        }
        assertThat(table.evictions()).isPositive();
    }

    @Test
    void anIdReusedByOtherEndpointsStartsFresh() {
        ConnectionTable table = new ConnectionTable(10, Duration.ofSeconds(60), now::get);
        ConnectionState state = table.state(7, PEER);
        state.phase = ConnectionState.Phase.UNKNOWN_BODY;
        assertThat(table.state(7, PEER).phase).isEqualTo(ConnectionState.Phase.UNKNOWN_BODY);
        long otherClientPort = key(new byte[] {10, 0, 0, 1}, 8080, new byte[] {10, 0, 0, 2}, 40001);
        assertThat(table.state(7, otherClientPort).phase).isEqualTo(ConnectionState.Phase.REQUEST_LINE);
    }

    @Test
    void endpointKeysDifferWhenAnyEndpointDiffers() {
        byte[] a = {10, 0, 0, 1};
        byte[] b = {10, 0, 0, 2};
        assertThat(Set.of(
                key(a, 80, b, 5000),
                key(b, 80, a, 5000),
                key(a, 81, b, 5000),
                key(a, 80, b, 5001),
                key(a, 80, a, 5000))).hasSize(5);
    }

    @Test
    void rejectsBadLimits() {
        assertThatThrownBy(() -> new ConnectionTable(0, Duration.ofSeconds(1), now::get))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ConnectionTable(1, Duration.ZERO, now::get))
                .isInstanceOf(IllegalArgumentException.class);
    }

    /** The key as the pipeline builds it, from IPv4 addresses. */
    private static long key(byte[] local, int localPort, byte[] remote, int remotePort) {
        IpKey l = IpKey.of(local);
        IpKey r = IpKey.of(remote);
        return ConnectionTable.endpointsKey(l.hi(), l.lo(), localPort, r.hi(), r.lo(), remotePort);
    }
}
