package dev.k8sebpf.agent.httpparse;

import static org.assertj.core.api.Assertions.assertThat;

import dev.k8sebpf.agent.httpparse.ConnectionState.Phase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

class HttpRequestParserTest {

    private final Reads reads = new Reads();

    @ParameterizedTest
    @EnumSource(value = HttpMethod.class, names = {"CONNECT", "OPTIONS", "UNKNOWN"}, mode = EnumSource.Mode.EXCLUDE)
    void countsEveryMethodWithAnOriginFormTarget(HttpMethod method) {
        reads.read(method + " /orders/42 HTTP/1.1\r\nHost: shop\r\n\r\n");
        assertThat(reads.requests).containsExactly(method + " /orders/{id}");
        assertThat(reads.phase()).isEqualTo(Phase.REQUEST_LINE);
    }

    @Test
    void countsOptionsAsteriskAndConnectAuthority() {
        reads.read("OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n")
                .read("OPTIONS /x HTTP/1.1\r\nHost: a\r\n\r\n")
                .read("CONNECT db.internal:5432 HTTP/1.1\r\nHost: db.internal:5432\r\n\r\n");
        assertThat(reads.requests).containsExactly("OPTIONS *", "OPTIONS /x", "CONNECT db.internal:5432");
    }

    @ParameterizedTest
    @ValueSource(strings = {"get / HTTP/1.1", "PRI / HTTP/1.1", "FOO / HTTP/1.1", "GET / HTTP/2.0", "GET / HTTP/1.1 x",
            "GET /", "GET  / HTTP/1.1", "GET relative HTTP/1.1", "GET * HTTP/1.1", "GET /a\tb HTTP/1.1", "GET / HTTP/1.x",
            "GET / http/1.1", "GET", "CONNECT h:4/3 HTTP/1.1", "CONNECT u@h:1 HTTP/1.1"})
    void ignoresLinesThatAreNotHttp1RequestLines(String line) {
        reads.read(line + "\r\nHost: a\r\n\r\n");
        assertThat(reads.requests).isEmpty();
        assertThat(reads.phase()).isEqualTo(Phase.LOST);
    }

    @Test
    void acceptsHttp10AndBareLf() {
        reads.read("GET /a HTTP/1.0\n\n").read("GET /b HTTP/1.1\nHost: x\n\n");
        assertThat(reads.requests).containsExactly("GET /a", "GET /b");
    }

    @Test
    void countsEachRequestOfAKeepAliveConnection() {
        reads.read("GET /users/1 HTTP/1.1\r\nHost: a\r\n\r\n")
                .read("POST /users HTTP/1.1\r\nHost: a\r\nContent-Length: 13\r\n\r\n{\"name\":\"x\"}\n")
                .read("DELETE /users/1 HTTP/1.1\r\nHost: a\r\n\r\n");
        assertThat(reads.requests).containsExactly("GET /users/{id}", "POST /users", "DELETE /users/{id}");
    }

    @Test
    void aRepeatedRequestCountsEveryTimeAndMatchesAFreshParse() {
        String get = "GET /users/1?x=2 HTTP/1.1\r\nHost: a\r\n\r\n";
        String post = "POST /users HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\n";
        reads.read(get).read(get).read(get)
                .read(post).read("hello") // ends inside a body: the body is skipped
                .read(post).read("GET /a HTTP/1.1\r\n\r\n") // same header bytes, but now read as body
                .read(get).read(get);
        assertThat(reads.requests).containsExactly("GET /users/{id}", "GET /users/{id}", "GET /users/{id}",
                "POST /users", "POST /users", "GET /users/{id}", "GET /users/{id}");
        assertThat(reads.phase()).isEqualTo(Phase.REQUEST_LINE);
    }

    @Test
    void aRepeatedPipelinedOrSplitReadIsParsedAgain() {
        String two = "GET /a HTTP/1.1\r\n\r\nGET /b HTTP/1.1\r\n\r\n";
        String head = "GET /c HTTP/1.1\r\nHo";
        reads.read(two).read(two)
                .read(head).read("st: x\r\n\r\n").read(head).read("st: x\r\n\r\n");
        assertThat(reads.requests).containsExactly("GET /a", "GET /b", "GET /a", "GET /b", "GET /c", "GET /c");
    }

