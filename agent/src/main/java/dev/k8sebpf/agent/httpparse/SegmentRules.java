package dev.k8sebpf.agent.httpparse;

import java.nio.charset.StandardCharsets;

/**
 * Decides whether one path segment is an identifier, personal data or a secret, and so must not be a
 * label value: {@link #ID}, {@link #EMAIL}, {@link #TOKEN} (JWTs, {@link #KEY_PREFIXES API keys},
 * random-looking tokens) or {@link #NUMBER}. The rules, their order and thresholds (the constants below)
 * and how many random tokens they miss are documented once, in {@code agent/README-L7.md} ("Path labels");
 * {@code PathNormalizerTest} runs its corpus and pins the misses. Each segment is judged with its
 * {@code %XX} escapes decoded, in one pass that collects the counts (no regexes; the random-token rule takes
 * a second pass over the segments of 20 or more characters that reach it). One instance per thread.
 */
final class SegmentRules {
    static final String ID = "{id}";
    static final String EMAIL = "{email}";
    static final String NUMBER = "{number}";
    static final String TOKEN = "{token}";
    private static final byte[] ID_BYTES = ascii(ID);
    private static final byte[] EMAIL_BYTES = ascii(EMAIL);
    private static final byte[] NUMBER_BYTES = ascii(NUMBER);
    private static final byte[] TOKEN_BYTES = ascii(TOKEN);

    /** Stripe, GitHub, GitLab, Slack, AWS, Google, npm, PyPI, Shopify, SendGrid and OpenAI key prefixes. */
    static final String[] KEY_PREFIXES = {
        "sk_live_", "sk_test_", "pk_live_", "pk_test_", "rk_live_", "rk_test_", "whsec_",
        "ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_", "glpat-",
        "xoxb-", "xoxp-", "xoxa-", "xoxr-", "xoxs-", "xapp-",
        "AKIA", "ASIA", "AIza", "npm_", "pypi-", "shpat_", "SG.", "sk-",
    };

    private static final int MIN_HEX_ID = 16;
    private static final int UUID_LENGTH = 36;
    private static final int MIN_EMAIL = 6; // a@b.cd, the shortest segment any rule but all-digits matches
    private static final int MIN_NUMBER_DIGITS = 7;
    private static final int MIN_EMBEDDED_DIGITS = 10;
    private static final int MIN_JWT = 16;
    private static final int MIN_KEY_REST = 10;
    private static final int MIN_KEY = 3 + MIN_KEY_REST; // the shortest prefix is 3 characters
    private static final int MIN_TOKEN = 20;
    private static final int MIN_TOKEN_RUN = 10;
    private static final int LONG_RUN = 32;

    private byte[] d = new byte[256];
    private int n;
    // digits joined by single separators, for the embedded-number rule
    private int digitRun;
    private boolean digitRunTouchesLetter;
    private int longestDigitRun;

