package dev.k8sebpf.agent.scaler;

import java.util.Arrays;

/**
 * One Service's attempts in two fixed rings: per second for the last {@link #KEPT_SECONDS} seconds and
 * per minute for the last {@value #MINUTES} minutes (more than {@link ServiceActivity#MAX_WINDOW} plus
 * the partial minutes at both ends), with the exact time of the last attempt. Every attempt goes into
 * both rings; a count over a window takes the recent part from the seconds and the older part from the
 * minutes, taking out of the straddling minute the seconds already counted. Times are
 * {@link System#nanoTime()} values (possibly negative). Not thread-safe: {@link ServiceActivity} locks it.
 */
public final class Rings {
    static final long SECOND = 1_000_000_000L;
    static final long MINUTE = 60 * SECOND;
    static final int KEPT_SECONDS = 60;
    private static final int SECONDS = 64;
    static final int MINUTES = 64;
    private static final long NONE = Long.MIN_VALUE;

    /** A span of attempts: its start and how many. */
    public interface BucketVisitor {
        void bucket(long startNanos, long count);
    }

    private final long[] perSecond = new long[SECONDS];
    private final long[] perMinute = new long[MINUTES];
    private long headSecond = NONE;
    private long headMinute = NONE;
    private long lastNanos = NONE;

    /** Moves both rings on to {@code now}, clearing the slots that come round again. */
    void advance(long now) {
        headSecond = roll(perSecond, headSecond, Math.floorDiv(now, SECOND));
        headMinute = roll(perMinute, headMinute, Math.floorDiv(now, MINUTE));
    }

    private static long roll(long[] ring, long head, long to) {
        if (head != NONE && to <= head) {
            return head;
        }
        if (head == NONE || to - head >= ring.length) {
            Arrays.fill(ring, 0);
        } else {
            for (long i = head + 1; i <= to; i++) {
                ring[slot(i, ring)] = 0;
            }
        }
        return to;
    }

    private static int slot(long index, long[] ring) {
        return (int) Math.floorMod(index, (long) ring.length);
    }

    void add(long count, long atNanos, long now) {
        advance(now);
        long at = Math.min(atNanos, now);
        lastNanos = lastNanos == NONE ? at : Math.max(lastNanos, at);
        long second = Math.floorDiv(at, SECOND);
        if (second > headSecond - KEPT_SECONDS) {
            perSecond[slot(second, perSecond)] += count;
        }
        long minute = Math.floorDiv(at, MINUTE);
        if (minute > headMinute - MINUTES) {
            perMinute[slot(minute, perMinute)] += count;
        }
    }

    /** The last attempt's time, or {@link Long#MIN_VALUE} if none. */
    public long lastNanos() {
        return lastNanos;
    }

    /** Attempts at or after {@code now - windowNanos} (see {@link ServiceActivity#attemptsWithin}). */
    long within(long windowNanos, long now) {
        advance(now);
        long from = now - windowNanos;
        long oldestSecond = Math.ceilDiv(from, SECOND); // the first whole second inside the window
        long secondsFrom = Math.max(oldestSecond, headSecond - KEPT_SECONDS + 1);
        long sum = secondsBetween(secondsFrom, headSecond);
        if (oldestSecond < secondsFrom) {
            long firstMinute = Math.ceilDiv(oldestSecond, 60);
            long lastMinute = Math.floorDiv(secondsFrom - 1, 60);
            for (long m = firstMinute; m <= lastMinute; m++) {
                sum += perMinute[slot(m, perMinute)];
            }
            if (firstMinute <= lastMinute) {
                sum -= secondsBetween(secondsFrom, Math.min(headSecond, lastMinute * 60 + 59));
            }
        }
        boolean lastWithin = lastNanos != NONE && lastNanos >= from;
        return Math.max(sum, lastWithin ? 1 : 0);
    }

    private long secondsBetween(long first, long last) {
        long sum = 0;
        for (long s = first; s <= last; s++) {
            sum += perSecond[slot(s, perSecond)];
        }
        return sum;
    }

    /**
     * The history as non-overlapping spans that start after {@code afterNanos} and within the largest
     * window of {@code now}: the kept seconds one by one, and of each older minute what its seconds do
     * not already hold. Call after {@link #advance}.
     */
    public void forEachBucket(long afterNanos, long now, BucketVisitor visitor) {
        long secondsFrom = headSecond - KEPT_SECONDS + 1;
        long oldestMinute = Math.floorDiv(now - ServiceActivity.MAX_WINDOW.toNanos(), MINUTE);
        for (long m = Math.max(oldestMinute, headMinute - MINUTES + 1); m * 60 < secondsFrom; m++) {
            long rest = perMinute[slot(m, perMinute)] - secondsBetween(secondsFrom, Math.min(headSecond, m * 60 + 59));
            if (rest > 0 && m * MINUTE > afterNanos) {
                visitor.bucket(m * MINUTE, rest);
            }
        }
        for (long s = secondsFrom; s <= headSecond; s++) {
            long count = perSecond[slot(s, perSecond)];
            if (count > 0 && s * SECOND > afterNanos) {
                visitor.bucket(s * SECOND, count);
            }
        }
    }
}
