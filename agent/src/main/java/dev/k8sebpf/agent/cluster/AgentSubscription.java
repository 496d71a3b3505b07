package dev.k8sebpf.agent.cluster;

import dev.k8sebpf.agent.grpc.GrpcTls;
import dev.k8sebpf.agent.scaler.ServiceActivity;
import dev.k8sebpf.agent.scaler.ServiceActivity.ServiceKey;
import dev.k8sebpf.agent.stream.attempts.AttemptBatch;
import dev.k8sebpf.agent.stream.attempts.AttemptStreamGrpc;
import dev.k8sebpf.agent.stream.attempts.ServiceAttempts;
import dev.k8sebpf.agent.stream.attempts.Span;
import dev.k8sebpf.agent.stream.attempts.SubscribeRequest;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The scaler's subscription to one agent: everything it sends goes into the scaler's
 * {@link ServiceActivity}, at the scaler's own clock (ages, not the agent's clock, so clock skew
 * between nodes does not matter). The cursor (instance, sequence, time of the last batch) survives
 * reconnects, so the agent sends each attempt once: after a dropped stream only what came after the
 * cursor, after the agent restarted (a new instance) everything it has. Reconnects back off from 0.5 s
 * to 10 s; an unreachable agent is one WARN until it answers again.
 */
final class AgentSubscription implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AgentSubscription.class);
    private static final long FIRST_RETRY_MILLIS = 500;
    private static final long MAX_RETRY_MILLIS = 10_000;
    private static final long MILLI = 1_000_000;

    private final String podName;
    private final String target;
    private final ManagedChannel channel;
    private final ServiceActivity activity;
    private final ScheduledExecutorService retries;
    private final Runnable onBatch;
    private volatile boolean closed;
    private volatile boolean answered;
    private volatile boolean streaming;
    private volatile ClientCallStreamObserver<SubscribeRequest> call;
    private SubscribeRequest cursor = SubscribeRequest.getDefaultInstance();
    private long retryMillis = FIRST_RETRY_MILLIS;
    private boolean warned;

    AgentSubscription(String podName, String host, int port, GrpcTls tls, String tlsServerName, ServiceActivity activity,
                      ScheduledExecutorService retries, Runnable onBatch) {
        this.podName = podName;
        this.target = host + ":" + port;
        var builder = NettyChannelBuilder.forAddress(host, port, tls.client())
                .keepAliveTime(30, TimeUnit.SECONDS).keepAliveTimeout(20, TimeUnit.SECONDS).keepAliveWithoutCalls(true)
                // a live batch holds every Service one drain saw (≈ 40 B each): past gRPC's 4 MB default in a huge cluster
                .maxInboundMessageSize(64 * 1024 * 1024);
        if (tls.enabled()) {
            builder.overrideAuthority(tlsServerName); // agents are reached by node IP; their certificate names this
        }
        this.channel = builder.build();
        this.activity = activity;
        this.retries = retries;
        this.onBatch = onBatch;
    }

    String target() {
        return target;
    }

    /** Whether the agent has answered (a batch) or failed at least once since this subscription began. */
    boolean answered() {
        return answered;
    }

    boolean streaming() {
        return streaming;
    }

    synchronized void subscribe() {
        if (closed) {
            return;
        }
        AttemptStreamGrpc.newStub(channel).subscribe(cursor, new ClientResponseObserver<SubscribeRequest, AttemptBatch>() {
            @Override
            public void beforeStart(ClientCallStreamObserver<SubscribeRequest> requestStream) {
                call = requestStream;
            }

            @Override
            public void onNext(AttemptBatch batch) {
                apply(batch);
            }

            @Override
            public void onError(Throwable t) {
                ended(Status.fromThrowable(t));
            }

            @Override
            public void onCompleted() {
                ended(Status.UNAVAILABLE.withDescription("the agent ended the stream"));
            }
        });
    }

    /** One batch, on the channel's executor (a call's messages come one at a time). */
    private void apply(AttemptBatch batch) {
        long now = activity.nanoTime();
        for (ServiceAttempts service : batch.getServicesList()) {
            var key = new ServiceKey(service.getNamespace(), service.getService());
            for (Span span : service.getSpansList()) {
                activity.record(key, span.getCount(), now - span.getAgeMillis() * MILLI);
            }
            activity.record(key, 0, now - service.getLastAttemptAgeMillis() * MILLI);
        }
        activity.attemptsRecorded();
        synchronized (this) {
            cursor = SubscribeRequest.newBuilder().setInstance(batch.getInstance()).setSequence(batch.getSequence())
                    .setAgentMillis(batch.getAgentMillis()).build();
            retryMillis = FIRST_RETRY_MILLIS;
            if (warned) {
                LOG.info("attempt stream of agent {} ({}) is back", podName, target);
                warned = false;
            }
        }
        streaming = true;
        answered = true;
        onBatch.run();
    }

    private synchronized void ended(Status status) {
        streaming = false;
        answered = true;
        if (closed) {
            return;
        }
        if (!warned) {
            LOG.warn("attempt stream of agent {} ({}) failed: {} {}; resubscribing with backoff from where it stopped",
                    podName, target, status.getCode(), status.getDescription() == null ? "" : status.getDescription());
            warned = true;
        }
        long delay = retryMillis;
        retryMillis = Math.min(MAX_RETRY_MILLIS, retryMillis * 2);
        retries.schedule(this::subscribe, delay, TimeUnit.MILLISECONDS);
    }

    /** Stops receiving; what was received stays in the activity (those attempts happened). */
    @Override
    public void close() {
        closed = true;
        ClientCallStreamObserver<SubscribeRequest> current = call;
        if (current != null) {
            current.cancel("agent gone", null);
        }
        channel.shutdownNow();
    }
}
