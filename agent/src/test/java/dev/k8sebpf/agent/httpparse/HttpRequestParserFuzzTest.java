package dev.k8sebpf.agent.httpparse;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Random, mutated and (with Jazzer, see FUZZING.md) coverage-guided reads must never throw, and whatever is
 * reported must be a well-formed label that normalising again would not change.
 */
class HttpRequestParserFuzzTest {

    private static final int ITERATIONS = 100_000;
    private static final String[] SEEDS = {
        "GET /a/1 HTTP/1.1\r\nHost: x\r\n\r\n",
        "POST /b HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello",
        "PUT /c HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
        "OPTIONS * HTTP/1.1\r\n\r\n",
        "CONNECT h:443 HTTP/1.1\r\n\r\n",
        "GET http://h/p?q#f HTTP/1.0\r\n\r\n",
        "HTTP/1.1 200 OK\r\n\r\n",
        "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n",
    };

    /** Reads on a few connections, each with its captured bytes and a byte count chosen by the fuzzer. */
    @FuzzTest
    void fuzzReads(FuzzedDataProvider data) {
        HttpRequestParser parser = new HttpRequestParser();
        ConnectionState[] connections = {new ConnectionState(), new ConnectionState()};
        PathNormalizer normalizer = new PathNormalizer();
        RequestConsumer check = (method, path) -> {
            assertThat(method).isNotNull();
            assertThat(isValidLabel(path)).as(path).isTrue();
            assertThat(normalizer.normalize(path)).as("normalising %s again", path).isEqualTo(path);
        };
        while (data.remainingBytes() > 0) {
            ConnectionState state = connections[data.consumeInt(0, connections.length - 1)];
            byte[] captured = data.consumeBytes(data.consumeInt(0, Reads.CAPTURE));
            long bytesReceived = switch (data.consumeInt(0, 3)) {
                case 0 -> captured.length;
                case 1 -> captured.length + data.consumeLong(1, 1L << 32);
                case 2 -> data.consumeLong(Long.MIN_VALUE, Long.MAX_VALUE);
                default -> data.consumeLong(0, Reads.CAPTURE);
            };
            int capturedLen = data.consumeBoolean() ? captured.length : data.consumeInt(-10, 2 * Reads.CAPTURE);
            parser.parse(state, captured, capturedLen, bytesReceived, check);
            if (data.consumeInt(0, 15) == 0) { // the table forgets a connection (close, eviction, TTL)
                state.reset();
            }
        }
    }

    private static boolean isValidLabel(String path) {
        return path != null && !path.isEmpty() && path.length() <= 4 * Reads.CAPTURE
                && (path.startsWith("/") || path.equals("*") || !path.contains("/"));
    }

    @Test
    void randomAndMutatedReadsNeverThrowAndOnlyYieldValidLabels() {
        SplittableRandom random = new SplittableRandom(0x5eed);
        HttpRequestParser parser = new HttpRequestParser();
        List<ConnectionState> connections = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            connections.add(new ConnectionState());
        }
        List<String> bad = new ArrayList<>();
        int[] counted = {0};
        RequestConsumer check = (method, path) -> {
            counted[0]++;
            boolean valid = method != null && isValidLabel(path);
            if (!valid && bad.size() < 10) {
                bad.add(method + " " + path);
            }
        };
        byte[] buffer = new byte[Reads.CAPTURE];
        for (int i = 0; i < ITERATIONS; i++) {
            int capturedLen = fill(random, buffer);
            long bytesReceived = switch (random.nextInt(4)) {
                case 0 -> capturedLen;
                case 1 -> capturedLen + random.nextLong(1, 1 << 20);
                case 2 -> random.nextLong(-5, Reads.CAPTURE + 1);
                default -> random.nextLong(Long.MAX_VALUE);
            };
            int lenArg = random.nextInt(10) == 0 ? random.nextInt(-10, 2 * Reads.CAPTURE) : capturedLen;
            ConnectionState state = connections.get(random.nextInt(connections.size()));
            if (random.nextInt(50) == 0) { // opaque and unknown-body states would otherwise end the run early
                state.reset();
            }
            parser.parse(state, buffer, lenArg, bytesReceived, check);
        }
        assertThat(bad).isEmpty();
        assertThat(counted[0]).as("mutated requests must still be counted sometimes").isGreaterThan(ITERATIONS / 20);
    }

    @Test
    void anyReadBoundariesGiveTheSameRequestsAsTheMessagesSent() {
        SplittableRandom random = new SplittableRandom(42);
        String decoy = "GET /decoy HTTP/1.1\r\n\r\n";
        for (int round = 0; round < 2_000; round++) {
            StringBuilder stream = new StringBuilder();
            List<String> expected = new ArrayList<>();
            int messages = random.nextInt(1, 8);
            for (int m = 0; m < messages; m++) {
                String path = "/r" + random.nextInt(5);
                switch (random.nextInt(3)) {
                    case 0 -> {
                        stream.append("GET ").append(path).append(" HTTP/1.1\r\nHost: h\r\n\r\n");
                        expected.add("GET " + path);
                    }
                    case 1 -> {
                        stream.append("POST ").append(path).append(" HTTP/1.1\r\nContent-Length: ")
                                .append(decoy.length()).append("\r\n\r\n").append(decoy);
                        expected.add("POST " + path);
                    }
                    default -> {
                        stream.append("PUT ").append(path).append(" HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n")
                                .append(Integer.toHexString(decoy.length())).append("\r\n").append(decoy)
                                .append("\r\n3;x=y\r\nabc\r\n0\r\n\r\n");
                        expected.add("PUT " + path);
                    }
                }
            }
            Reads reads = new Reads();
            byte[] bytes = stream.toString().getBytes(StandardCharsets.US_ASCII);
            for (int pos = 0; pos < bytes.length; ) {
                int n = Math.min(bytes.length - pos, random.nextInt(1, Reads.CAPTURE + 1));
                reads.read(Arrays.copyOfRange(bytes, pos, pos + n), n);
                pos += n;
            }
            assertThat(reads.requests).as(stream.toString()).isEqualTo(expected);
        }
    }

    /** Fills {@code buffer} with random bytes or a mutated/concatenated request; returns its length. */
    private static int fill(SplittableRandom random, byte[] buffer) {
        if (random.nextBoolean()) {
            int len = random.nextInt(buffer.length + 1);
            for (int i = 0; i < len; i++) {
                buffer[i] = (byte) random.nextInt(256);
            }
            return len;
        }
        int len = 0;
        while (len < buffer.length && random.nextInt(3) != 0) {
            byte[] seed = SEEDS[random.nextInt(SEEDS.length)].getBytes(StandardCharsets.US_ASCII);
            int start = random.nextInt(4) == 0 ? random.nextInt(seed.length) : 0;
            int n = Math.min(seed.length - start, buffer.length - len);
            System.arraycopy(seed, start, buffer, len, n);
            len += n;
        }
        int flips = random.nextInt(4);
        for (int f = 0; f < flips && len > 0; f++) {
            buffer[random.nextInt(len)] = (byte) random.nextInt(256);
        }
        return len;
    }
}
