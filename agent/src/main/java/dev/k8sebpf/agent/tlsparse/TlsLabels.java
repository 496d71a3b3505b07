package dev.k8sebpf.agent.tlsparse;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * A ClientHello's label values. Clients choose both, so both are bounded here before any series is
 * made: a server name must look like a DNS name (the per-Service cap is the pipeline's), ALPN ids come
 * from the IANA registry's vocabulary and at most four are kept.
 */
public final class TlsLabels {
    /** A hello without SNI or without ALPN (a client dialling an IP address leaves SNI out). */
    public static final String NONE = "";
    public static final String INVALID = "{invalid}";
    /** The extension may be in the part of the hello that was not captured. */
    public static final String UNKNOWN = "{unknown}";
    public static final String OTHER = "{other}";
    private static final int MAX_PROTOCOLS = 4;
    /** The TLS ALPN Protocol IDs registry (IANA), plus gRPC's "grpc-exp". */
    private static final Set<String> PROTOCOLS = Set.of("http/0.9", "http/1.0", "http/1.1", "spdy/1", "spdy/2", "spdy/3",
            "spdy/3.1", "stun.turn", "stun.nat-discovery", "h2", "h2c", "webrtc", "c-webrtc", "ftp", "imap", "pop3",
            "managesieve", "coap", "xmpp-client", "xmpp-server", "acme-tls/1", "mqtt", "dot", "ntske/1", "sunrpc", "h3",
            "smb", "irc", "nntp", "nnsp", "doq", "sip/2", "tds/8.0", "dicom", "postgresql", "radius/1.0", "radius/1.1",
            "grpc-exp");

    private TlsLabels() {
    }

    /** The server name, lower-cased, without a trailing dot. */
    public static String serverName(ClientHello hello) {
        String name = hello.serverName();
        if (name == null) {
            return hello.truncated() ? UNKNOWN : NONE;
        }
        if (name.endsWith(".")) {
            name = name.substring(0, name.length() - 1);
        }
        if (name.isEmpty() || name.length() > 253) {
            return INVALID;
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean allowed = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_'
                    || (c == '.' && i > 0 && name.charAt(i - 1) != '.');
            if (!allowed) {
                return INVALID;
            }
        }
        return name.toLowerCase(Locale.ROOT);
    }

    /** The offered protocols in order, each known id or {@code {other}}, joined with ",". */
    public static String alpn(ClientHello hello) {
        List<String> offered = hello.alpn();
        if (offered == null || offered.isEmpty()) {
            return hello.truncated() && offered == null ? UNKNOWN : NONE;
        }
        List<String> kept = new ArrayList<>(MAX_PROTOCOLS);
        for (String protocol : offered) {
            String label = PROTOCOLS.contains(protocol) ? protocol : OTHER;
            if (!kept.contains(label)) {
                kept.add(label);
                if (kept.size() == MAX_PROTOCOLS) {
                    break;
                }
            }
        }
        return String.join(",", kept);
    }
}
