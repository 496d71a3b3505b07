package dev.k8sebpf.agent.httpparse.hpack;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.netty.shaded.io.netty.buffer.ByteBuf;
import io.grpc.netty.shaded.io.netty.buffer.Unpooled;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.DefaultHttp2HeadersEncoder;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.Http2Headers;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class HpackDecoderTest {
    private final HpackDecoder decoder = new HpackDecoder();

    private List<String> decode(String hex) {
        byte[] b = HexFormat.of().parseHex(hex.replace(" ", ""));
        List<String> fields = new ArrayList<>();
        assertThat(decoder.decode(b, 0, b.length, true, (n, v) -> fields.add(text(n) + ": " + text(v))))
                .isEqualTo(HpackDecoder.Result.COMPLETE);
        return fields;
    }

    private static String text(byte[] b) {
        return new String(b, StandardCharsets.ISO_8859_1);
    }

    /** RFC 7541 C.4: three requests on one connection, Huffman-coded, the table carried between them. */
    @Test
    void decodesTheRfcsHuffmanRequestExamples() {
        assertThat(decode("8286 8441 8cf1 e3c2 e5f2 3a6b a0ab 90f4 ff"))
                .containsExactly(":method: GET", ":scheme: http", ":path: /", ":authority: www.example.com");
        assertThat(decode("8286 84be 5886 a8eb 1064 9cbf"))
                .containsExactly(":method: GET", ":scheme: http", ":path: /", ":authority: www.example.com", "cache-control: no-cache");
        assertThat(decode("8287 85bf 4088 25a8 49e9 5ba9 7d7f 8925 a849 e95b b8e8 b4bf"))
                .containsExactly(":method: GET", ":scheme: https", ":path: /index.html", ":authority: www.example.com",
                        "custom-key: custom-value");
    }

    /** Netty's encoder (grpc-java's) with its dynamic table and Huffman choices, over many varied blocks. */
    @Test
    void followsARealEncoderAcrossManyBlocks() throws Exception {
        DefaultHttp2HeadersEncoder encoder = new DefaultHttp2HeadersEncoder();
        Random random = new Random(11);
        for (int i = 0; i < 2000; i++) {
            Http2Headers headers = new DefaultHttp2Headers().method(i % 5 == 0 ? "GET" : "POST").scheme("http")
                    .path("/svc" + random.nextInt(40) + ".Api/Call" + random.nextInt(7)).authority("host-" + random.nextInt(3))
                    .add("x-trace-id", Long.toHexString(random.nextLong())).add("te", "trailers");
            if (random.nextBoolean()) {
                headers.add("x-tenant", "tenant-" + random.nextInt(500));
            }
            ByteBuf buf = Unpooled.buffer();
            encoder.encodeHeaders(2 * i + 1, headers, buf);
            byte[] block = new byte[buf.readableBytes()];
            buf.readBytes(block);
            List<String> fields = new ArrayList<>();
            assertThat(decoder.decode(block, 0, block.length, true, (n, v) -> fields.add(text(n) + ": " + text(v))))
                    .isEqualTo(HpackDecoder.Result.COMPLETE);
            List<String> expected = new ArrayList<>();
            for (Map.Entry<CharSequence, CharSequence> e : headers) {
                expected.add(e.getKey() + ": " + e.getValue());
            }
            assertThat(fields).as("block %d", i).containsExactlyElementsOf(expected);
        }
    }

    @Test
    void aLostBlockTaintsTheTableUntilItIsRebuilt() {
        decode("8286 8441 8cf1 e3c2 e5f2 3a6b a0ab 90f4 ff");
        decoder.lose();
        byte[] reference = {(byte) 0xbe}; // index 62: the entry the first block added, now of unknown depth
        List<String> fields = new ArrayList<>();
        assertThat(decoder.decode(reference, 0, 1, true, (n, v) -> fields.add(text(n))))
                .isEqualTo(HpackDecoder.Result.COMPLETE);
        assertThat(fields).isEmpty();
        assertThat(decode("4088 25a8 49e9 5ba9 7d7f 8925 a849 e95b b8e8 b4bf be")).containsExactly("custom-key: custom-value",
                "custom-key: custom-value");
    }

    @Test
    void aReferencePastAnUntaintedTableIsMalformed() {
        byte[] reference = {(byte) 0xbe};
        assertThat(decoder.decode(reference, 0, 1, true, (n, v) -> { })).isEqualTo(HpackDecoder.Result.MALFORMED);
    }

    @Test
    void aCutBlockGivesItsVisibleFields() {
        byte[] b = HexFormat.of().parseHex("828684418cf1e3c2e5f23a6ba0ab90f4ff");
        List<String> fields = new ArrayList<>();
        assertThat(decoder.decode(b, 0, 8, false, (n, v) -> fields.add(text(n) + ": " + text(v))))
                .isEqualTo(HpackDecoder.Result.CUT);
        assertThat(fields).containsExactly(":method: GET", ":scheme: http", ":path: /");
    }

    @Test
    void evictsTheOldestEntriesToFitASizeUpdate() {
        decode("4088 25a8 49e9 5ba9 7d7f 8925 a849 e95b b8e8 b4bf"); // custom-key: custom-value, 54 bytes
        decode("4001 6101 62"); // a: b, 34 bytes, not Huffman-coded: the table holds both
        assertThat(decode("3f21 be")).as("size update to 64: only the newest fits").containsExactly("a: b");
        assertThat(decoder.decode(new byte[] {(byte) 0xbf}, 0, 1, true, (n, v) -> { })).isEqualTo(HpackDecoder.Result.MALFORMED);
    }

    @Test
    void garbageNeverThrows() {
        Random random = new Random(1);
        for (int i = 0; i < 20_000; i++) {
            byte[] b = new byte[random.nextInt(64)];
            random.nextBytes(b);
            decoder.decode(b, 0, b.length, random.nextBoolean(), (n, v) -> { });
        }
    }
}