    /** The placeholder for {@code b[s, e)} (ASCII), or null to keep the segment as it is. */
    byte[] classify(byte[] b, int s, int e) {
        decode(b, s, e);
        if (n < MIN_EMAIL) { // most segments ("api", "v1", "users"): only the all-digits rule can apply
            for (int i = 0; i < n; i++) {
                if (kind(d[i]) != DIGIT) {
                    return null;
                }
            }
            return n == 0 ? null : ID_BYTES;
        }
        // counts for every rule but the random-token one, in one pass
        int digits = 0;
        int hexDigits = 0;
        int lower = 0;
        int upper = 0;
        int numberSeparators = 0;
        int notToken = 0; // characters outside the token alphabet
        int at = -1;
        digitRun = 0;
        digitRunTouchesLetter = false;
        longestDigitRun = 0;
        boolean afterSeparator = false;
        int previous = OTHER;
        for (int i = 0; i < n; i++) {
            int flags = CLASS[d[i] & 0xff];
            int kind = flags & KIND_MASK;
            hexDigits += (flags & HEX) >>> HEX_SHIFT;
            if (kind == OTHER) {
                boolean separator = (flags & NUMBER_SEPARATOR) != 0;
                if (!separator || afterSeparator) {
                    endDigitRun();
                }
                afterSeparator = separator;
                numberSeparators += separator ? 1 : 0;
                notToken += (flags & TOKEN_PUNCTUATION) == 0 ? 1 : 0;
                if (d[i] == '@' && at < 0) {
                    at = i;
                }
            } else if (kind == DIGIT) {
                digits++;
                if (digitRun++ == 0) {
                    digitRunTouchesLetter = previous != OTHER;
                }
                afterSeparator = false;
            } else {
                lower += kind == LOWER ? 1 : 0;
                upper += kind == UPPER ? 1 : 0;
                digitRunTouchesLetter |= previous == DIGIT;
                endDigitRun();
                afterSeparator = false;
            }
            previous = kind;
        }
        endDigitRun();
        if (digits == n || (hexDigits == n && n >= MIN_HEX_ID) || (n == UUID_LENGTH && isUuid())) {
            return ID_BYTES;
        }
        if (at > 0 && isDomain(at + 1)) {
            return EMAIL_BYTES;
        }
        boolean tokenAlphabet = notToken == 0;
        // keys and JWTs before numbers: "xoxb-123456789012-..." holds a long number
        if ((tokenAlphabet && n >= MIN_JWT && startsWith("eyJ")) || (n >= MIN_KEY && isKey())) {
            return TOKEN_BYTES;
        }
        if ((digits >= MIN_NUMBER_DIGITS && digits + numberSeparators == n) || longestDigitRun >= MIN_EMBEDDED_DIGITS) {
            return NUMBER_BYTES;
        }
        boolean bothCases = lower > 0 && upper > 0;
        if (tokenAlphabet && n >= MIN_TOKEN && lower + upper > 0 && (digits > 0 || bothCases)
                && looksRandom(digits + lower + upper, bothCases)) {
            return TOKEN_BYTES;
        }
        return null;
    }

    /** The class-mix test of the random-token rule, a second pass only for the long segments that reach it. */
    private boolean looksRandom(int alnum, boolean bothCases) {
        int run = 0;
        int longestRun = 0;
        int changes = 0; // letter/digit changes between neighbours
        int words = 0; // camel-case words
        int lower = 0;
        int lowerStretches = 0;
        int previous = OTHER;
        for (int i = 0; i < n; i++) {
            int kind = kind(d[i]);
            switch (kind) {
                case OTHER -> run = -1;
                case DIGIT -> words += previous == DIGIT ? 0 : 1;
                case LOWER -> {
                    lower++;
                    lowerStretches += previous == LOWER ? 0 : 1;
                    words += previous == LOWER || previous == UPPER ? 0 : 1;
                }
                // a capital after capitals starts a word before a lower-case letter ("HTTPServer" = HTTP, Server)
                default -> words += previous != UPPER || (i + 1 < n && kind(d[i + 1]) == LOWER) ? 1 : 0;
            }
            changes += run > 0 && kind != OTHER && (previous == DIGIT) != (kind == DIGIT) ? 1 : 0;
            longestRun = Math.max(longestRun, ++run);
            previous = kind;
        }
        return longestRun >= MIN_TOKEN_RUN
                && (5 * changes >= alnum
                        || (bothCases && (2 * lower < 5 * lowerStretches || 5 * alnum < 14 * words))
                        || (!bothCases && longestRun >= LONG_RUN));
    }

    /** A digit run glued to letters ("glpat-xx1234567890") is part of a word or token, not a number. */
    private void endDigitRun() {
        if (digitRun == 0) {
            return; // most characters of most segments: no stores
        }
        if (!digitRunTouchesLetter) {
            longestDigitRun = Math.max(longestDigitRun, digitRun);
        }
        digitRun = 0;
        digitRunTouchesLetter = false;
    }

