package dev.k8sebpf.agent.httpparse;

import dev.k8sebpf.agent.httpparse.hpack.HpackDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The client side of one cleartext HTTP/2 connection (RFC 9113), read from captured receives: frames
 * are followed by their lengths, so uncaptured payload bytes still advance the position, and every
 * HEADERS frame that opens a client stream is a request. Client stream ids are odd and increase, so after
 * bytes went by unseen, a HEADERS frame that skips ids also counts the streams between: a missed frame
 * does not lose its request, only its method and path ({@link HttpMethod#UNKNOWN}, {@link #UNKNOWN_PATH}). Method and {@code :path}
 * come from HPACK ({@link HpackDecoder}, whose dynamic table is kept while its inputs are seen).
 *
 * <p>When a frame header falls in bytes that were not captured, the position is lost until a read starts
 * with frames that check out ({@link #resync}); the stream ids then give the count of what went by.
 * Only {@link HttpRequestParser} uses it, one per connection.
 */
final class Http2Reader {
    /** The path label of a request whose {@code :path} could not be read. */
    static final String UNKNOWN_PATH = "/{unknown}";
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
    private static final int PING = 6;
    private static final int GOAWAY = 7;
    private static final int WINDOW_UPDATE = 8;
    private static final int CONTINUATION = 9;
    private static final int END_HEADERS = 0x4;
    private static final int PADDED = 0x8;
    private static final int PRIORITY_FLAG = 0x20;
    private static final byte[] METHOD = ":method".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] PATH = ":path".getBytes(StandardCharsets.US_ASCII);

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
    private int lastStream;
    /** Frames went by unseen since the last new stream: a gap in stream ids is requests missed. */
    private boolean missedFrames;
    private boolean lost;
    /** The fields of the block being decoded. */
    private byte[] method;
    private byte[] path;
    private final HpackDecoder.Fields fields = (name, value) -> {
        if (Arrays.equals(name, METHOD)) {
            method = value;
        } else if (Arrays.equals(name, PATH)) {
            path = value;
        }
    };

    /** @param upgraded the connection began as HTTP/1.1 and its request (stream 1) was counted as such */
    Http2Reader(boolean upgraded) {
        lastStream = upgraded ? 1 : -1;
    }

    /** Whether {@code b[from, to)} may start the preface (its whole visible part matches). */
    static boolean startsPreface(byte[] b, int from, int to) {
        int n = Math.min(to - from, PREFACE.length);
        return n >= 4 && Arrays.equals(PREFACE, 0, n, b, from, from + n);
    }

    /**
     * One receive: {@code b[from, to)} captured, then {@code unseen} more bytes that were not.
     */
    void receive(byte[] b, int from, int to, long unseen, RequestConsumer out, PathNormalizer normalizer) {
        if (lost) {
            if (unseen < 0 || !resync(b, from, to, unseen)) {
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
                loseSync(out, normalizer);
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
                    startFrame(out, normalizer);
                }
            } else {
                int n = (int) Math.min(payloadLeft, to - pos);
                payload(b, pos, n);
                pos += n;
                endOfPayload(out, normalizer);
            }
        }
        while (unseen > 0 && !lost) {
            if (prefaceAt < PREFACE.length || !inPayload) {
                loseSync(out, normalizer); // a frame header went by unseen
                return;
            }
            int n = (int) Math.min(payloadLeft, unseen); // (a frame is under 2^24 bytes)
            payload(null, 0, n);
            unseen -= n;
            endOfPayload(out, normalizer);
        }
    }

    private void startFrame(RequestConsumer out, PathNormalizer normalizer) {
        frameHeaderLen = 0;
        payloadLeft = length(frameHeader, 0);
        type = frameHeader[3] & 0xff;
        flags = frameHeader[4] & 0xff;
        int stream = stream(frameHeader, 0);
        inPayload = true;
        if (inBlock != (type == CONTINUATION)) {
            loseSync(out, normalizer); // RFC 9113 6.10: nothing may come between a block's frames
            return;
        }
        if (type == HEADERS) {
            padLengthPending = (flags & PADDED) != 0;
            prefixLeft = (padLengthPending ? 1 : 0) + ((flags & PRIORITY_FLAG) != 0 ? 5 : 0);
            blockLeft = payloadLeft - prefixLeft;
            if (blockLeft < 0) {
                loseSync(out, normalizer);
                return;
            }
            blockLen = 0;
            blockCut = false;
            blockOpens = (stream & 1) == 1 && stream > lastStream;
            if (blockOpens) {
                // Seen in sync since the last new stream, a gap is the client's own (grpc-java starts at 3).
                boolean counts = missedFrames && (long) stream - lastStream <= MAX_STREAM_GAP;
                for (int missed = counts ? (stream - lastStream) / 2 - 1 : 0; missed > 0; missed--) {
                    out.request(HttpMethod.UNKNOWN, UNKNOWN_PATH);
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
        endOfPayload(out, normalizer);
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

    private void endOfPayload(RequestConsumer out, PathNormalizer normalizer) {
        if (payloadLeft > 0 || lost) {
            return;
        }
        inPayload = false;
        if ((type == HEADERS || type == CONTINUATION) && (flags & END_HEADERS) != 0) {
            endOfBlock(out, normalizer);
        }
    }

    /** Decodes the block (keeping the table in step) and counts its request if it opened a stream. */
    private void endOfBlock(RequestConsumer out, PathNormalizer normalizer) {
        inBlock = false;
        method = null;
        path = null;
        hpack.decode(block == null ? new byte[0] : block, 0, blockLen, !blockCut, fields);
        if (blockOpens) {
            blockOpens = false;
            HttpMethod m = method == null ? null : HttpMethod.match(method, 0, method.length);
            String label = path == null || path.length == 0 ? UNKNOWN_PATH : normalizer.normalize(path, 0, path.length, false);
            out.request(m == null ? HttpMethod.UNKNOWN : m, label);
        }
    }

    /** The position is lost: a request whose block was open is counted from what it showed. */
    private void loseSync(RequestConsumer out, PathNormalizer normalizer) {
        if (inBlock) {
            blockCut = true;
            endOfBlock(out, normalizer);
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
    private static boolean resync(byte[] b, int from, int to, long unseen) {
        int pos = from;
        int frames = 0;
        while (pos + FRAME_HEADER <= to) {
            int length = length(b, pos);
            int type = b[pos + 3] & 0xff;
            int flags = b[pos + 4] & 0xff;
            if ((b[pos + 5] & 0x80) != 0 || length > DEFAULT_MAX_FRAME || !plausible(type, flags, stream(b, pos), length)
                    || (frames == 0 && type == CONTINUATION)) {
                return false;
            }
            frames++;
            pos += FRAME_HEADER + length;
        }
        return frames >= 2 || (frames == 1 && pos == to && unseen == 0) || (frames == 1 && pos > to);
    }

    private static boolean plausible(int type, int flags, int stream, int length) {
        return switch (type) {
            case DATA -> stream != 0 && (flags & ~0x09) == 0;
            case HEADERS -> (stream & 1) == 1 && (flags & ~0x2d) == 0;
            case PRIORITY -> stream != 0 && flags == 0 && length == 5;
            case RST_STREAM -> stream != 0 && flags == 0 && length == 4;
            case SETTINGS -> stream == 0 && (flags & ~0x01) == 0 && length % 6 == 0;
            case PING -> stream == 0 && (flags & ~0x01) == 0 && length == 8;
            case GOAWAY -> stream == 0 && flags == 0 && length >= 8;
            case WINDOW_UPDATE -> flags == 0 && length == 4;
            case CONTINUATION -> stream != 0 && (flags & ~0x04) == 0;
            default -> false; // PUSH_PROMISE is the server's; unknown types are too rare to resync on
        };
    }

    private static int length(byte[] b, int at) {
        return (b[at] & 0xff) << 16 | (b[at + 1] & 0xff) << 8 | (b[at + 2] & 0xff);
    }

    private static int stream(byte[] b, int at) {
        return (b[at + 5] & 0x7f) << 24 | (b[at + 6] & 0xff) << 16 | (b[at + 7] & 0xff) << 8 | (b[at + 8] & 0xff);
    }
}
