package dev.k8sebpf.agent.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class BasicAuthTest {
    private static String header(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    /** Hashes made by other implementations: Apache's htpasswd ($2y$) and libxcrypt's mkpasswd ($2b$, and $2a$ as Go writes). */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "$2y$10$WLDGRU5n8PuV8vc/KSMgce9f0iw.dQX9y7Cor1XlPf54d6mUrV8Sy | correct horse",
        "$2y$04$pvqcL.oWP94Ka8rOTe7ri.8B5rrVx2.FrLxYqvLou/8oey6Np1m56 | scrape-me",
        "$2b$05$0hM9TqXw7mpH0/CxRwX0JeCLrYJW2kiUWnqEIc4jEyn0rJnO69ET2 | battery staple",
        "$2a$05$fNJqE5y/2NZXm2v6PIiBPOmPeuYXsYTtNy2iZwipb.WPS3caBYWa6 | battery staple"})
    void everyBcryptVariant(String hash, String password) {
        var auth = new BasicAuth(Map.of("alice", hash));
        assertThat(auth.permits(header("alice", password))).isTrue();
        assertThat(auth.permits(header("alice", password + "!"))).isFalse();
        assertThat(auth.permits(header("alice", ""))).isFalse();
        assertThat(auth.permits(header("bob", password))).isFalse();
    }

    @Test
    void rememberedCredentialsStillNeedTheRightPassword() {
        var auth = new BasicAuth(Map.of("alice", MetricsServerTlsTest.SCRAPE_ME));
        assertThat(auth.permits(header("alice", "scrape-me"))).isTrue();
        assertThat(auth.permits(header("alice", "scrape-me"))).isTrue();
        assertThat(auth.permits(header("alice", "scrape-m"))).isFalse();
        assertThat(auth.permits(header("alice", "scrape-me "))).isFalse();
    }

    @Test
    void passwordsMayContainColonsAndTheSchemeAnyCase() {
        // htpasswd -nbBC 4 "" 'a:b:c'
        var auth = new BasicAuth(Map.of("u", "$2y$04$PUiKXLRlkAYS.hoHW/hFCOreAwn9EmT/a07.An1ekJbv77T.fsiQe"));
        String credentials = Base64.getEncoder().encodeToString("u:a:b:c".getBytes(StandardCharsets.UTF_8));
        assertThat(auth.permits("Basic " + credentials)).isTrue();
        assertThat(auth.permits("basic " + credentials)).isTrue();
        assertThat(auth.permits("BASIC " + credentials)).isTrue();
    }

    @Test
    void malformedHeadersAreRefused() {
        var auth = new BasicAuth(Map.of("alice", MetricsServerTlsTest.SCRAPE_ME));
        assertThat(auth.permits(null)).isFalse();
        assertThat(auth.permits("")).isFalse();
        assertThat(auth.permits("Basic")).isFalse();
        assertThat(auth.permits("Basic not-base64!")).isFalse();
        assertThat(auth.permits("Basic " + Base64.getEncoder().encodeToString("alice".getBytes(StandardCharsets.UTF_8)))).isFalse();
        assertThat(auth.permits("Bearer " + Base64.getEncoder().encodeToString("alice:scrape-me".getBytes(StandardCharsets.UTF_8)))).isFalse();
    }
}