    /** Copies {@code b[s, e)} into {@code d}, decoding each valid {@code %XX}. */
    private void decode(byte[] b, int s, int e) {
        if (d.length < e - s) {
            d = new byte[e - s];
        }
        n = 0;
        for (int i = s; i < e; i++) {
            if (b[i] == '%' && i + 2 < e && hex(b[i + 1]) >= 0 && hex(b[i + 2]) >= 0) {
                d[n++] = (byte) (hex(b[i + 1]) << 4 | hex(b[i + 2]));
                i += 2;
            } else {
                d[n++] = b[i];
            }
        }
    }

    private boolean isUuid() {
        for (int i = 0; i < UUID_LENGTH; i++) {
            boolean dash = i == 8 || i == 13 || i == 18 || i == 23;
            if (dash ? d[i] != '-' : hex(d[i]) < 0) {
                return false;
            }
        }
        return true;
    }

    /** {@code d[from, n)} is a host name whose last label (the top-level domain) is two or more letters. */
    private boolean isDomain(int from) {
        int lastDot = -1;
        for (int i = from; i < n; i++) {
            byte c = d[i];
            if (c == '.') {
                lastDot = i;
            } else if (c != '-' && kind(c) == OTHER) {
                return false;
            }
        }
        if (lastDot <= from || n - lastDot - 1 < 2 || d[from] == '-') {
            return false;
        }
        for (int i = lastDot + 1; i < n; i++) {
            if (kind(d[i]) != LOWER && kind(d[i]) != UPPER) {
                return false; // "lodash@4.17.21" is a package and its version
            }
        }
        return true;
    }

    private boolean isKey() {
        for (String prefix : KEY_PREFIXES) {
            if (n - prefix.length() >= MIN_KEY_REST && startsWith(prefix)) {
                boolean strong = false;
                for (int i = prefix.length(); i < n; i++) {
                    int kind = kind(d[i]);
                    if (kind == OTHER && d[i] != '-' && d[i] != '_' && d[i] != '.') {
                        return false;
                    }
                    strong |= kind == DIGIT || kind == UPPER;
                }
                return strong; // all lower case after the prefix reads as words: "sk-learn-tutorials"
            }
        }
        return false;
    }

    private boolean startsWith(String prefix) {
        if (n < prefix.length()) {
            return false;
        }
        for (int i = 0; i < prefix.length(); i++) {
            if (d[i] != prefix.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private static final int OTHER = 0;
    private static final int DIGIT = 1;
    private static final int LOWER = 2;
    private static final int UPPER = 3;
    private static final int KIND_MASK = 3;
    private static final int HEX_SHIFT = 2;
    private static final int HEX = 1 << HEX_SHIFT;
    private static final int TOKEN_PUNCTUATION = 8;
    private static final int NUMBER_SEPARATOR = 16;

    /** Kind and flags of each byte value: one load a character instead of a chain of comparisons. */
    private static final byte[] CLASS = new byte[256];

    static {
        for (int c = 0; c < 256; c++) {
            int kind = c >= '0' && c <= '9' ? DIGIT : c >= 'a' && c <= 'z' ? LOWER : c >= 'A' && c <= 'Z' ? UPPER : OTHER;
            int flags = kind;
            flags |= hex((byte) c) >= 0 ? HEX : 0;
            flags |= "-_.~+=/".indexOf(c) >= 0 ? TOKEN_PUNCTUATION : 0;
            flags |= "-.+()/ ".indexOf(c) >= 0 ? NUMBER_SEPARATOR : 0;
            CLASS[c] = (byte) flags;
        }
    }

    private static byte[] ascii(String placeholder) {
        return placeholder.getBytes(StandardCharsets.US_ASCII);
    }

    private static int kind(byte c) {
        return CLASS[c & 0xff] & KIND_MASK;
    }

    private static int hex(byte c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        return c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
    }
}
