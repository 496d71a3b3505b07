package dev.k8sebpf.agent.tlsparse;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ClientHelloParserTest {
    private static final byte[] PQ = TestHellos.postQuantum("api.shop.svc.cluster.local", List.of("h2", "http/1.1"));

    @Test
    void readsServerNameAndAlpnAfterAPostQuantumKeyShare() {
        assertThat(PQ.length).isGreaterThan(1024);
        assertThat(ClientHelloParser.parse(PQ, PQ.length))
                .isEqualTo(new ClientHello("api.shop.svc.cluster.local", List.of("h2", "http/1.1"), false));
    }

    @Test
    void aHelloWithoutTheExtensionsHasNone() {
        byte[] hello = TestHellos.record(TestHellos.supportedVersions());
        assertThat(ClientHelloParser.parse(hello, hello.length)).isEqualTo(new ClientHello(null, null, false));
    }

    @Test
    void aCutHelloKeepsWhatItReachedAndSaysItWasCut() {
        byte[] hello = TestHellos.record(TestHellos.serverName("a.example"), TestHellos.keyShare(0x11EC, 1216),
                TestHellos.alpn(List.of("h2")));
        int alpnAt = hello.length - 9; // the ALPN extension is the last 9 bytes
        for (int len = 0; len < hello.length; len++) {
            ClientHello parsed = ClientHelloParser.parse(hello, len);
            if (len < 6) {
                assertThat(parsed).as("at %d", len).isNull();
                continue;
            }
            assertThat(parsed.truncated()).as("at %d", len).isTrue();
            assertThat(parsed.alpn()).as("at %d", len).isNull();
            if (len >= alpnAt) {
                assertThat(parsed.serverName()).as("at %d", len).isEqualTo("a.example");
            }
        }
    }

    @Test
    void otherRecordsAndMessagesAreNoHello() {
        byte[] serverHello = PQ.clone();
        serverHello[5] = 2;
        byte[] alert = {21, 3, 3, 0, 2, 2, 40};
        byte[] http = "GET / HTTP/1.1\r\n\r\n".getBytes();
        for (byte[] bytes : List.of(serverHello, alert, http)) {
            assertThat(ClientHelloParser.parse(bytes, bytes.length)).isNull();
        }
    }

    @Test
    void noMutationThrows() {
        Random random = new Random(42);
        for (int i = 0; i < 20_000; i++) {
            byte[] mutated = Arrays.copyOf(PQ, PQ.length);
            for (int m = random.nextInt(1, 8); m > 0; m--) {
                // lengths live in the first bytes of each part: aim half the mutations there
                int at = random.nextBoolean() ? random.nextInt(Math.min(120, mutated.length)) : random.nextInt(mutated.length);
                mutated[at] = (byte) random.nextInt(256);
            }
            ClientHelloParser.parse(mutated, random.nextInt(mutated.length + 1));
        }
    }
}
