package dev.k8sebpf.agent.metrics;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Caps the distinct values of one label per destination service (HTTP paths, TLS server names): the
 * first {@code maxValues} values seen for a destination keep their label, every later new one is
 * reported as the overflow value, so one service yields at most {@code maxValues + 1} of them. A value
 * frees its slot when its series go away ({@link #retainOnly}). Not thread-safe (one event thread).
 */
public final class LabelLimiter {
    private final int maxValues;
    private final String overflowValue;
    private final Map<String, Set<String>> valuesByDestination = new HashMap<>();
    private long overflowed;

    /**
     * @param what names the label in the error for a cap below 1, e.g. {@code paths}
     */
    public LabelLimiter(int maxValues, String overflowValue, String what) {
        if (maxValues < 1) {
            throw new IllegalArgumentException("max " + what + " per service must be at least 1, got " + maxValues);
        }
        this.maxValues = maxValues;
        this.overflowValue = overflowValue;
    }

    /**
     * @param destination identifies the destination service (e.g. "namespace/service")
     * @return {@code value}, or the overflow value once the destination has {@code maxValues} others
     */
    public String limit(String destination, String value) {
        Set<String> known = valuesByDestination.computeIfAbsent(destination, d -> new HashSet<>());
        if (known.contains(value) || (known.size() < maxValues && known.add(value))) {
            return value;
        }
        overflowed++;
        return overflowValue;
    }

    /** What new values past the cap are reported as. */
    public String overflowValue() {
        return overflowValue;
    }

    /**
     * Keeps only the given values (destination → values that still have series): the others free their
     * slots, and destinations absent from {@code live} are forgotten.
     */
    public void retainOnly(Map<String, Set<String>> live) {
        valuesByDestination.keySet().retainAll(live.keySet());
        valuesByDestination.forEach((destination, values) -> values.retainAll(live.get(destination)));
    }

    /** Values reported as the overflow value. */
    public long overflowed() {
        return overflowed;
    }
}
