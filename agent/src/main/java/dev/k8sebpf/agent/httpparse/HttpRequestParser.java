package dev.k8sebpf.agent.httpparse;

import dev.k8sebpf.agent.httpparse.ConnectionState.Phase;
import dev.k8sebpf.agent.httpparse.RequestLine.Ending;

/**
 * Counts HTTP/1.x requests in the captured prefixes of socket reads, one connection at a time.
 * Each read is given as the first {@code capturedLen} bytes the kernel copied plus the number of bytes
 * the read really returned; the parser follows message framing across reads by byte counts, so bodies
 * need not be captured to be skipped. Malformed input never throws; it only loses sync (see
 * {@code package-info.java}). One instance per thread: it reuses scratch buffers.
 */
public final class HttpRequestParser {
    /** {@link #resyncAt}'s answers beside a line end's index (or -1), and "not searched". */
    private static final int NO_RESYNC = -2;
    private static final int UNSEARCHED = -3;

    private final RequestLine requestLine = new RequestLine();
    private final PathNormalizer normalizer = new PathNormalizer();

    /**
     * @param state         the connection's state, from {@link ConnectionTable#state(long)}
     * @param captured      the captured bytes of one read
     * @param capturedLen   how many bytes of {@code captured} are valid
     * @param bytesReceived how many bytes the read returned (may exceed {@code capturedLen})
     * @param out           told about each request, in order
     */
    public void parse(ConnectionState state, byte[] captured, int capturedLen, long bytesReceived, RequestConsumer out) {
        if (captured == null || bytesReceived <= 0 || state.phase == Phase.OPAQUE || state.phase == Phase.UNKNOWN_BODY) {
            return;
        }
        int end = (int) Math.min(Math.min(Math.max(capturedLen, 0), captured.length), bytesReceived);
        if (state.phase == Phase.HTTP2) {
            state.http2.receive(captured, 0, end, bytesReceived - end, out, normalizer);
            return;
        }
        boolean wholeRead = end == bytesReceived;
        int firstLf = UNSEARCHED;
        if (state.phase == Phase.LOST) {
            firstLf = resyncAt(captured, end, wholeRead);
            if (firstLf == NO_RESYNC) {
                return;
            }
            state.reset();
        }
        int pos = 0;
        while (pos < end && state.phase.inSync()) {
            if (state.phase.skipsBytes()) {
                int n = (int) Math.min(state.remaining, end - pos);
                consumeBody(state, n);
                pos += n;
                continue;
            }
            if (state.phase == Phase.REQUEST_LINE && state.carryLen == 0) {
                pos = skipBlankLines(captured, pos, end); // RFC 9112 2.2: ignore CRLFs before a request
                if (pos == end) {
                    break;
                }
                if (Http2Reader.startsPreface(captured, pos, end)) {
                    state.phase = Phase.HTTP2;
                    state.http2 = new Http2Reader(state.sawRequest);
                    state.http2.receive(captured, pos, end, bytesReceived - end, out, normalizer);
                    return;
                }
            }
            // a resync already found the first line's end
            int lf = pos == 0 && firstLf != UNSEARCHED ? firstLf : RequestLine.indexOf(captured, pos, end, '\n');
            if (lf < 0) {
                break;
            }
            if (state.carryLen > 0) {
                state.appendCarry(captured, pos, lf);
                line(state, state.carry, 0, state.carryLen, state.carryOverflow, out);
                state.clearCarry();
            } else {
                line(state, captured, pos, lf, false, out);
            }
            pos = lf + 1;
        }
        if (!state.phase.inSync()) {
            state.clearCarry();
            return;
        }
        if (wholeRead) {
            if (pos < end) {
                carryPartialLine(state, captured, pos, end);
            }
            return;
        }
        if (state.phase == Phase.REQUEST_LINE && (pos < end || state.carryLen > 0)) {
            cutRequestLine(state, captured, pos, end, out);
        }
        state.clearCarry();
        unseen(state, bytesReceived - end);
    }

    /** A complete line {@code b[from, to)} without its LF; {@code cut} if its middle was dropped. */
    private void line(ConnectionState state, byte[] b, int from, int to, boolean cut, RequestConsumer out) {
        if (!cut && to > from && b[to - 1] == '\r') {
            to--;
        }
        switch (state.phase) {
            case REQUEST_LINE -> requestLine(state, b, from, to, cut ? Ending.CAPTURE_CUT : Ending.LINE_END, out);
            case HEADERS -> {
                if (from == to) {
                    endOfHeaders(state);
                } else {
                    BodyFraming.inspect(state, b, from, to);
                }
            }
            case CHUNK_SIZE -> {
                long size = BodyFraming.parseChunkSize(b, from, to);
                if (size < 0) {
                    state.phase = Phase.UNKNOWN_BODY;
                } else if (size == 0) {
                    state.phase = Phase.CHUNK_TRAILERS;
                } else {
                    state.phase = Phase.CHUNK_DATA;
                    state.remaining = size;
                }
            }
            case CHUNK_DATA_END -> state.phase = from == to ? Phase.CHUNK_SIZE : Phase.UNKNOWN_BODY;
            case CHUNK_TRAILERS -> {
                if (from == to) {
                    state.phase = Phase.REQUEST_LINE;
                }
            }
            case BODY, CHUNK_DATA, LOST, UNKNOWN_BODY, OPAQUE, HTTP2 -> { } // no lines in these phases
        }
    }