    @Test
    void aRepeatAfterTheStateWasResetIsParsedAgain() {
        String get = "GET /a HTTP/1.1\r\n\r\n";
        reads.read(get);
        reads.state.reset();
        reads.read("HTTP/1.1 200 OK\r\n\r\n").read(get);
        assertThat(reads.requests).containsExactly("GET /a");
        assertThat(reads.phase()).isEqualTo(Phase.OPAQUE);
    }

    @Test
    void countsThreePipelinedRequestsInOneRead() {
        reads.read("GET /a HTTP/1.1\r\nHost: x\r\n\r\n"
                + "POST /b HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello"
                + "GET /c?q=1 HTTP/1.1\r\nHost: x\r\n\r\n");
        assertThat(reads.requests).containsExactly("GET /a", "POST /b", "GET /c");
        assertThat(reads.phase()).isEqualTo(Phase.REQUEST_LINE);
    }

    @Test
    void countsPipelinedRequestsOnlyAsFarAsTheCaptureGoes() {
        String one = "GET /a HTTP/1.1\r\nHost: x\r\n\r\n";
        String read = one.repeat(20); // 20 x 28 bytes, 256 captured: 9 whole requests, then "GET " of a 10th
        reads.read(read);
        assertThat(reads.requests).hasSize(9).allMatch(r -> r.equals("GET /a"));
        assertThat(reads.phase()).isEqualTo(Phase.LOST);
        reads.read(one);
        assertThat(reads.requests).hasSize(10);
    }

    @Test
    void countsARequestLineCutByTheCaptureAndMarksTheCutSegment() {
        String target = "/files/" + Reads.repeat('a', 300);
        reads.read("GET " + target + " HTTP/1.1\r\nHost: x\r\n\r\n");
        assertThat(reads.requests).containsExactly("GET /files/{truncated}");
        assertThat(reads.phase()).isEqualTo(Phase.LOST);
    }

    @Test
    void aCutInsideTheQueryKeepsTheWholePath() {
        reads.read("GET /search?q=" + Reads.repeat('z', 300) + " HTTP/1.1\r\n\r\n");
        assertThat(reads.requests).containsExactly("GET /search");
    }

    @Test
    void aCutBeforeTheTargetStartsIsNotCounted() {
        byte[] bytes = "GET /a HTTP/1.1\r\n\r\n".getBytes();
        reads.parser.parse(reads.state, bytes, 3, bytes.length, reads);
        assertThat(reads.requests).isEmpty();
        assertThat(reads.phase()).isEqualTo(Phase.LOST);
    }

    @Test
    void resynchronisesAfterALargeHeaderBlockAtTheNextRequestLine() {
        String bigHeaders = "GET /a HTTP/1.1\r\nAuthorization: Bearer " + Reads.repeat('t', 600) + "\r\n\r\n";
        reads.read(bigHeaders).read(bigHeaders).read(bigHeaders);
        assertThat(reads.requests).containsExactly("GET /a", "GET /a", "GET /a");
    }

    @Test
    void aLostConnectionIgnoresReadsThatDoNotStartWithARequestLine() {
        reads.read("GET /a HTTP/1.1\r\nX: " + Reads.repeat('t', 600) + "\r\n\r\n")
                .read("garbage\r\nGET /hidden HTTP/1.1\r\n\r\n")
                .read("GET /b HTTP/1.1\r\n\r\n");
        assertThat(reads.requests).containsExactly("GET /a", "GET /b");
    }

    @Test
    void aRequestLineSplitAcrossReadsIsCountedOnce() {
        reads.read("GE").read("T /api/v1/ite").read("ms/7 HTTP/1.").read("1\r").read("\nHost: x\r\n\r\n");
        assertThat(reads.requests).containsExactly("GET /api/v1/items/{id}");
        assertThat(reads.phase()).isEqualTo(Phase.REQUEST_LINE);
    }

    @Test
    void aPartialReadThatCannotBecomeARequestLosesSync() {
        reads.read("HELLO");
        assertThat(reads.phase()).isEqualTo(Phase.LOST);
    }

