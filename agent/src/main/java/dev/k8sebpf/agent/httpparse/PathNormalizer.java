package dev.k8sebpf.agent.httpparse;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Turns a request target into a low-cardinality path label that holds no personal data or secrets:
 * query, fragment and matrix parameters dropped, identifiers, e-mail addresses, numbers and tokens
 * replaced per segment by {@link SegmentRules} (rules: {@code package-info.java}, agent/README-L7.md).
 * Works on the captured bytes without regexes; one instance reuses its buffers, so it is for one thread.
 */
public final class PathNormalizer {

    /** Replaces numeric, UUID and long hex segments. */
    public static final String ID = SegmentRules.ID;
    /** Replaces e-mail addresses. */
    public static final String EMAIL = SegmentRules.EMAIL;
    /** Replaces phone, card and other long numbers written with separators. */
    public static final String NUMBER = SegmentRules.NUMBER;
    /** Replaces JWTs, API keys and random-looking tokens. */
    public static final String TOKEN = SegmentRules.TOKEN;
    /** Replaces a last segment the capture cut off before its end. */
    public static final String TRUNCATED = "{truncated}";

    private static final byte[] TRUNCATED_BYTES = TRUNCATED.getBytes(StandardCharsets.US_ASCII);

    /** The label being built, as bytes: placeholders are ASCII and other segments are copied raw. */
    private byte[] out = new byte[128];
    private int len;
    private final SegmentRules rules = new SegmentRules();
    private final InternedPaths interned = new InternedPaths();

    public String normalize(String target) {
        byte[] b = target.getBytes(StandardCharsets.UTF_8);
        return normalize(b, 0, b.length, false);
    }

    /**
     * @param cut the target goes on past {@code to} in bytes that were not captured
     */
    public String normalize(byte[] b, int from, int to, boolean cut) {
        len = 0;
        if (to - from == 1 && b[from] == '*') {
            return "*";
        }
        int p = from;
        if (p < to && b[p] != '/') {
            int authority = afterScheme(b, p, to);
            if (authority < 0) {
                // authority-form (CONNECT host:port) has no path: the authority is the label
                return cut ? TRUNCATED : decode(b, from, to);
            }
            p = authority;
            while (p < to && b[p] != '/' && b[p] != '?' && b[p] != '#') {
                p++;
            }
            if (p == to && cut) {
                return "/" + TRUNCATED;
            }
            if (p == to || b[p] != '/') {
                return "/";
            }
        }
        if (p == to) {
            return cut ? "/" + TRUNCATED : "/";
        }
        int pathEnd = p;
        while (pathEnd < to && b[pathEnd] != '?' && b[pathEnd] != '#') {
            pathEnd++;
        }
        boolean lastSegmentCut = cut && pathEnd == to;
        while (p < pathEnd) {
            append((byte) '/');
            int s = p + 1;
            int e = s;
            while (e < pathEnd && b[e] != '/') {
                e++;
            }
            if (lastSegmentCut && e == pathEnd) {
                append(TRUNCATED_BYTES, 0, TRUNCATED_BYTES.length);
                break;
            }
            appendSegment(b, s, e);
            p = e;
        }
        return interned.of(out, len);
    }

    /** Index just after {@code scheme://} at {@code b[from]}, or -1 when the target has no scheme. */
    static int afterScheme(byte[] b, int from, int to) {
        if (from >= to || !isAlpha(b[from])) {
            return -1;
        }
        int i = from + 1;
        while (i < to && (isAlpha(b[i]) || isDigit(b[i]) || b[i] == '+' || b[i] == '-' || b[i] == '.')) {
            i++;
        }
        if (to - i >= 3 && b[i] == ':' && b[i + 1] == '/' && b[i + 2] == '/') {
            return i + 3;
        }
        return -1;
    }

    private void appendSegment(byte[] b, int s, int e) {
        int end = s;
        while (end < e && b[end] != ';') { // matrix parameters (";jsessionid=...") go the way of the query
            end++;
        }
        byte[] placeholder = rules.classify(b, s, end);
        if (placeholder != null) {
            append(placeholder, 0, placeholder.length);
        } else {
            append(b, s, end); // UTF-8 as received: the label is decoded once, when first seen (InternedPaths)
        }
    }

    private void append(byte c) {
        if (len == out.length) {
            out = Arrays.copyOf(out, 2 * len);
        }
        out[len++] = c;
    }

    private void append(byte[] b, int from, int to) {
        int n = to - from;
        if (len + n > out.length) {
            out = Arrays.copyOf(out, Math.max(2 * out.length, len + n));
        }
        System.arraycopy(b, from, out, len, n);
        len += n;
    }

    private static String decode(byte[] b, int from, int to) {
        return new String(b, from, to - from, StandardCharsets.UTF_8);
    }

    private static boolean isAlpha(byte c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    }

    private static boolean isDigit(byte c) {
        return c >= '0' && c <= '9';
    }
}
