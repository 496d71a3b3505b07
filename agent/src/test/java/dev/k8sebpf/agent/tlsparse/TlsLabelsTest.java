package dev.k8sebpf.agent.tlsparse;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class TlsLabelsTest {
    private static String name(String sni) {
        return TlsLabels.serverName(new ClientHello(sni, null, false));
    }

    private static String alpn(List<String> offered, boolean truncated) {
        return TlsLabels.alpn(new ClientHello(null, offered, truncated));
    }

    @Test
    void serverNamesAreDnsNamesLowerCased() {
        assertThat(name("API.Shop.svc.cluster.local.")).isEqualTo("api.shop.svc.cluster.local");
        assertThat(name("my_host-1.example")).isEqualTo("my_host-1.example");
        assertThat(name(null)).isEqualTo("");
        assertThat(TlsLabels.serverName(new ClientHello(null, null, true))).isEqualTo("{unknown}");
        for (String bad : List.of("", ".", "*.example", "a..b", ".a", "10.0.0.1:443", "héllo", "a b", "x".repeat(254))) {
            assertThat(name(bad)).as(bad).isEqualTo("{invalid}");
        }
    }

    @Test
    void alpnKeepsKnownIdsInOrderAndBoundsTheRest() {
        assertThat(alpn(List.of("h2", "http/1.1"), false)).isEqualTo("h2,http/1.1");
        assertThat(alpn(List.of("grpc-exp", "h2"), false)).isEqualTo("grpc-exp,h2");
        assertThat(alpn(List.of("x-custom", "h2", "y-custom", "h2"), false)).isEqualTo("{other},h2");
        assertThat(alpn(List.of("h3", "h2", "http/1.1", "http/1.0", "spdy/3"), false)).isEqualTo("h3,h2,http/1.1,http/1.0");
        assertThat(alpn(null, false)).isEqualTo("");
        assertThat(alpn(null, true)).isEqualTo("{unknown}");
        assertThat(alpn(List.of(), false)).isEqualTo("");
    }
}