    @Test
    void aHeaderSplitAcrossReadsStillFramesTheBody() {
        reads.read("POST /a HTTP/1.1\r\nContent-Le").read("ngth: 17\r\n\r\n").read("GET /x HTTP/1.1\r\n")
                .read("GET /b HTTP/1.1\r\n\r\n");
        assertThat(reads.requests).containsExactly("POST /a", "GET /b");
    }

    @Test
    void aBodyThatLooksLikeARequestIsNotCounted() {
        String body = "GET /evil HTTP/1.1\r\n\r\n";
        reads.read("POST /upload HTTP/1.1\r\nContent-Length: " + body.length() + "\r\n\r\n" + body)
                .read("POST /upload HTTP/1.1\r\nContent-Length: " + body.length() + "\r\n\r\n")
                .read(body)
                .read("GET /after HTTP/1.1\r\n\r\n");
        assertThat(reads.requests).containsExactly("POST /upload", "POST /upload", "GET /after");
    }

    @Test
    void followsALargeBodyByByteCountsWhenOnlyItsStartIsCaptured() {
        String decoy = "GET /evil HTTP/1.1\r\n\r\n";
        String head = "PUT /blob HTTP/1.1\r\nContent-Length: 10000\r\n\r\n";
        reads.read(head + decoy + Reads.repeat('x', 5000 - decoy.length()));
        assertThat(reads.phase()).isEqualTo(Phase.BODY);
        reads.read(decoy + Reads.repeat('x', 5000 - decoy.length()))
                .read("GET /next HTTP/1.1\r\n\r\n");
        assertThat(reads.requests).containsExactly("PUT /blob", "GET /next");
    }

    @Test
    void aBodyEndingExactlyAtTheEndOfAnUncapturedReadStaysInSync() {
        reads.read("POST /a HTTP/1.1\r\nContent-Length: 1000\r\n\r\n").unseenRead(1000);
        assertThat(reads.phase()).isEqualTo(Phase.REQUEST_LINE);
        reads.read("GET /b HTTP/1.1\r\n\r\n");
        assertThat(reads.requests).containsExactly("POST /a", "GET /b");
    }

    @Test
    void aBodyEndingInsideUncapturedBytesLosesSyncUntilTheNextRequestLine() {
        reads.read("POST /a HTTP/1.1\r\nContent-Length: 10\r\n\r\n").unseenRead(500);
        assertThat(reads.phase()).isEqualTo(Phase.LOST);
        reads.read("GET /b HTTP/1.1\r\n\r\n");
        assertThat(reads.requests).containsExactly("POST /a", "GET /b");
    }

    @Test
    void followsAChunkedBodyInOneRead() {
        reads.read("POST /c HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "16\r\nGET /evil HTTP/1.1\r\n\r\n\r\n"
                + "5;ext=1\r\nhello\r\n0\r\nTrailer: x\r\n\r\n"
                + "GET /next HTTP/1.1\r\n\r\n");
        assertThat(reads.requests).containsExactly("POST /c", "GET /next");
        assertThat(reads.phase()).isEqualTo(Phase.REQUEST_LINE);
    }

    @Test
    void followsAChunkedBodyAcrossReads() {
        reads.read("POST /c HTTP/1.1\r\nTransfer-Encoding: gzip, Chunked\r\n\r\n")
                .read("16\r\n")
                .read("GET /evil HTTP/1.1\r\n\r\n")
                .read("\r\n0\r\n\r\n")
                .read("GET /next HTTP/1.1\r\n\r\n");
        assertThat(reads.requests).containsExactly("POST /c", "GET /next");
    }

    @Test
    void skipsUncapturedChunkDataByCount() {
        String chunk = Reads.repeat('d', 4096);
        reads.read("POST /c HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n1000\r\n" + chunk + "\r\n0\r\n\r\n");
        assertThat(reads.phase()).isEqualTo(Phase.UNKNOWN_BODY); // the terminating chunk was not captured
        Reads second = new Reads();
        second.read("POST /c HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n1000\r\n" + chunk);
        assertThat(second.phase()).isEqualTo(Phase.CHUNK_DATA_END);
        second.read("\r\n0\r\n\r\nGET /next HTTP/1.1\r\n\r\n");
        assertThat(second.requests).containsExactly("POST /c", "GET /next");
    }

