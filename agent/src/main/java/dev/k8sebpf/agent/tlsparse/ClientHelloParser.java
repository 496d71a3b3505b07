package dev.k8sebpf.agent.tlsparse;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a ClientHello's server name and ALPN from the bytes of a connection's first TLS record
 * (RFC 8446 §4.1.2; the extensions of RFC 6066 §3 and RFC 7301). Every length is checked against what
 * is there, so no input throws. A hello longer than its first record (over 16 KB) is read from that
 * record only.
 */
public final class ClientHelloParser {
    private static final int HANDSHAKE = 22;
    private static final int CLIENT_HELLO = 1;
    private static final int SERVER_NAME = 0;
    private static final int ALPN = 16;
    private static final int HOST_NAME = 0;
    /** record header (5), handshake header (4), legacy_version (2), random (32) */
    private static final int SESSION_ID_AT = 43;

    private ClientHelloParser() {
    }

    /** Whether {@code buf} (with {@code len} valid bytes, at least 5) starts with a TLS handshake record header. */
    static boolean isHandshakeRecord(byte[] buf, int len) {
        return len >= 5 && buf[0] == HANDSHAKE && buf[1] == 3;
    }

    /** The record's length with its 5-byte header, from the first 5 bytes of {@code buf}. */
    static int recordLength(byte[] buf) {
        return 5 + u16(buf, 3);
    }

    /**
     * @param buf the record from its header on, {@code len} valid bytes (fewer than the record if cut)
     * @return the hello, or {@code null} if the bytes are not a ClientHello (another record or message
     *         type: a server's ServerHello, say)
     */
    public static ClientHello parse(byte[] buf, int len) {
        if (!isHandshakeRecord(buf, len) || len < 6 || buf[5] != CLIENT_HELLO) {
            return null;
        }
        int end = Math.min(len, recordLength(buf));
        boolean cut = len < recordLength(buf);
        int p = SESSION_ID_AT;
        if (p + 1 > end) {
            return new ClientHello(null, null, true);
        }
        p += 1 + u8(buf, p); // session id
        if (p + 2 > end) {
            return new ClientHello(null, null, true);
        }
        p += 2 + u16(buf, p); // cipher suites
        if (p + 1 > end) {
            return new ClientHello(null, null, true);
        }
        p += 1 + u8(buf, p); // compression methods
        if (p + 2 > end) {
            // a hello without extensions ends here (TLS 1.2 allows it)
            return new ClientHello(null, null, cut || p != end);
        }
        int extensionsEnd = p + 2 + u16(buf, p);
        boolean truncated = extensionsEnd > end;
        extensionsEnd = Math.min(extensionsEnd, end);
        p += 2;
        String serverName = null;
        List<String> alpn = null;
        while (p + 4 <= extensionsEnd) {
            int type = u16(buf, p);
            int length = u16(buf, p + 2);
            int body = p + 4;
            if (body + length > extensionsEnd) {
                truncated = true;
                break;
            }
            if (type == SERVER_NAME) {
                serverName = hostName(buf, body, body + length);
            } else if (type == ALPN) {
                alpn = protocols(buf, body, body + length);
            }
            p = body + length;
        }
        if (p < extensionsEnd && p + 4 > extensionsEnd) {
            truncated = true;
        }
        return new ClientHello(serverName, alpn, truncated);
    }

    /** The first host_name of a server_name list; "" if the list has none or is malformed. */
    private static String hostName(byte[] buf, int p, int end) {
        if (p + 2 > end) {
            return "";
        }
        int listEnd = Math.min(end, p + 2 + u16(buf, p));
        p += 2;
        while (p + 3 <= listEnd) {
            int length = u16(buf, p + 1);
            if (p + 3 + length > listEnd) {
                break;
            }
            if (u8(buf, p) == HOST_NAME) {
                return new String(buf, p + 3, length, StandardCharsets.ISO_8859_1);
            }
            p += 3 + length;
        }
        return "";
    }

    /** An ALPN protocol_name_list, as far as it is well formed. */
    private static List<String> protocols(byte[] buf, int p, int end) {
        List<String> protocols = new ArrayList<>();
        if (p + 2 > end) {
            return protocols;
        }
        int listEnd = Math.min(end, p + 2 + u16(buf, p));
        p += 2;
        while (p + 1 <= listEnd) {
            int length = u8(buf, p);
            if (length == 0 || p + 1 + length > listEnd) {
                break;
            }
            protocols.add(new String(buf, p + 1, length, StandardCharsets.ISO_8859_1));
            p += 1 + length;
        }
        return protocols;
    }

    private static int u8(byte[] buf, int at) {
        return buf[at] & 0xff;
    }

    private static int u16(byte[] buf, int at) {
        return (buf[at] & 0xff) << 8 | buf[at + 1] & 0xff;
    }
}
