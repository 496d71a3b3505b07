package dev.k8sebpf.agent.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.k8sebpf.agent.config.GrpcTlsConfig;
import dev.k8sebpf.agent.grpc.GrpcServer;
import dev.k8sebpf.agent.grpc.GrpcTls;
import dev.k8sebpf.agent.scaler.ServiceActivity;
import dev.k8sebpf.agent.scaler.ServiceActivity.ServiceKey;
import dev.k8sebpf.agent.stream.AttemptFeed;
import dev.k8sebpf.agent.stream.AttemptStreamService;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * An agent's feed and the scaler's subscription over loopback gRPC: history on subscribe, live batches,
 * a dropped stream resumed from the cursor (nothing lost, nothing counted twice) from the replay log or,
 * after a longer outage, from the history; an agent gone.
 */
class AttemptStreamTest {
    private static final ServiceKey WEB = new ServiceKey("shop", "web");
    private static final Duration HOUR = Duration.ofHours(1);

    private final GrpcTls plaintext = load();
    private final ServiceActivity agentActivity = new ServiceActivity(1000, System::nanoTime);
    private final AttemptFeed feed = new AttemptFeed(agentActivity);
    private final ServiceActivity scalerView = new ServiceActivity(1000, System::nanoTime);
    private final AgentSubscriptions subscriptions = new AgentSubscriptions(scalerView, plaintext, "k8s-ebpf-agent");
    private GrpcServer server;

    private static GrpcTls load() {
        try {
            return GrpcTls.load(GrpcTlsConfig.PLAINTEXT);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @AfterEach
    void stop() throws Exception {
        subscriptions.close();
        if (server != null) {
            server.close();
        }
    }

    private int serve(int port) throws Exception {
        server = GrpcServer.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), plaintext,
                new AttemptStreamService(feed));
        return server.address().getPort();
    }

    private void attempts(int n) {
        for (int i = 0; i < n; i++) {
            feed.attempted("shop", "web");
        }
        feed.flush();
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(20);
        }
    }

    @Test
    void historyThenLiveThenAResumedStreamCountEveryAttemptOnce() throws Exception {
        int port;
        try (var probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        serve(port);
        attempts(3); // before the scaler subscribes: sent as history
        subscriptions.agentSeen("uid-1", "agent-1", "127.0.0.1", port);
        await("the history", () -> scalerView.attemptsWithin(WEB, HOUR) == 3);
        assertThat(subscriptions.allAnswered()).isTrue();
        attempts(2);
        await("a live batch", () -> scalerView.attemptsWithin(WEB, HOUR) == 5);

        server.close(); // the stream drops; the agent keeps counting
        await("the drop noticed", () -> subscriptions.streaming() == 0);
        attempts(4);
        attempts(1);
        serve(port);
        await("the resumed stream", () -> subscriptions.streaming() == 1);
        attempts(1);
        await("the batches after the cursor, and the live one", () -> scalerView.attemptsWithin(WEB, HOUR) >= 11);
        Thread.sleep(300);
        assertThat(scalerView.attemptsWithin(WEB, HOUR)).as("3 + 2 + 4 + 1 + 1, none twice").isEqualTo(11);

        // the agent goes away (its Pod deleted): what it sent stays counted
        subscriptions.agentGone("uid-1");
        assertThat(subscriptions.agents()).isZero();
        assertThat(scalerView.attemptsWithin(WEB, HOUR)).isEqualTo(11);
    }

    @Test
    void aStreamDownLongerThanTheReplayLogResumesFromTheHistoryAfterItsCursor() throws Exception {
        var agentClock = new java.util.concurrent.atomic.AtomicLong(System.nanoTime());
        var longFeed = new AttemptFeed(new ServiceActivity(1000, agentClock::get));
        server = GrpcServer.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), plaintext,
                new AttemptStreamService(longFeed));
        int port = server.address().getPort();
        longFeed.attempted("shop", "web");
        longFeed.flush();
        subscriptions.agentSeen("uid-1", "agent-1", "127.0.0.1", port);
        await("the first attempt", () -> scalerView.attemptsWithin(WEB, HOUR) == 1);

        server.close();
        await("the drop noticed", () -> subscriptions.streaming() == 0);
        agentClock.addAndGet(Duration.ofSeconds(2).toNanos());
        int during = AttemptFeed.LOG_ENTRIES + 500; // more drains than the log keeps, 1 ms apart
        for (int i = 0; i < during; i++) {
            longFeed.attempted("shop", "web");
            longFeed.flush();
            agentClock.addAndGet(Duration.ofMillis(1).toNanos());
        }
        server = GrpcServer.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), plaintext,
                new AttemptStreamService(longFeed));
        await("the history after the cursor", () -> scalerView.attemptsWithin(WEB, HOUR) > 1);
        Thread.sleep(300);
        assertThat(scalerView.attemptsWithin(WEB, HOUR)).as("1 seen before + every one while down, none twice")
                .isEqualTo(1 + during);
    }

    @Test
    void aSecondSubscriberGetsTheSameHistoryAndAnotherInstanceCountsAfresh() throws Exception {
        int port = serve(0);
        attempts(2);
        subscriptions.agentSeen("uid-1", "agent-1", "127.0.0.1", port);
        var otherView = new ServiceActivity(1000, System::nanoTime);
        try (var other = new AgentSubscriptions(otherView, plaintext, "k8s-ebpf-agent")) {
            other.agentSeen("uid-1", "agent-1", "127.0.0.1", port);
            await("both replicas' history", () -> scalerView.attemptsWithin(WEB, HOUR) == 2 && otherView.attemptsWithin(WEB, HOUR) == 2);
            attempts(1);
            await("both live", () -> scalerView.attemptsWithin(WEB, HOUR) == 3 && otherView.attemptsWithin(WEB, HOUR) == 3);
        }
        // a restarted agent: a new feed (new instance) behind the same Pod; its own attempts add to what was seen
        server.close();
        var restarted = new AttemptFeed(new ServiceActivity(1000, System::nanoTime));
        restarted.attempted("shop", "web");
        restarted.flush();
        assertThat(restarted.instance()).isNotEqualTo(feed.instance());
        server = GrpcServer.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), plaintext,
                new AttemptStreamService(restarted));
        await("the new instance's history", () -> scalerView.attemptsWithin(WEB, HOUR) == 4);
        Thread.sleep(300);
        assertThat(scalerView.attemptsWithin(WEB, HOUR)).isEqualTo(4);
    }
}