    private void requestLine(ConnectionState state, byte[] b, int from, int to, Ending ending, RequestConsumer out) {
        switch (requestLine.scan(b, from, to, ending)) {
            case REQUEST -> {
                String path = normalizer.normalize(b, requestLine.targetFrom, requestLine.targetTo, requestLine.targetCut);
                out.request(requestLine.method, path);
                state.sawRequest = true;
                state.startHeaders();
            }
            case OTHER_PROTOCOL -> state.phase = Phase.OPAQUE;
            case NOT_REQUEST -> state.phase = Phase.LOST;
            case INCOMPLETE -> { }
        }
    }

    private static void endOfHeaders(ConnectionState state) {
        if (state.badFraming) {
            state.phase = Phase.UNKNOWN_BODY;
        } else if (state.chunked) {
            state.phase = Phase.CHUNK_SIZE;
        } else if (state.contentLength > 0) {
            state.phase = Phase.BODY;
            state.remaining = state.contentLength;
        } else {
            state.phase = Phase.REQUEST_LINE; // a request without either header has no body
        }
    }

    /** The read ended inside a line: keep its start for the next read, unless it cannot be a request. */
    private void carryPartialLine(ConnectionState state, byte[] b, int from, int to) {
        state.appendCarry(b, from, to);
        if (state.phase == Phase.REQUEST_LINE) {
            switch (requestLine.scan(state.carry, 0, state.carryLen, Ending.READ_END)) {
                case NOT_REQUEST -> state.phase = Phase.LOST;
                case OTHER_PROTOCOL -> state.phase = Phase.OPAQUE;
                case REQUEST, INCOMPLETE -> { }
            }
            if (!state.phase.inSync()) {
                state.clearCarry();
            }
        }
    }

    /** The capture ended inside a request line: count it if method and target start are visible. */
    private void cutRequestLine(ConnectionState state, byte[] b, int from, int to, RequestConsumer out) {
        if (state.carryLen > 0) {
            state.appendCarry(b, from, to);
            requestLine(state, state.carry, 0, state.carryLen, Ending.CAPTURE_CUT, out);
        } else {
            requestLine(state, b, from, to, Ending.CAPTURE_CUT, out);
        }
    }

    /** {@code count} bytes of the read went by without being captured. */
    private static void unseen(ConnectionState state, long count) {
        switch (state.phase) {
            case BODY, CHUNK_DATA -> {
                if (count <= state.remaining) {
                    consumeBody(state, count);
                } else {
                    // the body ended inside the unseen bytes; what followed it is unknown
                    state.phase = state.phase == Phase.BODY ? Phase.LOST : Phase.UNKNOWN_BODY;
                }
            }
            case HEADERS -> state.phase = state.chunked || state.badFraming ? Phase.UNKNOWN_BODY : Phase.LOST;
            case CHUNK_SIZE, CHUNK_DATA_END -> state.phase = Phase.UNKNOWN_BODY;
            case REQUEST_LINE, CHUNK_TRAILERS -> state.phase = Phase.LOST;
            default -> { }
        }
    }

    /** {@code n} (at most {@code remaining}) body or chunk-data bytes went by. */
    private static void consumeBody(ConnectionState state, long n) {
        state.remaining -= n;
        if (state.remaining == 0) {
            state.phase = state.phase == Phase.BODY ? Phase.REQUEST_LINE : Phase.CHUNK_DATA_END;
        }
    }

    /**
     * Whether a read in the LOST phase may start with a request line, so counting can resume there:
     * {@link #NO_RESYNC}, or where the first line ends (-1: not in the capture), which the parse that
     * follows then need not search again. A whole first line is only checked for its method here: that
     * parse scans it once, and puts the connection back in LOST if it is no request. A first line without
     * its end must be a request by what is visible.
     */
    private int resyncAt(byte[] b, int end, boolean wholeRead) {
        if (!RequestLine.startsWithMethod(b, end)) {
            return NO_RESYNC;
        }
        int lf = RequestLine.indexOf(b, 0, end, '\n');
        if (lf >= 0 || requestLine.scan(b, 0, end, wholeRead ? Ending.READ_END : Ending.CAPTURE_CUT) == RequestLine.Kind.REQUEST) {
            return lf;
        }
        return NO_RESYNC;
    }

    private static int skipBlankLines(byte[] b, int pos, int end) {
        while (pos < end && (b[pos] == '\r' || b[pos] == '\n')) {
            pos++;
        }
        return pos;
    }
}
