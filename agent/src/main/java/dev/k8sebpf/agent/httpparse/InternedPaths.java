package dev.k8sebpf.agent.httpparse;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The path labels made so far, by their bytes. A normalised path repeats even when every request's
 * target differs (the ids are gone), so a request finds its label here instead of building a String,
 * and the label's hash, which every series lookup needs, is computed once. Direct-mapped and bounded: a
 * colliding path replaces the one in its slot and is made again if that one comes back. One thread.
 */
final class InternedPaths {
    private static final int SLOTS = 1024; // a power of two; ten times the default L7_MAX_PATHS

    private final byte[][] keys = new byte[SLOTS][];
    private final String[] labels = new String[SLOTS];

    /** The label of {@code b[0, len)}: UTF-8 as received, invalid sequences replaced. */
    String of(byte[] b, int len) {
        int h = 0;
        for (int i = 0; i < len; i++) {
            h = 31 * h + b[i];
        }
        int slot = (h ^ h >>> 16) & (SLOTS - 1);
        byte[] key = keys[slot];
        if (key != null && Arrays.equals(key, 0, key.length, b, 0, len)) {
            return labels[slot];
        }
        String label = new String(b, 0, len, StandardCharsets.UTF_8);
        keys[slot] = Arrays.copyOf(b, len);
        labels[slot] = label;
        return label;
    }
}