    @Test
    void anUnknownLengthBodyIsNotCountedInto() {
        reads.read("POST /c HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n" + "1000\r\n" + Reads.repeat('d', 5000))
                .read("GET /looks-like-a-request HTTP/1.1\r\n\r\n")
                .read("GET /again HTTP/1.1\r\n\r\n");
        assertThat(reads.requests).containsExactly("POST /c");
        assertThat(reads.phase()).isEqualTo(Phase.UNKNOWN_BODY);
    }

    @ParameterizedTest
    @ValueSource(strings = {"Content-Length: abc", "Content-Length: -1", "Content-Length: 99999999999999999999",
            "Transfer-Encoding: gzip", "Content-Length: 5\r\nContent-Length: 6"})
    void ambiguousFramingIsTreatedAsAnUnknownLengthBody(String header) {
        reads.read("POST /a HTTP/1.1\r\n" + header + "\r\n\r\n").read("GET /b HTTP/1.1\r\n\r\n");
        assertThat(reads.requests).containsExactly("POST /a");
        assertThat(reads.phase()).isEqualTo(Phase.UNKNOWN_BODY);
    }

    @Test
    void aMalformedChunkSizeIsAnUnknownLengthBody() {
        reads.read("POST /a HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nGET /b HTTP/1.1\r\n\r\n");
        assertThat(reads.requests).containsExactly("POST /a");
        assertThat(reads.phase()).isEqualTo(Phase.UNKNOWN_BODY);
    }

    @Test
    void theHttp2PrefaceHandsTheConnectionToHttp2() {
        reads.read("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n").read("GET /a HTTP/1.1\r\n\r\n");
        assertThat(reads.requests).as("HTTP/1.1 bytes are no HTTP/2 frames").isEmpty();
        assertThat(reads.phase()).isEqualTo(Phase.HTTP2);
    }

    @Test
    void tlsIsIgnored() {
        byte[] clientHello = {0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, (byte) 0xfc, 0x03, 0x03, '\n'};
        reads.read(clientHello, clientHello.length).read("GET /a HTTP/1.1\r\n\r\n");
        assertThat(reads.requests).isEmpty();
        assertThat(reads.phase()).isEqualTo(Phase.OPAQUE);
    }

    @Test
    void responsesAreNeverRequests() {
        reads.read("HTTP/1.1 200 OK\r\nContent-Length: 22\r\n\r\n").read("GET /body HTTP/1.1\r\n\r\n");
        assertThat(reads.requests).isEmpty();
        assertThat(reads.phase()).isEqualTo(Phase.OPAQUE);
    }

    @Test
    void otherBinaryProtocolsAreIgnored() {
        byte[] postgres = {0, 0, 0, 8, 4, (byte) 0xd2, 0x16, 0x2f};
        reads.read(postgres, postgres.length).read("GET /a HTTP/1.1\r\n\r\n");
        assertThat(reads.requests).containsExactly("GET /a"); // LOST resyncs at a real request line
    }

    @Test
    void blankLinesBeforeARequestAreSkipped() {
        reads.read("POST /a HTTP/1.1\r\nContent-Length: 2\r\n\r\nok\r\n").read("\r\nGET /b HTTP/1.1\r\n\r\n");
        assertThat(reads.requests).containsExactly("POST /a", "GET /b");
    }

    @Test
    void ignoresEmptyAndErrorReads() {
        byte[] bytes = "GET /a HTTP/1.1\r\n\r\n".getBytes();
        reads.parser.parse(reads.state, bytes, bytes.length, 0, reads);
        reads.parser.parse(reads.state, bytes, bytes.length, -11, reads);
        reads.parser.parse(reads.state, null, 5, 5, reads);
        assertThat(reads.requests).isEmpty();
        assertThat(reads.phase()).isEqualTo(Phase.REQUEST_LINE);
    }

    @Test
    void neverReadsPastTheBytesTheReadReturned() {
        byte[] stale = "GET /a HTTP/1.1\r\n\r\nGET /stale HTTP/1.1\r\n\r\n".getBytes();
        reads.parser.parse(reads.state, stale, stale.length, 19, reads);
        assertThat(reads.requests).containsExactly("GET /a");
    }
}
