package dev.k8sebpf.agent.httpparse;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

class RequestLineTest {

    /** indexOf reads eight bytes at a time: it must agree with a byte loop at every alignment and end. */
    @Test
    void indexOfFindsTheFirstMatchAtEveryOffsetAndAmongAllByteValues() {
        Random random = new Random(11);
        byte[] b = new byte[40];
        for (int round = 0; round < 20_000; round++) {
            for (int i = 0; i < b.length; i++) {
                // mostly bytes next to the searched ones (borrows, high bits), some matches
                int pick = random.nextInt(8);
                b[i] = (byte) switch (pick) {
                    case 0 -> '\n';
                    case 1 -> ' ';
                    case 2 -> '\n' ^ 0x80;
                    case 3 -> '\n' + 1;
                    case 4 -> 0;
                    default -> random.nextInt(256);
                };
            }
            int from = random.nextInt(b.length + 1);
            int to = from + random.nextInt(b.length - from + 1);
            for (char value : new char[] {'\n', ' '}) {
                assertThat(RequestLine.indexOf(b, from, to, value)).as("round %d", round).isEqualTo(byteLoop(b, from, to, value));
            }
        }
    }

    @Test
    void indexOfIsMinusOneWhenAbsentOrEmpty() {
        byte[] b = "GET /a HTTP/1.1\r".getBytes(StandardCharsets.US_ASCII);
        assertThat(RequestLine.indexOf(b, 0, b.length, '\n')).isEqualTo(-1);
        assertThat(RequestLine.indexOf(b, 3, 3, ' ')).isEqualTo(-1);
        assertThat(RequestLine.indexOf(b, 0, 3, ' ')).isEqualTo(-1); // the space at 3 is outside the range
        assertThat(RequestLine.indexOf(b, 0, 4, ' ')).isEqualTo(3);
    }

    private static int byteLoop(byte[] b, int from, int to, char value) {
        for (int i = from; i < to; i++) {
            if (b[i] == value) {
                return i;
            }
        }
        return -1;
    }
}
