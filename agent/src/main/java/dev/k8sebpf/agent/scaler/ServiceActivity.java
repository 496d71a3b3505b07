package dev.k8sebpf.agent.scaler;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * When each Service was last tried: attempts per Service in 100 ms buckets, kept for {@link #MAX_WINDOW}.
 * Fed by the event thread with the same attempts as the activation series (any IP of a known Service);
 * read by the scaler's calls and streams.
 */
public final class ServiceActivity {
    /** The longest trigger {@code window} this can answer for. */
    public static final Duration MAX_WINDOW = Duration.ofHours(1);
    private static final long BUCKET_NANOS = Duration.ofMillis(100).toNanos();

    /** A Service by namespace and name. */
    public record ServiceKey(String namespace, String service) {
    }

    /** Buckets with attempts, oldest first: (bucket index, attempts). */
    private static final class Attempts {
        final ArrayDeque<long[]> buckets = new ArrayDeque<>();
        long total;
    }

    private final ConcurrentHashMap<ServiceKey, Attempts> services = new ConcurrentHashMap<>();
    private final LongSupplier nanoClock;
    private volatile Runnable onAttempt = () -> { };

    public ServiceActivity(LongSupplier nanoClock) {
        this.nanoClock = nanoClock;
    }

    /** Called after each recorded attempt, on the event thread (the scaler wakes its streams). */
    void onAttempt(Runnable listener) {
        this.onAttempt = listener;
    }

    /** One attempt to any IP of the Service, now. */
    public void attempted(String namespace, String service) {
        long bucket = nanoClock.getAsLong() / BUCKET_NANOS;
        Attempts attempts = services.computeIfAbsent(new ServiceKey(namespace, service), k -> new Attempts());
        synchronized (attempts) {
            long[] last = attempts.buckets.peekLast();
            if (last != null && last[0] == bucket) {
                last[1]++;
            } else {
                attempts.buckets.addLast(new long[] {bucket, 1});
            }
            attempts.total++;
            trim(attempts, bucket);
        }
        onAttempt.run();
    }

    /** Attempts to the Service within the last {@code window} (to the bucket). */
    public long attemptsWithin(ServiceKey service, Duration window) {
        Attempts attempts = services.get(service);
        if (attempts == null) {
            return 0;
        }
        long now = nanoClock.getAsLong() / BUCKET_NANOS;
        long first = now - Math.ceilDiv(window.toNanos(), BUCKET_NANOS) + 1;
        synchronized (attempts) {
            trim(attempts, now);
            long sum = 0;
            for (var it = attempts.buckets.descendingIterator(); it.hasNext(); ) {
                long[] b = it.next();
                if (b[0] < first) {
                    break;
                }
                sum += b[1];
            }
            return sum;
        }
    }

    private static void trim(Attempts attempts, long now) {
        long oldest = now - MAX_WINDOW.toNanos() / BUCKET_NANOS;
        while (!attempts.buckets.isEmpty() && attempts.buckets.peekFirst()[0] < oldest) {
            attempts.buckets.removeFirst();
        }
    }
}
