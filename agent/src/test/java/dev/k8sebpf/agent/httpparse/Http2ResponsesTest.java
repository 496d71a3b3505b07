package dev.k8sebpf.agent.httpparse;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The server side of an HTTP/2 connection, read from its sends as the kernel reports them. */
class Http2ResponsesTest implements ResponseConsumer {
    private static final String SAY = "/l7test.Echo/Say";
    private static final int CAPTURE = 4096;

    private final H2Frames client = new H2Frames();
    private final H2Frames server = new H2Frames();
    private final Reads reads = new Reads(CAPTURE);
    private final List<String> seen = new ArrayList<>();

    @Override
    public void headers(int stream, int status, String grpcStatus, boolean endsStream) {
        seen.add(stream + " " + status + (grpcStatus == null ? "" : " grpc=" + grpcStatus) + (endsStream ? " end" : ""));
    }

    @Override
    public void ended(int stream) {
        seen.add(stream + " ended");
    }

    /** One send of these bytes, of which at most the capture's were captured. */
    private void send(byte[] bytes) {
        send(bytes, bytes.length);
    }

    private void send(byte[] bytes, long sent) {
        int captured = (int) Math.min(Math.min(bytes.length, CAPTURE), sent);
        reads.state.readSend(Arrays.copyOf(bytes, CAPTURE), captured, sent, this);
    }

    private void connect(int streams) {
        client.preface().settings();
        for (int stream = 1; stream <= 2 * streams - 1; stream += 2) {
            client.request(stream, "POST", SAY).data(stream, 20);
        }
        reads.read(client.take());
    }

    @Test
    void grpcResponsesEndAtTheirTrailersInWhateverOrderTheyCome() {
        connect(3);
        send(server.frame(H2Frames.SETTINGS, 0, 0, new byte[0]).take());
        send(server.response(3, 200, false).data(3, 30, 0).response(1, 200, false).take());
        send(server.trailers(1, "5").data(5, 0, 0).take());
        send(server.response(5, 200, false).trailers(3, "0").trailers(5, "0").take());
        assertThat(seen).containsExactly("3 200", "1 200", "1 -1 grpc=5 end", "5 200", "3 -1 grpc=0 end", "5 -1 grpc=0 end");
    }

    @Test
    void trailersOnlyResponsesDataEndsAndResets() {
        connect(4);
        send(server.headers(1, new io.grpc.netty.shaded.io.netty.handler.codec.http2.DefaultHttp2Headers().status("200")
                .add("grpc-status", "12"), true).response(3, 404, false).data(3, 100).take());
        send(server.frame(H2Frames.RST_STREAM, 0, 5, new byte[] {0, 0, 0, 8}).trailers(7, "123").take());
        assertThat(seen).containsExactly("1 200 grpc=12 end", "3 404", "3 ended", "5 ended", "7 -1 grpc={other} end");
    }

    @Test
    void followsTheFramesHoweverTheyAreSplitIntoSends() {
        connect(30);
        List<String> expected = new ArrayList<>();
        for (int stream = 1; stream <= 59; stream += 2) {
            server.response(stream, 200, false).data(stream, 17 * stream % 900, 0).trailers(stream, stream % 3 == 0 ? "0" : "14");
            expected.addAll(List.of(stream + " 200", stream + " -1 grpc=" + (stream % 3 == 0 ? "0" : "14") + " end"));
        }
        byte[] stream = server.take();
        Random random = new Random(11);
        for (int round = 0; round < 30; round++) {
            seen.clear();
            reads.state.reset();
            connect(30);
            // the server's SETTINGS is its first send: the reader takes up there
            send(server.frame(H2Frames.SETTINGS, 0, 0, new byte[0]).take());
            for (int pos = 0; pos < stream.length; ) {
                int n = Math.min(stream.length - pos, 1 + random.nextInt(round % 2 == 0 ? 50 : CAPTURE));
                send(Arrays.copyOfRange(stream, pos, pos + n));
                pos += n;
            }
            assertThat(seen).as("round %d", round).containsExactlyElementsOf(expected);
        }
    }

    @Test
    void startsLostAndTakesUpAtTheFirstSendThatStartsWithFrames() {
        connect(2);
        byte[] first = server.response(1, 200, false).data(1, 10, 0).take();
        send(Arrays.copyOfRange(first, 3, first.length)); // a send that does not start at a frame: nothing is read
        send(server.trailers(1, "0").response(3, 200, true).take());
        // stream 3's block refers to table entries added in what was not read: whether it held a
        // grpc-status is unknown, on a connection that sends them
        assertThat(seen).containsExactly("1 -1 grpc=0 end", "3 200 grpc={unknown} end");
    }

    @Test
    void aStreamEndingBlockPastLostTableEntriesIsAnUnknownGrpcStatus() {
        connect(3);
        send(server.response(1, 200, false).trailers(1, "0").take());
        // a send past the capture: its frames' blocks added entries the reader never saw
        byte[] unseen = server.response(3, 200, false).data(3, 5000, 0).trailers(3, "0").take();
        send(unseen, unseen.length + 10_000L);
        // the trailers refer to the entries that went by: grpc-status and grpc-message are unknown
        byte[] after = server.response(5, 200, false).trailers(5, "0").take();
        send(after);
        assertThat(seen).startsWith("1 200", "1 -1 grpc=0 end").endsWith("5 -1 grpc={unknown} end");
    }
}
