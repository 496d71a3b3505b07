package dev.k8sebpf.agent.httpparse;

/**
 * Where one connection's inbound byte stream stands between two reads. Only {@link HttpRequestParser}
 * reads or changes it; {@link ConnectionTable} creates, resets and forgets it.
 */
public final class ConnectionState {

    enum Phase {
        /** At a message boundary: the next bytes start a request line (leading CRLFs are skipped). */
        REQUEST_LINE,
        /** Inside a request's header block. */
        HEADERS,
        /** Skipping a Content-Length body: {@code remaining} bytes to go. */
        BODY,
        /** Expecting a chunk-size line of a chunked body. */
        CHUNK_SIZE,
        /** Skipping chunk data: {@code remaining} bytes to go. */
        CHUNK_DATA,
        /** Expecting the CRLF that closes a chunk's data. */
        CHUNK_DATA_END,
        /** After the last (zero) chunk: trailer lines until an empty line. */
        CHUNK_TRAILERS,
        /** Position unknown, but not inside a known body: a read that starts with a request line resyncs. */
        LOST,
        /** Inside a body whose end we cannot see: nothing is counted until the state is forgotten. */
        UNKNOWN_BODY,
        /** Not HTTP requests (TLS, the response side of a client connection): ignored. */
        OPAQUE,
        /** After the HTTP/2 preface: {@link #http2} reads the rest. */
        HTTP2;

        boolean inSync() {
            return ordinal() <= CHUNK_TRAILERS.ordinal();
        }

        boolean skipsBytes() {
            return this == BODY || this == CHUNK_DATA;
        }
    }

    /** A line split across reads is kept up to this many bytes; the rest is dropped (treated as cut). */
    static final int MAX_CARRIED_LINE = 256;

    Phase phase = Phase.REQUEST_LINE;
    /** Body or chunk bytes still to skip. */
    long remaining;
    /** Framing headers of the request whose header block is being read. */
    long contentLength = -1;
    boolean chunked;
    boolean badFraming;
    /** The start of a line that a read ended in; allocated only for connections that need it. */
    byte[] carry;
    int carryLen;
    boolean carryOverflow;
    long lastSeenNanos;
    /** A request line was counted: a preface after it ends an h2c upgrade (RFC 7540 3.2). */
    boolean sawRequest;
    /** The connection's HTTP/2 reader, from its preface on. */
    Http2Reader http2;
    /** The reader of its server side's frames, from the first send on (ENABLE_L7_RESPONSES). */
    private Http2Reader http2Responses;
    /** Allocated for the connections of servers whose responses are followed (ENABLE_L7_RESPONSES) only. */
    private AwaitedResponses awaited;
    private OpenStreams streams;
    /** {@link ConnectionTable#endpointsKey} of the connection this state belongs to. */
    long endpoints;
    /** The table's: its key, and its neighbours in the order of use. */
    long id;
    ConnectionState older;
    ConnectionState newer;

    /** Forget everything: the next read is taken as the start of a new connection. */
    public void reset() {
        phase = Phase.REQUEST_LINE;
        remaining = 0;
        resetFraming();
        clearCarry();
        sawRequest = false;
        http2 = null;
        http2Responses = null;
        if (awaited != null) {
            awaited.clear();
        }
        if (streams != null) {
            streams.clear();
        }
    }

    /**
     * One buffer of a send on this connection ({@code captured} bytes of {@code data}, of {@code bytes}):
     * on an HTTP/2 connection, the server's frames, whose stream ends go to {@code out}. Ignored on others.
     */
    public void readSend(byte[] data, int captured, long bytes, ResponseConsumer out) {
        if (phase != Phase.HTTP2 || bytes <= 0) {
            return;
        }
        if (http2Responses == null) {
            http2Responses = Http2Reader.responses(sawRequest);
        }
        int end = (int) Math.min(Math.min(Math.max(captured, 0), data.length), bytes);
        http2Responses.send(data, 0, end, bytes - end, out);
    }

    /** The connection's requests awaiting a response. */
    public AwaitedResponses awaited() {
        if (awaited == null) {
            awaited = new AwaitedResponses();
        }
        return awaited;
    }

    /** The connection's HTTP/2 requests awaiting the end of their responses. */
    public OpenStreams streams() {
        if (streams == null) {
            streams = new OpenStreams();
        }
        return streams;
    }

    void startHeaders() {
        phase = Phase.HEADERS;
        resetFraming();
    }

    void appendCarry(byte[] src, int from, int to) {
        if (carry == null) {
            carry = new byte[MAX_CARRIED_LINE];
        }
        int n = Math.min(to - from, MAX_CARRIED_LINE - carryLen);
        System.arraycopy(src, from, carry, carryLen, n);
        carryLen += n;
        carryOverflow |= n < to - from;
    }

    void clearCarry() {
        carryLen = 0;
        carryOverflow = false;
    }

    private void resetFraming() {
        contentLength = -1;
        chunked = false;
        badFraming = false;
    }
}
