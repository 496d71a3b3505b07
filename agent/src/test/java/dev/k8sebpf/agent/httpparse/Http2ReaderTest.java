package dev.k8sebpf.agent.httpparse;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class Http2ReaderTest {
    private static final String SAY_HELLO = "/helloworld.Greeter/SayHello";
    private static final int H2_CAPTURE = 4096;

    private final H2Frames frames = new H2Frames();
    private final Reads reads = new Reads(H2_CAPTURE);

    @Test
    void countsEachStreamOfAPriorKnowledgeConnection() {
        reads.read(frames.preface().settings().request(1, "POST", SAY_HELLO).data(1, 12).take());
        for (int stream = 3; stream <= 9; stream += 2) {
            reads.read(frames.request(stream, "POST", SAY_HELLO).data(stream, 12).take());
        }
        assertThat(reads.requests).hasSize(5).containsOnly("POST " + SAY_HELLO);
        assertThat(reads.phase()).isEqualTo(ConnectionState.Phase.HTTP2);
    }

    @Test
    void streamIdsTheClientSkipsInSightAreNoRequests() {
        // grpc-java's first stream is 3; any client may skip ids (RFC 9113 5.1.1)
        reads.read(frames.preface().settings().request(3, "POST", SAY_HELLO).take());
        reads.read(frames.request(9, "POST", SAY_HELLO).take());
        assertThat(reads.requests).containsExactly("POST " + SAY_HELLO, "POST " + SAY_HELLO);
    }

    @Test
    void countsExactlyHoweverTheStreamIsSplitIntoReads() {
        List<String> expected = new ArrayList<>();
        frames.preface().settings();
        for (int i = 0; i < 40; i++) {
            int stream = 2 * i + 1;
            String path = i % 3 == 0 ? "/shop.Cart/Add" : i % 3 == 1 ? "/items/" + (1000 + i) : "/shop.Cart/List";
            String method = i % 4 == 0 ? "GET" : "POST";
            frames.request(stream, method, path).data(stream, 20 + 37 * i % 300);
            expected.add(method + " " + (path.startsWith("/items/") ? "/items/{id}" : path));
        }
        byte[] stream = frames.take();
        Random random = new Random(7);
        for (int round = 0; round < 50; round++) {
            Reads split = new Reads(H2_CAPTURE);
            for (int pos = 0; pos < stream.length; ) {
                int n = Math.min(stream.length - pos, 1 + random.nextInt(round % 2 == 0 ? 40 : 3000));
                split.read(Arrays.copyOfRange(stream, pos, pos + n));
                pos += n;
            }
            assertThat(split.requests).as("round %d", round).containsExactlyElementsOf(expected);
        }
    }

    @Test
    void requestsInUncapturedBytesAreCountedFromTheNextStreamId() {
        Reads small = new Reads(256);
        small.read(frames.preface().settings().request(1, "POST", SAY_HELLO).data(1, 8).take());
        ByteArrayOutputStream busy = new ByteArrayOutputStream();
        for (int stream = 3; stream <= 41; stream += 2) {
            busy.writeBytes(frames.request(stream, "POST", SAY_HELLO).data(stream, 40).take());
        }
        small.read(busy.toByteArray()); // one read of 20 requests, most of it past the capture
        small.read(frames.request(43, "POST", "/other.Svc/Call").data(43, 8).take());

        assertThat(small.requests).hasSize(22).startsWith("POST " + SAY_HELLO).endsWith("POST /other.Svc/Call");
        assertThat(small.requests).contains("UNKNOWN " + Http2Reader.UNKNOWN_PATH);
    }

    @Test
    void aTableReferenceToAnEntryAddedUnseenIsUnknownButNewEntriesAreRead() {
        reads.read(frames.preface().settings().take());
        frames.request(1, "POST", SAY_HELLO); // encoded (the encoder's table grows), never captured
        reads.unseenRead(frames.take().length); // lost: a frame header went by unseen
        reads.read(frames.request(3, "POST", SAY_HELLO).take()); // resynced; its path is a table reference
        reads.read(frames.settings().request(5, "POST", SAY_HELLO).take());
        reads.read(frames.settings().request(7, "POST", "/fresh.Svc/New").take());
        reads.read(frames.request(9, "POST", "/fresh.Svc/New").take());

        assertThat(reads.requests).containsExactly("UNKNOWN " + Http2Reader.UNKNOWN_PATH, "POST " + Http2Reader.UNKNOWN_PATH,
                "POST " + Http2Reader.UNKNOWN_PATH, "POST /fresh.Svc/New", "POST /fresh.Svc/New");
    }

    @Test
    void trailersAreNoRequestsAndContinuationsEndTheBlock() {
        byte[] block = frames.block(1, "POST", SAY_HELLO);
        byte[] trailers = frames.block(1, "POST", SAY_HELLO);
        reads.read(frames.preface().settings()
                .frame(H2Frames.HEADERS, 0, 1, Arrays.copyOfRange(block, 0, 5))
                .frame(H2Frames.CONTINUATION, 0, 1, Arrays.copyOfRange(block, 5, 9))
                .frame(H2Frames.CONTINUATION, H2Frames.END_HEADERS, 1, Arrays.copyOfRange(block, 9, block.length))
                .data(1, 30)
                .frame(H2Frames.HEADERS, H2Frames.END_HEADERS | H2Frames.END_STREAM, 1, trailers)
                .take());
        reads.read(frames.request(3, "GET", "/ping.Svc/Ping").take());

        assertThat(reads.requests).containsExactly("POST " + SAY_HELLO, "GET /ping.Svc/Ping");
    }

    @Test
    void paddingAndPriorityAreNotPartOfTheBlock() {
        byte[] block = frames.block(1, "PUT", "/padded");
        byte[] payload = new byte[1 + 5 + block.length + 7];
        payload[0] = 7;
        payload[1] = (byte) 0x80;
        System.arraycopy(block, 0, payload, 6, block.length);
        reads.read(frames.preface().frame(H2Frames.HEADERS, H2Frames.END_HEADERS | H2Frames.PADDED | H2Frames.PRIORITY, 1, payload)
                .take());
        reads.read(frames.request(3, "DELETE", "/after").take());

        assertThat(reads.requests).containsExactly("PUT /padded", "DELETE /after");
    }

    @Test
    void anH2cUpgradeCountsItsRequestOnceAndTheStreamsAfterIt() {
        reads.read("GET /start HTTP/1.1\r\nHost: a\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\n"
                + "HTTP2-Settings: AAMAAABkAAQCAAAAAAIAAAAA\r\n\r\n");
        reads.read(frames.preface().settings().take());
        reads.read(frames.request(3, "GET", "/next").take());

        assertThat(reads.requests).containsExactly("GET /start", "GET /next");
    }

    @Test
    void aPrefaceSplitAcrossReadsIsFollowed() {
        byte[] stream = frames.preface().settings().request(1, "GET", "/a").take();
        reads.read(Arrays.copyOfRange(stream, 0, 10)).read(Arrays.copyOfRange(stream, 10, stream.length));
        assertThat(reads.requests).containsExactly("GET /a");
    }

    @Test
    void lostReadsThatStartInsidePayloadsDoNotResync() {
        Reads small = new Reads(16);
        small.read(frames.preface().take());
        small.read(frames.settings().request(1, "POST", SAY_HELLO).take()); // lost: the HEADERS header is unseen
        byte[] body = new byte[600];
        new Random(3).nextBytes(body);
        List<byte[]> chunks = new ArrayList<>();
        for (int i = 0; i < body.length; i += 50) {
            chunks.add(Arrays.copyOfRange(body, i, i + 50));
        }
        Collections.shuffle(chunks, new Random(5));
        for (byte[] chunk : chunks) {
            small.read(chunk);
        }
        assertThat(small.requests).allMatch(r -> r.endsWith(Http2Reader.UNKNOWN_PATH) || r.equals("POST " + SAY_HELLO))
                .hasSizeLessThanOrEqualTo(1);
    }

    @Test
    void corruptedStreamsNeverThrowAndNeverCountPastTheirStreams() {
        frames.preface().settings();
        for (int stream = 1; stream <= 81; stream += 2) {
            frames.request(stream, "POST", "/svc.Api/Call" + stream % 5).data(stream, 10 + stream * 13 % 700);
        }
        byte[] clean = frames.take();
        Random random = new Random(17);
        for (int round = 0; round < 2000; round++) {
            byte[] bytes = clean.clone();
            for (int flips = random.nextInt(1, 6); flips > 0; flips--) {
                bytes[Http2Reader.PREFACE.length + random.nextInt(bytes.length - Http2Reader.PREFACE.length)] = (byte) random.nextInt(256);
            }
            Reads corrupted = new Reads(random.nextBoolean() ? H2_CAPTURE : 64 + random.nextInt(300));
            for (int pos = 0; pos < bytes.length; ) {
                int n = Math.min(bytes.length - pos, 1 + random.nextInt(2000));
                if (random.nextInt(20) == 0) {
                    corrupted.unseenRead(n);
                } else {
                    corrupted.read(Arrays.copyOfRange(bytes, pos, pos + n));
                }
                pos += n;
            }
            // a flipped stream id may claim up to MAX_STREAM_GAP streams; never more
            assertThat(corrupted.requests.size()).as("round %d", round).isLessThanOrEqualTo(41 + Http2Reader.MAX_STREAM_GAP / 2);
        }
    }
}
