package dev.k8sebpf.agent.httpparse;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The standard request methods this parser counts; in HTTP/1.x anything else is not a request. An HTTP/2
 * stream is a request whatever its method: one that is not standard, or could not be read, is
 * {@link #UNKNOWN}, which no HTTP/1.x token matches.
 */
public enum HttpMethod {
    GET, HEAD, POST, PUT, DELETE, CONNECT, OPTIONS, TRACE, PATCH, UNKNOWN;

    /** Length of the longest method token ("CONNECT", "OPTIONS"). */
    static final int LONGEST = 7;

    private static final HttpMethod[] ALL = Arrays.copyOf(values(), UNKNOWN.ordinal());

    private final byte[] token = name().getBytes(StandardCharsets.US_ASCII);

    /** The method whose token is exactly {@code b[from, to)} (case-sensitive, as RFC 9110 says), or null. */
    static HttpMethod match(byte[] b, int from, int to) {
        for (HttpMethod m : ALL) {
            if (Arrays.equals(m.token, 0, m.token.length, b, from, to)) {
                return m;
            }
        }
        return null;
    }

    /** Whether {@code b[from, to)} could still grow into a method token (a read that ended early). */
    static boolean isPrefixOfAny(byte[] b, int from, int to) {
        int n = to - from;
        for (HttpMethod m : ALL) {
            if (n <= m.token.length && Arrays.equals(m.token, 0, n, b, from, to)) {
                return true;
            }
        }
        return false;
    }
}
