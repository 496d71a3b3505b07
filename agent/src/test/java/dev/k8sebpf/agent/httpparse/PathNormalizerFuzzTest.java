package dev.k8sebpf.agent.httpparse;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HexFormat;

/**
 * Coverage-guided (Jazzer; regression mode in {@code mvn verify}, fuzzing with {@code JAZZER_FUZZ=1}, see
 * FUZZING.md). Any target gives a well-formed label that no rule would change again; a planted e-mail
 * address, JWT, API key or phone/card number becomes its placeholder, whatever surrounds it.
 */
class PathNormalizerFuzzTest {
    private final PathNormalizer normalizer = new PathNormalizer();

    @FuzzTest
    void fuzzNormalize(FuzzedDataProvider data) {
        int plant = data.consumeInt(0, 4);
        if (plant == 0) {
            boolean cut = data.consumeBoolean();
            byte[] target = data.consumeRemainingAsBytes();
            String label = normalizer.normalize(target, 0, target.length, cut);
            assertWellFormed(label, target.length);
            if (target.length > 0 && target[0] == '/') {
                assertThat(label).startsWith("/");
            }
            return;
        }
        String before = segments(data.consumeString(40));
        String secret = switch (plant) {
            case 1 -> email(data);
            case 2 -> jwt(data);
            case 3 -> key(data);
            default -> number(data);
        };
        // a space cannot stand in a request target; the rules judge the decoded segment
        String planted = (data.consumeBoolean() ? percentEncodeSome(data, secret) : secret).replace(" ", "%20");
        String after = segments(data.consumeString(40));
        String target = before + "/" + planted + after;
        String label = normalizer.normalize(target);
        assertWellFormed(label, target.getBytes(StandardCharsets.UTF_8).length);
        int index = before.split("/", -1).length; // empty segments are kept, so the index carries over
        String expected = plant == 1 ? PathNormalizer.EMAIL : plant == 4 ? PathNormalizer.NUMBER : PathNormalizer.TOKEN;
        assertThat(label.split("/", -1)[index]).as("%s in %s", planted, target).isEqualTo(expected);
    }

    /** A label is bounded, holds no query, fragment or matrix parameter, and no rule changes it again. */
    private void assertWellFormed(String label, int targetBytes) {
        assertThat(label).isNotEmpty();
        // a 1-byte segment may become {id} (2 bytes -> 5 chars), the last one {truncated}
        assertThat(label.length()).isLessThanOrEqualTo(targetBytes * 5 / 2 + 12);
        if (label.startsWith("/")) {
            assertThat(label).doesNotContain("?", "#", ";");
        }
        assertThat(normalizer.normalize(label)).as("normalising %s again", label).isEqualTo(label);
    }

    /** Fuzz text as a path prefix whose segments cannot end the path early: no query or fragment. */
    private static String segments(String text) {
        String s = text.replace('?', '_').replace('#', '_');
        return s.isEmpty() || s.startsWith("/") ? s : "/" + s;
    }

    private static String email(FuzzedDataProvider data) {
        String local = only(data.consumeString(20), "abcdefghijklmnopqrstuvwxyz0123456789._+-", "a");
        String host = only(data.consumeString(20), "abcdefghijklmnopqrstuvwxyz0123456789-", "mail");
        String tld = only(data.consumeString(6), "abcdefghijklmnopqrstuvwxyz", "");
        return local + "@" + (host.startsWith("-") ? "x" + host : host) + "." + (tld.length() < 2 ? "io" : tld);
    }

    private static String jwt(FuzzedDataProvider data) {
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        String header = b64.encodeToString(("{\"alg\":\"" + data.consumeString(8) + "\"}").getBytes(StandardCharsets.UTF_8));
        return header + "." + b64.encodeToString(data.consumeBytes(40)) + "." + b64.encodeToString(data.consumeBytes(32));
    }

    private static String key(FuzzedDataProvider data) {
        String prefix = SegmentRules.KEY_PREFIXES[data.consumeInt(0, SegmentRules.KEY_PREFIXES.length - 1)];
        String rest = only(data.consumeString(40), "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-", "");
        return prefix + rest + "7Q4k2X9m1Z".substring(0, Math.max(1, 10 - rest.length())); // at least 10 after the prefix, one a digit
    }

    private static String number(FuzzedDataProvider data) {
        StringBuilder number = new StringBuilder(data.consumeBoolean() ? "+" : "");
        int digits = 0;
        int wanted = data.consumeInt(7, 19);
        String separators = "-. ()";
        while (digits < wanted) { // groups of at most 4 digits: 7 or more digits have a separator
            int group = Math.min(wanted - digits, data.consumeInt(1, 4));
            for (int i = 0; i < group; i++) {
                number.append((char) ('0' + data.consumeInt(0, 9)));
            }
            digits += group;
            if (digits < wanted) {
                number.append(separators.charAt(data.consumeInt(0, separators.length() - 1)));
            }
        }
        return number.toString();
    }

    /** Percent-encodes some characters (the rules judge the decoded segment). */
    private static String percentEncodeSome(FuzzedDataProvider data, String s) {
        StringBuilder out = new StringBuilder();
        HexFormat hex = HexFormat.of().withUpperCase();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x80 && data.consumeBoolean()) {
                out.append('%').append(hex.toHexDigits((byte) c));
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    private static String only(String text, String allowed, String fallback) {
        StringBuilder out = new StringBuilder();
        for (char c : text.toCharArray()) {
            if (allowed.indexOf(c) >= 0) {
                out.append(c);
            }
        }
        return out.isEmpty() ? fallback : out.toString();
    }
}
