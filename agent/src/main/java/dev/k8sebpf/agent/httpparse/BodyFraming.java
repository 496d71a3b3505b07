package dev.k8sebpf.agent.httpparse;

import java.nio.charset.StandardCharsets;

/**
 * Reads the two headers that say how long a request body is (RFC 9112 section 6): Content-Length and
 * Transfer-Encoding. Anything the server would reject as ambiguous marks the framing bad, and the
 * parser then treats the body as one of unknown length.
 */
final class BodyFraming {

    private static final byte[] CONTENT_LENGTH = "content-length:".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] TRANSFER_ENCODING = "transfer-encoding:".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] CHUNKED = "chunked".getBytes(StandardCharsets.US_ASCII);
    /** 18 decimal digits always fit in a long. */
    private static final int MAX_LENGTH_DIGITS = 18;

    private BodyFraming() {
    }

    /** Notes a header line {@code b[from, to)} (no CRLF) in {@code state}'s framing fields. */
    static void inspect(ConnectionState state, byte[] b, int from, int to) {
        if (startsWithIgnoreCase(b, from, to, CONTENT_LENGTH)) {
            long length = parseLength(b, from + CONTENT_LENGTH.length, to);
            if (length < 0 || (state.contentLength >= 0 && state.contentLength != length)) {
                state.badFraming = true;
            } else {
                state.contentLength = length;
            }
        } else if (startsWithIgnoreCase(b, from, to, TRANSFER_ENCODING)) {
            // a request's final transfer coding must be chunked, else the server answers 400 and closes
            if (endsWithIgnoreCase(b, from + TRANSFER_ENCODING.length, trimEnd(b, from, to), CHUNKED)) {
                state.chunked = true;
            } else {
                state.badFraming = true;
            }
        }
    }

    /** The size at the start of a chunk-size line (extensions after it are ignored), or -1 if malformed. */
    static long parseChunkSize(byte[] b, int from, int to) {
        long size = 0;
        int i = from;
        while (i < to && i - from < 15 && hexValue(b[i]) >= 0) {
            size = size << 4 | hexValue(b[i]);
            i++;
        }
        if (i == from || (i < to && b[i] != ';' && b[i] != ' ' && b[i] != '\t')) {
            return -1;
        }
        return size;
    }

    private static long parseLength(byte[] b, int from, int to) {
        int i = skipWhitespace(b, from, to);
        int end = trimEnd(b, i, to);
        if (i == end || end - i > MAX_LENGTH_DIGITS) {
            return -1;
        }
        long value = 0;
        for (; i < end; i++) {
            if (b[i] < '0' || b[i] > '9') {
                return -1;
            }
            value = value * 10 + (b[i] - '0');
        }
        return value;
    }

    private static boolean startsWithIgnoreCase(byte[] b, int from, int to, byte[] lowerPrefix) {
        if (to - from < lowerPrefix.length) {
            return false;
        }
        for (int i = 0; i < lowerPrefix.length; i++) {
            if (toLower(b[from + i]) != lowerPrefix[i]) {
                return false;
            }
        }
        return true;
    }

    /** Whether the last comma-separated element of {@code b[from, to)} is {@code lowerWord}. */
    private static boolean endsWithIgnoreCase(byte[] b, int from, int to, byte[] lowerWord) {
        int start = to - lowerWord.length;
        if (start < from) {
            return false;
        }
        for (int i = 0; i < lowerWord.length; i++) {
            if (toLower(b[start + i]) != lowerWord[i]) {
                return false;
            }
        }
        int before = start - 1;
        while (before >= from && (b[before] == ' ' || b[before] == '\t')) {
            before--;
        }
        return before < from || b[before] == ',';
    }

    private static int skipWhitespace(byte[] b, int from, int to) {
        while (from < to && (b[from] == ' ' || b[from] == '\t')) {
            from++;
        }
        return from;
    }

    private static int trimEnd(byte[] b, int from, int to) {
        while (to > from && (b[to - 1] == ' ' || b[to - 1] == '\t')) {
            to--;
        }
        return to;
    }

    private static byte toLower(byte c) {
        return c >= 'A' && c <= 'Z' ? (byte) (c + ('a' - 'A')) : c;
    }

    private static int hexValue(byte c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        if (c >= 'A' && c <= 'F') {
            return c - 'A' + 10;
        }
        return -1;
    }
}
