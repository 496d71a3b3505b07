package dev.k8sebpf.agent.tlsparse;

import java.util.List;

/**
 * What a ClientHello asks for, as far as its captured bytes go.
 *
 * @param serverName the server_name extension's host_name as sent, {@code null} if the hello has none
 * @param alpn       the ALPN extension's protocol ids in offered order, {@code null} if it has none
 * @param truncated  the extensions were cut off (capture limit, a lost receive, a malformed length):
 *                   a missing extension may be in the part not seen
 */
public record ClientHello(String serverName, List<String> alpn, boolean truncated) {
    public ClientHello {
        alpn = alpn == null ? null : List.copyOf(alpn);
    }
}
