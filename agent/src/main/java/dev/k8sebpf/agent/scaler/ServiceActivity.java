package dev.k8sebpf.agent.scaler;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * When each Service was last tried, and how often, in fixed-size memory: per Service the exact time of
 * the last attempt plus {@link Rings} (per-second counts for the last minute, per-minute counts for the
 * hour before), about 1.2 KB whatever the traffic. At most {@code maxServices} Services are kept: a
 * Service without attempts for {@link #MAX_WINDOW} is dropped, and past the cap the least recently tried
 * one makes room (counted in {@link #evictions()}). Fed by the agent's drains or, in the cluster scaler,
 * by every agent's stream; read by the scaler's calls and streams.
 */
public final class ServiceActivity {
    /** The longest trigger {@code window} this can answer for. */
    public static final Duration MAX_WINDOW = Duration.ofHours(1);

    /** A Service by namespace and name. */
    public record ServiceKey(String namespace, String service) {
    }

    /** One Service's history, for a snapshot (the rings already advanced to now). */
    public interface HistoryVisitor {
        void service(ServiceKey key, long lastAttemptNanos, Rings rings);
    }

    private final ConcurrentHashMap<ServiceKey, Rings> services = new ConcurrentHashMap<>();
    private final int maxServices;
    private final LongSupplier nanoClock;
    private final AtomicLong evictions = new AtomicLong();
    private volatile Runnable onAttempt = () -> { };

    public ServiceActivity(int maxServices, LongSupplier nanoClock) {
        this.maxServices = maxServices;
        this.nanoClock = nanoClock;
    }

    /** Called after each recorded batch of attempts (the scaler wakes its streams). */
    void onAttempt(Runnable listener) {
        this.onAttempt = listener;
    }

    public long nanoTime() {
        return nanoClock.getAsLong();
    }

    /**
     * {@code count} attempts at {@code atNanos} (now or earlier, e.g. from an agent's history); the caller
     * calls {@link #attemptsRecorded()} once after a batch.
     */
    public void record(ServiceKey key, long count, long atNanos) {
        Rings rings = services.get(key);
        if (rings == null) {
            rings = admit(key);
        }
        synchronized (rings) {
            rings.add(count, atNanos, nanoClock.getAsLong());
        }
    }

    public void attemptsRecorded() {
        onAttempt.run();
    }

    private synchronized Rings admit(ServiceKey key) {
        Rings existing = services.get(key);
        if (existing != null) {
            return existing;
        }
        if (services.size() >= maxServices) {
            makeRoom(nanoClock.getAsLong());
        }
        Rings rings = new Rings();
        services.put(key, rings);
        return rings;
    }

    /** Drops the Services idle for the largest window; if none was, the least recently tried one. */
    private void makeRoom(long now) {
        ServiceKey oldest = null;
        long oldestLast = Long.MAX_VALUE;
        for (Map.Entry<ServiceKey, Rings> entry : services.entrySet()) {
            long last;
            synchronized (entry.getValue()) {
                last = entry.getValue().lastNanos();
            }
            if (last == Long.MIN_VALUE || now - last > MAX_WINDOW.toNanos()) {
                services.remove(entry.getKey());
            } else if (last < oldestLast) {
                oldest = entry.getKey();
                oldestLast = last;
            }
        }
        if (services.size() >= maxServices && oldest != null) {
            services.remove(oldest);
            evictions.incrementAndGet();
        }
    }

    /**
     * Attempts to the Service within the last {@code window}: to the second for the last minute and to the
     * minute before it, leaving out the oldest partial second or minute (never counting an attempt older
     * than the window); at least 1 when the exact last attempt is within it.
     */
    public long attemptsWithin(ServiceKey service, Duration window) {
        Rings rings = services.get(service);
        if (rings == null) {
            return 0;
        }
        synchronized (rings) {
            return rings.within(window.toNanos(), nanoClock.getAsLong());
        }
    }

    /** Every Service's history, each under its own lock (a consistent copy per Service). */
    public void visit(HistoryVisitor visitor) {
        services.forEach((key, rings) -> {
            synchronized (rings) {
                rings.advance(nanoClock.getAsLong());
                visitor.service(key, rings.lastNanos(), rings);
            }
        });
    }

    public int services() {
        return services.size();
    }

    /** Services dropped at the cap while still within the largest window. */
    public long evictions() {
        return evictions.get();
    }
}
