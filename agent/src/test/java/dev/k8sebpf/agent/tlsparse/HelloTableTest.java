package dev.k8sebpf.agent.tlsparse;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class HelloTableTest {
    private static final byte[] HELLO = TestHellos.postQuantum("pq.example", List.of("h2"));

    @Test
    void oneReceiveIsParsedAtOnce() {
        HelloTable table = new HelloTable(4);
        assertThat(table.offer(1, HELLO, HELLO.length, HELLO.length).serverName()).isEqualTo("pq.example");
        assertThat(table.pending()).isZero();
    }

    @Test
    void aHeaderThenTheBodyAsOpenSslReadsThem_twoConnectionsInterleaved() {
        HelloTable table = new HelloTable(4);
        byte[] other = TestHellos.postQuantum("other.example", List.of("http/1.1"));
        assertThat(table.offer(1, HELLO, 5, 5)).isNull();
        assertThat(table.offer(2, other, 5, 5)).isNull();
        byte[] body = Arrays.copyOfRange(HELLO, 5, HELLO.length);
        byte[] half = Arrays.copyOfRange(body, 0, 700);
        assertThat(table.offer(1, half, half.length, half.length)).isNull();
        byte[] otherBody = Arrays.copyOfRange(other, 5, other.length);
        assertThat(table.offer(2, otherBody, otherBody.length, otherBody.length).serverName()).isEqualTo("other.example");
        byte[] rest = Arrays.copyOfRange(body, 700, body.length);
        ClientHello hello = table.offer(1, rest, rest.length, rest.length);
        assertThat(hello).isEqualTo(new ClientHello("pq.example", List.of("h2"), false));
        assertThat(table.pending()).isZero();
    }

    @Test
    void anUncapturedPartEndsTheRecordAsTruncated() {
        HelloTable table = new HelloTable(4);
        assertThat(table.offer(1, HELLO, 5, 5)).isNull();
        byte[] body = Arrays.copyOfRange(HELLO, 5, 1000); // before the server name, behind the key share
        ClientHello hello = table.offer(1, body, body.length, HELLO.length - 5);
        assertThat(hello.truncated()).isTrue();
        assertThat(TlsLabels.serverName(hello)).isEqualTo(TlsLabels.UNKNOWN);
    }

    @Test
    void theOldestHeldRecordIsEvictedAtCapacity() {
        HelloTable table = new HelloTable(2);
        for (long conn = 1; conn <= 3; conn++) {
            table.offer(conn, HELLO, 5, 5);
        }
        assertThat(table.pending()).isEqualTo(2);
        byte[] body = Arrays.copyOfRange(HELLO, 5, HELLO.length);
        assertThat(table.offer(1, body, body.length, body.length)).as("evicted: its body alone is no record").isNull();
        assertThat(table.offer(3, body, body.length, body.length)).isNotNull();
    }
}
