package dev.k8sebpf.agent.httpparse;

import dev.k8sebpf.agent.httpparse.hpack.HpackDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * One side of a cleartext HTTP/2 connection (RFC 9113), read from captured receives or sends: frames
 * are followed by their lengths, so uncaptured payload bytes still advance the position, and every
 * HEADERS frame that opens a client stream is a request. Client stream ids are odd and increase, so after
 * bytes went by unseen, a HEADERS frame that skips ids also counts the streams between: a missed frame
 * does not lose its request, only its method and path ({@link HttpMethod#UNKNOWN}, {@link #UNKNOWN_PATH}). Method and {@code :path}
 * come from HPACK ({@link HpackDecoder}, whose dynamic table is kept while its inputs are seen).
 *
 * <p>When a frame header falls in bytes that were not captured, the position is lost until a read starts
 * with frames that check out ({@link #resync}); the stream ids then give the count of what went by.
 *
 * <p>The server side ({@link #responses}) is read the same way for what ends each stream: the block with
 * {@code :status} (and, for gRPC, the trailers with {@code grpc-status}), a DATA frame's END_STREAM, a
 * RST_STREAM. It starts lost: the server's first frames (its SETTINGS) may be sent before the kernel knows
 * the connection, so it takes up at the first send it is shown. A stream whose end went by unseen is never
 * answered. {@link ConnectionState} holds one reader per side.
 */
final class Http2Reader {
    /** The path label of a request whose {@code :path} could not be read. */
    static final String UNKNOWN_PATH = "/{unknown}";
    /** The grpc-status label of a value outside 0-99 (the codes gRPC defines are 0-16). */
    public static final String OTHER_GRPC_STATUS = "{other}";
    /** The grpc-status label of a stream-ending block that could not be read, on a connection that sends grpc-status. */
    public static final String UNKNOWN_GRPC_STATUS = "{unknown}";
    private static final String[] GRPC_STATUSES = new String[100];

    static {
        for (int code = 0; code < GRPC_STATUSES.length; code++) {
            GRPC_STATUSES[code] = Integer.toString(code);
        }
    }

    static final byte[] PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    /** Header block bytes kept per request; a longer block is decoded as far as this. */
    static final int MAX_BLOCK = 4096;
    /**
     * A stream id this far past the last one after missed bytes counts no streams between: 10,000 requests
     * in bytes the capture missed are less likely than a resync that misread a payload as frames.
     */
    static final int MAX_STREAM_GAP = 2 * 10_000;
    /** SETTINGS_MAX_FRAME_SIZE's initial value: frames past it only pass a resync if the reader was in sync. */
    private static final int DEFAULT_MAX_FRAME = 16_384;

    private static final int FRAME_HEADER = 9;
    private static final int DATA = 0;
    private static final int HEADERS = 1;
    private static final int PRIORITY = 2;
    private static final int RST_STREAM = 3;
    private static final int SETTINGS = 4;
    private static final int PUSH_PROMISE = 5;
    private static final int PING = 6;
    private static final int GOAWAY = 7;
    private static final int WINDOW_UPDATE = 8;
    private static final int CONTINUATION = 9;
    private static final int END_STREAM = 0x1;
    private static final int END_HEADERS = 0x4;
    private static final int PADDED = 0x8;
    private static final int PRIORITY_FLAG = 0x20;
    private static final byte[] METHOD = ":method".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] PATH = ":path".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] STATUS = ":status".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] GRPC_STATUS = "grpc-status".getBytes(StandardCharsets.US_ASCII);

    /** The server side: responses, not requests. */
    private final boolean server;
    private final HpackDecoder hpack = new HpackDecoder();
    private int prefaceAt;
    private final byte[] frameHeader = new byte[FRAME_HEADER];
    private int frameHeaderLen;
    /** Inside a frame's payload: its type and flags, and the bytes to go. */
    private boolean inPayload;
    private int type;
    private int flags;
    private long payloadLeft;
    /** HEADERS: the pad-length and priority bytes before the block, and the padding after it. */
    private int prefixLeft;
    private boolean padLengthPending;
    private long blockLeft;
    /** A header block is open: its HEADERS frame lacked END_HEADERS, CONTINUATION frames follow. */
    private boolean inBlock;
    private byte[] block;
    private int blockLen;
    /** Bytes of the open block went by unseen (or past MAX_BLOCK): only blockLen bytes are its start. */
    private boolean blockCut;
    /** The open block's stream is new: it is counted when the block ends. */
    private boolean blockOpens;
    /** The open block's stream, and whether its HEADERS frame ends the stream. */
    private int blockStream;
    private boolean blockEndsStream;
    /** The server side has sent grpc-status: an unreadable stream-ending block is a gRPC status unknown. */
    private boolean sendsGrpcStatus;
    private int lastStream;
    /** Frames went by unseen since the last new stream: a gap in stream ids is requests missed. */
    private boolean missedFrames;
    private boolean lost;
    /** The fields of the block being decoded. */
    private byte[] method;
    private byte[] path;
    private byte[] status;
    private byte[] grpcStatus;
    private final HpackDecoder.Fields fields = (name, value) -> {
        if (Arrays.equals(name, METHOD)) {
            method = value;
        } else if (Arrays.equals(name, PATH)) {
            path = value;
        } else if (Arrays.equals(name, STATUS)) {
            status = value;
        } else if (Arrays.equals(name, GRPC_STATUS)) {
            grpcStatus = value;
        }
    };
    /** Where the current call's requests or responses go. */
    private RequestConsumer requests;
    private PathNormalizer normalizer;
    private ResponseConsumer responses;

    /** The client side. @param upgraded the connection began as HTTP/1.1 and its request (stream 1) was counted as such */
    Http2Reader(boolean upgraded) {
        this(false, upgraded);
    }

    private Http2Reader(boolean server, boolean upgraded) {
        this.server = server;
        lastStream = upgraded ? 1 : -1;
    }

    /**
     * The server side of a connection whose client side was read from its preface on. After an h2c upgrade
     * the server's first header blocks (the upgrade request's response) may have gone out before the kernel
     * knew the connection was HTTP/2, so the table starts tainted.
     */
    static Http2Reader responses(boolean upgraded) {
        Http2Reader reader = new Http2Reader(true, upgraded);
        reader.prefaceAt = PREFACE.length;
        reader.lost = true;
        if (upgraded) {
            reader.hpack.lose();
        }
        return reader;
    }

    /** Whether {@code b[from, to)} may start the preface (its whole visible part matches). */
    static boolean startsPreface(byte[] b, int from, int to) {
        int n = Math.min(to - from, PREFACE.length);
        return n >= 4 && Arrays.equals(PREFACE, 0, n, b, from, from + n);
    }

    /**
     * One receive of the client side: {@code b[from, to)} captured, then {@code unseen} more bytes that were not.
     */
    void receive(byte[] b, int from, int to, long unseen, RequestConsumer out, PathNormalizer normalizer) {
        requests = out;
        this.normalizer = normalizer;
        read(b, from, to, unseen);
        requests = null;
    }

    /** One buffer of a send of the server side, as {@link #receive}. */
    void send(byte[] b, int from, int to, long unseen, ResponseConsumer out) {
        responses = out;
        read(b, from, to, unseen);
        responses = null;
    }

    private void read(byte[] b, int from, int to, long unseen) {
        if (lost) {
            if (unseen < 0 || !resync(b, from, to, unseen, server)) {
                return;
            }
            lost = false;
            prefaceAt = PREFACE.length;
            frameHeaderLen = 0;
            inPayload = false;
            inBlock = false;
        }
        int pos = from;
        if (prefaceAt < PREFACE.length) {
            int n = Math.min(to - pos, PREFACE.length - prefaceAt);
            if (!Arrays.equals(PREFACE, prefaceAt, prefaceAt + n, b, pos, pos + n)) {
                loseSync();
                return;
            }
            prefaceAt += n;
            pos += n;
        }
        while (pos < to && !lost) {
            if (!inPayload) {
                int n = Math.min(FRAME_HEADER - frameHeaderLen, to - pos);
                System.arraycopy(b, pos, frameHeader, frameHeaderLen, n);
                frameHeaderLen += n;
                pos += n;
                if (frameHeaderLen == FRAME_HEADER) {
                    startFrame();
                }
            } else {
                int n = (int) Math.min(payloadLeft, to - pos);
                payload(b, pos, n);
                pos += n;
                endOfPayload();
            }
        }
        while (unseen > 0 && !lost) {
            if (prefaceAt < PREFACE.length || !inPayload) {
                loseSync(); // a frame header went by unseen
                return;
            }
            int n = (int) Math.min(payloadLeft, unseen); // (a frame is under 2^24 bytes)
            payload(null, 0, n);
            unseen -= n;
            endOfPayload();
        }
    }

    private void startFrame() {
        frameHeaderLen = 0;
        payloadLeft = length(frameHeader, 0);
        type = frameHeader[3] & 0xff;
        flags = frameHeader[4] & 0xff;
        int stream = stream(frameHeader, 0);
        inPayload = true;
        if (inBlock != (type == CONTINUATION)) {
            loseSync(); // RFC 9113 6.10: nothing may come between a block's frames
            return;
        }
        if (server && (type == DATA && (flags & END_STREAM) != 0 || type == RST_STREAM)) {
            responses.ended(stream);
        } else if (server && type == PUSH_PROMISE) {
            hpack.lose(); // its block adds to the table: not followed (a promised response is not counted)
        }
        if (type == HEADERS) {
            padLengthPending = (flags & PADDED) != 0;
            prefixLeft = (padLengthPending ? 1 : 0) + ((flags & PRIORITY_FLAG) != 0 ? 5 : 0);
            blockLeft = payloadLeft - prefixLeft;
            if (blockLeft < 0) {
                loseSync();
                return;
            }
            blockLen = 0;
            blockCut = false;
            blockStream = stream;
            blockEndsStream = (flags & END_STREAM) != 0;
            blockOpens = !server && (stream & 1) == 1 && stream > lastStream;
            if (blockOpens) {
                // Seen in sync since the last new stream, a gap is the client's own (grpc-java starts at 3).
                boolean counts = missedFrames && (long) stream - lastStream <= MAX_STREAM_GAP;
                for (int missed = counts ? lastStream + 2 : stream; missed < stream; missed += 2) {
                    requests.request(HttpMethod.UNKNOWN, UNKNOWN_PATH, missed);
                }
                missedFrames = false;
                lastStream = stream;
            }
            inBlock = true;
        } else if (type == CONTINUATION) {
            padLengthPending = false;
            prefixLeft = 0;
            blockLeft = payloadLeft;
        }
        endOfPayload();
    }

    /** n payload bytes of the current frame: b[pos, pos + n), or unseen if b is null. */
    private void payload(byte[] b, int pos, int n) {
        payloadLeft -= n;
        if (type != HEADERS && type != CONTINUATION) {
            return;
        }
        if (padLengthPending && n > 0) {
            padLengthPending = false;
            // the payload's first byte: how much padding follows the block
            if (b == null) {
                blockCut = true;
            } else {
                blockLeft -= b[pos] & 0xff;
                if (blockLeft < 0) {
                    blockCut = true;
                    blockLeft = 0;
                }
            }
        }
        if (prefixLeft > 0) {
            int skipped = Math.min(prefixLeft, n);
            prefixLeft -= skipped;
            pos += skipped;
            n -= skipped;
        }
        int inBlockBytes = (int) Math.min(n, blockLeft);
        blockLeft -= inBlockBytes;
        if (inBlockBytes == 0) {
            return;
        }
        if (b == null || blockCut || blockLen + inBlockBytes > MAX_BLOCK) {
            if (b != null && !blockCut) {
                append(b, pos, MAX_BLOCK - blockLen);
            }
            blockCut = true;
            return;
        }
        append(b, pos, inBlockBytes);
    }

    private void append(byte[] b, int pos, int n) {
        if (block == null || block.length < blockLen + n) {
            block = Arrays.copyOf(block == null ? new byte[0] : block, Math.min(MAX_BLOCK, Math.max(256, 2 * (blockLen + n))));
        }
        System.arraycopy(b, pos, block, blockLen, n);
        blockLen += n;
    }

    private void endOfPayload() {
        if (payloadLeft > 0 || lost) {
            return;
        }
        inPayload = false;
        if ((type == HEADERS || type == CONTINUATION) && (flags & END_HEADERS) != 0) {
            endOfBlock();
        }
    }

    /**
     * Decodes the block (keeping the table in step) and counts its request if it opened a stream, or
     * (server side) reports the stream's response headers or trailers.
     */
    private void endOfBlock() {
        inBlock = false;
        method = null;
        path = null;
        status = null;
        grpcStatus = null;
        HpackDecoder.Result result = hpack.decode(block == null ? new byte[0] : block, 0, blockLen, !blockCut, fields);
        if (server) {
            boolean unreadable = blockCut || result != HpackDecoder.Result.COMPLETE || hpack.skippedUnknown();
            responses.headers(blockStream, statusCode(status), grpcLabel(blockEndsStream && unreadable), blockEndsStream);
        } else if (blockOpens) {
            blockOpens = false;
            HttpMethod m = method == null ? null : HttpMethod.match(method, 0, method.length);
            String label = path == null || path.length == 0 ? UNKNOWN_PATH : normalizer.normalize(path, 0, path.length, false);
            requests.request(m == null ? HttpMethod.UNKNOWN : m, label, blockStream);
        }
    }

    /** The decoded {@code :status}, or -1. */
    private static int statusCode(byte[] value) {
        if (value == null || value.length != 3) {
            return -1;
        }
        int code = 0;
        for (byte digit : value) {
            if (digit < '0' || digit > '9') {
                return -1;
            }
            code = code * 10 + digit - '0';
        }
        return code >= 100 && code <= 599 ? code : -1;
    }

    /** The decoded {@code grpc-status} as a label; null if there is none to report. */
    private String grpcLabel(boolean unreadableEnd) {
        if (grpcStatus == null) {
            return unreadableEnd && sendsGrpcStatus ? UNKNOWN_GRPC_STATUS : null;
        }
        sendsGrpcStatus = true;
        if (grpcStatus.length == 0 || grpcStatus.length > 2) {
            return OTHER_GRPC_STATUS;
        }
        int code = 0;
        for (byte digit : grpcStatus) {
            if (digit < '0' || digit > '9') {
                return OTHER_GRPC_STATUS;
            }
            code = code * 10 + digit - '0';
        }
        return GRPC_STATUSES[code];
    }

    /** The position is lost: a request whose block was open is counted from what it showed. */
    private void loseSync() {
        if (inBlock) {
            blockCut = true;
            endOfBlock();
        } else {
            hpack.lose();
        }
        lost = true;
        missedFrames = true;
        inPayload = false;
        frameHeaderLen = 0;
    }

    /**
     * Whether a read lost in the middle of the stream starts at a frame boundary: the frame headers
     * visible from its start must all be well-formed for a client's frames (known type, flags, stream
     * and length rules), at least two of them or ending exactly with the read, and none a CONTINUATION
     * (its HEADERS is gone). Payload bytes rarely pass it; one that does is bounded by {@link #MAX_STREAM_GAP}.
     */
    private static boolean resync(byte[] b, int from, int to, long unseen, boolean server) {
        int pos = from;
        int frames = 0;
        while (pos + FRAME_HEADER <= to) {
            int length = length(b, pos);
            int type = b[pos + 3] & 0xff;
            int flags = b[pos + 4] & 0xff;
            if ((b[pos + 5] & 0x80) != 0 || length > DEFAULT_MAX_FRAME || !plausible(type, flags, stream(b, pos), length, server)
                    || (frames == 0 && type == CONTINUATION)) {
                return false;
            }
            frames++;
            pos += FRAME_HEADER + length;
        }
        return frames >= 2 || (frames == 1 && pos == to && unseen == 0) || (frames == 1 && pos > to);
    }

    /** A frame header either side may send (the server's HEADERS carry no priority; PUSH_PROMISE is the server's only). */
    private static boolean plausible(int type, int flags, int stream, int length, boolean server) {
        return switch (type) {
            case DATA -> stream != 0 && (flags & ~0x09) == 0;
            case HEADERS -> (stream & 1) == 1 && (flags & ~(server ? 0x0d : 0x2d)) == 0;
            case PUSH_PROMISE -> server && (stream & 1) == 1 && (flags & ~0x0c) == 0 && length >= 4;
            case PRIORITY -> stream != 0 && flags == 0 && length == 5;
            case RST_STREAM -> stream != 0 && flags == 0 && length == 4;
            case SETTINGS -> stream == 0 && (flags & ~0x01) == 0 && length % 6 == 0;
            case PING -> stream == 0 && (flags & ~0x01) == 0 && length == 8;
            case GOAWAY -> stream == 0 && flags == 0 && length >= 8;
            case WINDOW_UPDATE -> flags == 0 && length == 4;
            case CONTINUATION -> stream != 0 && (flags & ~0x04) == 0;
            default -> false; // unknown types are too rare to resync on
        };
    }

    private static int length(byte[] b, int at) {
        return (b[at] & 0xff) << 16 | (b[at + 1] & 0xff) << 8 | (b[at + 2] & 0xff);
    }

    private static int stream(byte[] b, int at) {
        return (b[at + 5] & 0x7f) << 24 | (b[at + 6] & 0xff) << 16 | (b[at + 7] & 0xff) << 8 | (b[at + 8] & 0xff);
    }
}
