package dev.k8sebpf.agent.stream;

import dev.k8sebpf.agent.scaler.ServiceActivity;
import dev.k8sebpf.agent.scaler.ServiceActivity.ServiceKey;
import dev.k8sebpf.agent.stream.attempts.AttemptBatch;
import dev.k8sebpf.agent.stream.attempts.ServiceAttempts;
import dev.k8sebpf.agent.stream.attempts.Span;
import dev.k8sebpf.agent.stream.attempts.SubscribeRequest;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * The agent's attempts as the cluster scaler receives them. The poller's drains hand over each attempt
 * ({@link #attempted}) and end with {@link #flush}, which records them in the agent's
 * {@link ServiceActivity} and sends them as one numbered batch to every subscriber. A subscriber first
 * gets what it has not seen: the batches after its cursor while this process's log still holds them,
 * else the history the activity keeps (within the largest window) after the cursor's time, or all of it
 * for a cursor of another instance (a restarted agent counts afresh, nothing is counted twice).
 * Everything runs under this object's lock, so a subscriber's writes never race.
 */
public final class AttemptFeed {
    /**
     * Service entries the replay log keeps (up to ≈ 330 B each when every batch holds one Service,
     * AttemptFeedTest); older batches are only in the history.
     */
    public static final int LOG_ENTRIES = 20_000;
    private static final int HISTORY_SERVICES_PER_BATCH = 500;
    /** A subscriber whose transport stays full this many batches in a row is dropped (it resumes from its cursor). */
    private static final int MAX_UNREADY_BATCHES = 1000;
    private static final long MILLI = 1_000_000;

    private final ServiceActivity activity;
    private final String instance = UUID.randomUUID().toString();
    private final long startNanos;
    private final Map<ServiceKey, Long> pending = new LinkedHashMap<>();
    private final ArrayDeque<AttemptBatch> log = new ArrayDeque<>();
    private final Set<Subscriber> subscribers = new HashSet<>();
    private int logEntries;
    private long sequence;

    public AttemptFeed(ServiceActivity activity) {
        this.activity = activity;
        this.startNanos = activity.nanoTime();
    }

    public String instance() {
        return instance;
    }

    /** One attempt to a known Service, during a drain. */
    public synchronized void attempted(String namespace, String service) {
        pending.merge(new ServiceKey(namespace, service), 1L, Long::sum);
    }

    /** After each drain: the drain's attempts, recorded and sent as one batch. */
    public synchronized void flush() {
        if (pending.isEmpty()) {
            return;
        }
        long now = activity.nanoTime();
        var batch = AttemptBatch.newBuilder().setInstance(instance).setSequence(++sequence).setAgentMillis(millis(now));
        pending.forEach((key, count) -> {
            activity.record(key, count, now);
            batch.addServices(ServiceAttempts.newBuilder().setNamespace(key.namespace()).setService(key.service())
                    .addSpans(Span.newBuilder().setCount(count)));
        });
        pending.clear();
        activity.attemptsRecorded();
        AttemptBatch built = batch.build();
        log.addLast(built);
        logEntries += built.getServicesCount();
        while (logEntries > LOG_ENTRIES) {
            logEntries -= log.removeFirst().getServicesCount();
        }
        subscribers.removeIf(subscriber -> !subscriber.send(built));
    }

    /** Called by the gRPC service on a Subscribe call's thread. */
    synchronized void subscribe(SubscribeRequest cursor, ServerCallStreamObserver<AttemptBatch> observer) {
        var subscriber = new Subscriber(observer);
        observer.setOnCancelHandler(() -> unsubscribe(subscriber));
        boolean sameInstance = cursor.getInstance().equals(instance) && cursor.getSequence() <= sequence;
        boolean replayable = sameInstance && (cursor.getSequence() == sequence
                || (!log.isEmpty() && log.peekFirst().getSequence() <= cursor.getSequence() + 1));
        boolean sent = true;
        if (replayable) {
            for (AttemptBatch batch : log) {
                if (batch.getSequence() > cursor.getSequence() && sent) {
                    sent = subscriber.send(batch);
                }
            }
            // an empty history batch: tells the subscriber it is up to date (its first message, if no batch was due)
            sent = sent && sendHistory(subscriber, Long.MAX_VALUE);
        } else {
            // the cursor's batch was made within its millisecond: history spans after that one are unseen
            long after = sameInstance ? startNanos + (cursor.getAgentMillis() + 1) * MILLI : Long.MIN_VALUE;
            sent = sendHistory(subscriber, after);
        }
        if (sent) {
            subscribers.add(subscriber);
        }
    }

    private synchronized void unsubscribe(Subscriber subscriber) {
        subscribers.remove(subscriber);
    }

    /** The history in batches of a few hundred Services; at least one batch, so the cursor is always set. */
    private boolean sendHistory(Subscriber subscriber, long afterNanos) {
        long now = activity.nanoTime();
        List<ServiceAttempts> services = new ArrayList<>();
        activity.visit((key, last, rings) -> {
            var entry = ServiceAttempts.newBuilder().setNamespace(key.namespace()).setService(key.service());
            rings.forEachBucket(afterNanos, now, (start, count) ->
                    entry.addSpans(Span.newBuilder().setAgeMillis(Math.ceilDiv(now - start, MILLI)).setCount(count)));
            if (last > afterNanos && now - last <= ServiceActivity.MAX_WINDOW.toNanos()) {
                entry.setLastAttemptAgeMillis(Math.ceilDiv(now - last, MILLI));
                services.add(entry.build());
            }
        });
        int from = 0;
        do {
            List<ServiceAttempts> part = services.subList(from, Math.min(services.size(), from + HISTORY_SERVICES_PER_BATCH));
            if (!subscriber.send(AttemptBatch.newBuilder().setInstance(instance).setSequence(sequence)
                    .setAgentMillis(millis(now)).setHistory(true).addAllServices(part).build())) {
                return false;
            }
            from += HISTORY_SERVICES_PER_BATCH;
        } while (from < services.size());
        return true;
    }

    private long millis(long nanos) {
        return (nanos - startNanos) / MILLI;
    }

    /** One Subscribe call; false from {@link #send} once it is gone. */
    private static final class Subscriber {
        private final ServerCallStreamObserver<AttemptBatch> observer;
        private int unready;

        Subscriber(ServerCallStreamObserver<AttemptBatch> observer) {
            this.observer = observer;
        }

        boolean send(AttemptBatch batch) {
            if (observer.isCancelled()) {
                return false;
            }
            try {
                observer.onNext(batch);
                unready = observer.isReady() ? 0 : unready + 1;
                if (unready > MAX_UNREADY_BATCHES) {
                    observer.onError(Status.RESOURCE_EXHAUSTED.withDescription("subscriber too slow: "
                            + MAX_UNREADY_BATCHES + " batches not taken; resubscribe from your cursor").asRuntimeException());
                    return false;
                }
                return true;
            } catch (RuntimeException closed) {
                return false; // the call ended between the check and the write
            }
        }
    }
}
