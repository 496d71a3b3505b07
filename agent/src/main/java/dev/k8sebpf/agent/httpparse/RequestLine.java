package dev.k8sebpf.agent.httpparse;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * Recognises an HTTP/1.x request line {@code METHOD SP request-target SP HTTP/1.d} in a byte range,
 * without allocating. One instance is reused; after {@link #scan} returns {@link Kind#REQUEST} the
 * method and target bounds describe the line.
 */
final class RequestLine {

    enum Kind { REQUEST, INCOMPLETE, NOT_REQUEST, OTHER_PROTOCOL }

    /** How the scanned range ends. */
    enum Ending {
        /** The line ended (LF seen; CR already removed). */
        LINE_END,
        /** The capture stopped here but the read went on: the rest of the line is unseen. */
        CAPTURE_CUT,
        /** The read stopped here: the rest of the line may come in the next read. */
        READ_END
    }

    private static final byte[] VERSION = {'H', 'T', 'T', 'P', '/', '1', '.', '0'};
    private static final byte[] H2_PREFACE = {'P', 'R', 'I', ' ', '*', ' ', 'H', 'T', 'T', 'P', '/', '2', '.', '0'};
    private static final int TLS_HANDSHAKE = 0x16;
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long LOW_BITS = 0x0101010101010101L;
    private static final long HIGH_BITS = 0x8080808080808080L;

    HttpMethod method;
    int targetFrom;
    int targetTo;
    /** The target continues past {@link #targetTo} in bytes that were not captured. */
    boolean targetCut;

    Kind scan(byte[] b, int from, int to, Ending ending) {
        if (ending != Ending.LINE_END && to > from && b[to - 1] == '\r') {
            to--; // the line's CR arrived, its LF did not
        }
        if (isOtherProtocol(b, from, to)) {
            return Kind.OTHER_PROTOCOL;
        }
        int sp = indexOf(b, from, Math.min(to, from + HttpMethod.LONGEST + 1), ' ');
        if (sp < 0) {
            boolean mayGrow = ending == Ending.READ_END && to - from <= HttpMethod.LONGEST;
            return mayGrow && HttpMethod.isPrefixOfAny(b, from, to) ? Kind.INCOMPLETE : Kind.NOT_REQUEST;
        }
        HttpMethod m = HttpMethod.match(b, from, sp);
        if (m == null) {
            return Kind.NOT_REQUEST;
        }
        int t = sp + 1;
        if (t == to) {
            return ending == Ending.READ_END ? Kind.INCOMPLETE : Kind.NOT_REQUEST;
        }
        int te = t;
        while (te < to && b[te] != ' ') {
            if (isControl(b[te])) {
                return Kind.NOT_REQUEST;
            }
            te++;
        }
        boolean cut = te == to;
        if (te == t || !validTarget(m, b, t, te)) {
            return cut && ending == Ending.READ_END ? Kind.INCOMPLETE : Kind.NOT_REQUEST;
        }
        if (!cut && !isVersionPrefix(b, te + 1, to)) {
            return Kind.NOT_REQUEST;
        }
        boolean versionComplete = !cut && to - (te + 1) == VERSION.length;
        switch (ending) {
            case READ_END:
                return Kind.INCOMPLETE;
            case LINE_END:
                if (!versionComplete) {
                    return Kind.NOT_REQUEST; // HTTP/0.9 or a truncated version: not an HTTP/1.x request
                }
                break;
            case CAPTURE_CUT:
                break;
        }
        method = m;
        targetFrom = t;
        targetTo = te;
        targetCut = cut;
        return Kind.REQUEST;
    }

    /** TLS handshake record, the HTTP/2 connection preface, or a response status line. */
    private static boolean isOtherProtocol(byte[] b, int from, int to) {
        int n = to - from;
        byte first = n > 0 ? b[from] : 0;
        if (first != TLS_HANDSHAKE && first != 'P' && first != 'H') {
            return false; // one compare for most request lines
        }
        if (n >= 3 && b[from] == TLS_HANDSHAKE && b[from + 1] == 3 && b[from + 2] <= 4 && b[from + 2] >= 0) {
            return true;
        }
        if (n >= H2_PREFACE.length && Arrays.equals(H2_PREFACE, 0, H2_PREFACE.length, b, from, from + H2_PREFACE.length)) {
            return true;
        }
        return n >= 12 && isVersionPrefix(b, from, from + VERSION.length) && b[from + 8] == ' '
                && isDigit(b[from + 9]) && isDigit(b[from + 10]) && isDigit(b[from + 11]);
    }

    /** origin-form for every method, {@code *} for OPTIONS, absolute-form, authority-form for CONNECT. */
    private static boolean validTarget(HttpMethod m, byte[] b, int t, int te) {
        byte first = b[t];
        if (first == '/') {
            return true;
        }
        if (first == '*') {
            return m == HttpMethod.OPTIONS && te - t == 1;
        }
        return PathNormalizer.afterScheme(b, t, te) >= 0 || (m == HttpMethod.CONNECT && isAuthority(b, t, te));
    }

    /** host:port, a bracketed IPv6 literal included; no path, query or userinfo. */
    private static boolean isAuthority(byte[] b, int from, int to) {
        for (int i = from; i < to; i++) {
            byte c = b[i];
            boolean allowed = isDigit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
                    || c == '.' || c == '-' || c == '_' || c == ':' || c == '[' || c == ']' || c == '%';
            if (!allowed) {
                return false;
            }
        }
        return true;
    }

    /** {@code b[from, to)} is a prefix (possibly all) of {@code HTTP/1.d}. */
    private static boolean isVersionPrefix(byte[] b, int from, int to) {
        if (to - from > VERSION.length) {
            return false;
        }
        for (int i = from; i < to; i++) {
            int k = i - from;
            if (k == VERSION.length - 1 ? !isDigit(b[i]) : b[i] != VERSION[k]) {
                return false;
            }
        }
        return true;
    }

    /** {@code b[0, end)} starts with a method token and a space. */
    static boolean startsWithMethod(byte[] b, int end) {
        int sp = indexOf(b, 0, Math.min(end, HttpMethod.LONGEST + 1), ' ');
        return sp > 0 && HttpMethod.match(b, 0, sp) != null;
    }

    /**
     * The first {@code value} in {@code b[from, to)}, or -1. Eight bytes per step: the parser finds every
     * line end of every capture with this, and a byte loop over a capture was its largest cost on
     * realistic requests (JFR, BENCHMARKS.md session 11).
     */
    static int indexOf(byte[] b, int from, int to, char value) {
        long pattern = (value & 0xffL) * LOW_BITS;
        int i = from;
        for (; i + Long.BYTES <= to; i += Long.BYTES) {
            long x = (long) LONGS.get(b, i) ^ pattern; // a zero byte where b holds value
            // the lowest high bit set marks the first zero byte (a borrow only reaches bytes above it)
            long zeros = (x - LOW_BITS) & ~x & HIGH_BITS;
            if (zeros != 0) {
                return i + (Long.numberOfTrailingZeros(zeros) >>> 3);
            }
        }
        for (; i < to; i++) {
            if (b[i] == value) {
                return i;
            }
        }
        return -1;
    }

    private static boolean isControl(byte c) {
        return (c >= 0 && c < ' ') || c == 0x7f;
    }

    private static boolean isDigit(byte c) {
        return c >= '0' && c <= '9';
    }
}
