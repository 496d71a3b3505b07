package dev.k8sebpf.agent.cluster;

import dev.k8sebpf.agent.grpc.GrpcTls;
import dev.k8sebpf.agent.kubernetes.AgentDirectory;
import dev.k8sebpf.agent.scaler.ServiceActivity;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One {@link AgentSubscription} per agent Pod the discovery reports, so every scaler replica holds the
 * whole cluster's attempts. A Pod seen again at the same address keeps its subscription (a relist after a
 * dropped watch changes nothing); one gone is unsubscribed, and what it sent stays counted.
 */
public final class AgentSubscriptions implements AgentDirectory, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AgentSubscriptions.class);

    private final ConcurrentHashMap<String, AgentSubscription> byUid = new ConcurrentHashMap<>();
    private final ServiceActivity activity;
    private final GrpcTls tls;
    private final String tlsServerName;
    private final ScheduledExecutorService retries = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("agent-resubscribe").daemon().factory());
    private final AtomicLong batches = new AtomicLong();

    public AgentSubscriptions(ServiceActivity activity, GrpcTls tls, String tlsServerName) {
        this.activity = activity;
        this.tls = tls;
        this.tlsServerName = tlsServerName;
    }

    @Override
    public synchronized void agentSeen(String uid, String podName, String host, int port) {
        AgentSubscription existing = byUid.get(uid);
        if (existing != null && existing.target().equals(host + ":" + port)) {
            return;
        }
        if (existing != null) {
            existing.close();
        }
        var subscription = new AgentSubscription(podName, host, port, tls, tlsServerName, activity, retries,
                batches::incrementAndGet);
        byUid.put(uid, subscription);
        LOG.info("agent {} at {}:{}: subscribing to its attempt stream", podName, host, port);
        subscription.subscribe();
    }

    @Override
    public synchronized void agentGone(String uid) {
        AgentSubscription gone = byUid.remove(uid);
        if (gone != null) {
            LOG.info("agent at {} gone: unsubscribed, its attempts stay counted", gone.target());
            gone.close();
        }
    }

    /** Agents known through discovery. */
    public int agents() {
        return byUid.size();
    }

    /** Agents whose stream is open now. */
    public int streaming() {
        return (int) byUid.values().stream().filter(AgentSubscription::streaming).count();
    }

    /** Every known agent has sent its first batch or failed once: the view is as complete as it can be. */
    public boolean allAnswered() {
        return byUid.values().stream().allMatch(AgentSubscription::answered);
    }

    public long batches() {
        return batches.get();
    }

    @Override
    public synchronized void close() {
        byUid.values().forEach(AgentSubscription::close);
        byUid.clear();
        retries.shutdownNow();
    }
}
