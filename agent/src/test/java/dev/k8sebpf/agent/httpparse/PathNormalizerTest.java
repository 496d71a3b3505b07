package dev.k8sebpf.agent.httpparse;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

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
        "/3f2c1a9e-07b4-4c1d-9a57-2f0d5e8b1c2g|/{token}", // not a UUID, but random-looking
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

    /** The corpus: personal data and secrets that must become placeholders, and look-alikes that must not. */
    static List<Arguments> corpus() throws IOException {
        List<Arguments> cases = new ArrayList<>();
        try (InputStream in = PathNormalizerTest.class.getResourceAsStream("path-corpus.tsv")) {
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (line.isEmpty() || line.startsWith("# ")) {
                    continue;
                }
                String[] columns = line.split("\t");
                assertThat(columns).as("corpus line: %s", line).hasSize(2);
                cases.add(Arguments.of(columns[0], columns[1]));
            }
        }
        return cases;
    }

    @ParameterizedTest
    @MethodSource("corpus")
    void normalisesTheCorpus(String target, String expected) {
        assertThat(normalizer.normalize(target)).isEqualTo(expected);
    }

    @Test
    void theCorpusHasPositivesAndNegatives() throws IOException {
        List<Arguments> cases = corpus();
        long unchanged = cases.stream().filter(c -> c.get()[0].equals(c.get()[1])).count();
        assertThat(unchanged).isGreaterThan(40);
        assertThat(cases.size() - unchanged).isGreaterThan(40);
    }

    /** The class-mix rule is statistical: this pins how many random tokens it catches (documented in SegmentRules). */
    @ParameterizedTest
    @CsvSource({"base62,20,0.97", "base62,24,0.98", "base62,32,0.99", "base64url,24,0.95", "base64url,32,0.99",
                "base36,20,0.96", "base36,24,0.94", "base36,32,1.0", "BASE36,32,1.0"})
    void catchesRandomTokens(String alphabet, int length, double recall) {
        SplittableRandom random = new SplittableRandom(length * 31L + alphabet.hashCode());
        int trials = 2_000;
        int caught = 0;
        for (int i = 0; i < trials; i++) {
            String token = randomToken(random, alphabet, length);
            if (normalizer.normalize("/t/" + token).equals("/t/" + PathNormalizer.TOKEN)) {
                caught++;
            }
        }
        assertThat((double) caught / trials).as("%s of %d characters", alphabet, length).isGreaterThanOrEqualTo(recall);
    }

    private static String randomToken(SplittableRandom random, String alphabet, int length) {
        if (alphabet.equals("base64url")) {
            byte[] bytes = new byte[length * 3 / 4];
            random.nextBytes(bytes);
            return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        }
        String chars = switch (alphabet) {
            case "base62" -> "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
            case "base36" -> "abcdefghijklmnopqrstuvwxyz0123456789";
            default -> "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
        };
        StringBuilder token = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            token.append(chars.charAt(random.nextInt(chars.length())));
        }
        return token.toString();
    }

    @Test
    void readsOnlyTheGivenRange() {
        byte[] b = "GET /x/123 HTTP/1.1".getBytes(StandardCharsets.US_ASCII);
        assertThat(normalizer.normalize(b, 4, 10, false)).isEqualTo("/x/{id}");
    }
}
