package dev.k8sebpf.agent.httpparse;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PathNormalizerTest {

    private final PathNormalizer normalizer = new PathNormalizer();

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "/|/",
        "/users|/users",
        "/users/|/users/",
        "/users?id=7&x=y|/users",
        "/users#section|/users",
        "/users/42|/users/{id}",
        "/users/42/orders/0007|/users/{id}/orders/{id}",
        "/orders/3f2c1a9e-07b4-4c1d-9a57-2f0d5e8b1c22/items|/orders/{id}/items",
        "/orders/3F2C1A9E-07B4-4C1D-9A57-2F0D5E8B1C22|/orders/{id}",
        "/blobs/0123456789abcdef|/blobs/{id}",
        "/blobs/0123456789abcde|/blobs/0123456789abcde",
        "/commits/5e1f9b0c2d4a6e8f1a3b5c7d9e0f2a4b6c8d0e1f|/commits/{id}",
        "/api/v1/deadbeef|/api/v1/deadbeef",
        "/files/report-2024.pdf|/files/report-2024.pdf",
        "/a//b|/a//b",
        "/users/12a|/users/12a",
        "/3f2c1a9e-07b4-4c1d-9a57-2f0d5e8b1c2g|/3f2c1a9e-07b4-4c1d-9a57-2f0d5e8b1c2g",
        "http://shop.example:8080/cart/9?x=1|/cart/{id}",
        "HTTPS://shop.example|/",
        "http://shop.example?x|/",
        "*|*",
        "db.internal:5432|db.internal:5432",
        "/caf%C3%A9/7|/caf%C3%A9/{id}",
    })
    void normalises(String target, String expected) {
        assertThat(normalizer.normalize(target)).isEqualTo(expected);
    }

    @Test
    void keepsRawUtf8Segments() {
        assertThat(normalizer.normalize("/café/7")).isEqualTo("/café/{id}");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "/files/abc|/files/{truncated}",
        "/files/|/files/{truncated}",
        "/|/{truncated}",
        "/search?q=abc|/search",
        "http://very-long-host|/{truncated}",
        "http://h/a/b|/a/{truncated}",
        "db.internal:54|{truncated}",
    })
    void marksTheSegmentACutTargetEndsIn(String visible, String expected) {
        byte[] b = visible.getBytes(StandardCharsets.UTF_8);
        assertThat(normalizer.normalize(b, 0, b.length, true)).isEqualTo(expected);
    }

    @Test
    void readsOnlyTheGivenRange() {
        byte[] b = "GET /x/123 HTTP/1.1".getBytes(StandardCharsets.US_ASCII);
        assertThat(normalizer.normalize(b, 4, 10, false)).isEqualTo("/x/{id}");
    }
}
