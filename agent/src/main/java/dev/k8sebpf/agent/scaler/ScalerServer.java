package dev.k8sebpf.agent.scaler;

import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/** SCALER_ADDR: KEDA's ExternalScaler (gRPC) served from this agent's own attempts, for one node. */
public final class ScalerServer implements AutoCloseable {
    private final Server server;
    private final ScheduledExecutorService evaluator;

    private ScalerServer(Server server, ScheduledExecutorService evaluator) {
        this.server = server;
        this.evaluator = evaluator;
    }

    public static ScalerServer start(InetSocketAddress address, ServiceActivity activity) throws IOException {
        ScheduledExecutorService evaluator = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().name("scaler-streams").daemon().factory());
        Server server = NettyServerBuilder.forAddress(address)
                .addService(new ExternalScalerService(activity, evaluator))
                .build();
        try {
            server.start();
        } catch (IOException e) {
            evaluator.shutdownNow();
            throw e;
        }
        return new ScalerServer(server, evaluator);
    }

    public InetSocketAddress address() {
        return (InetSocketAddress) server.getListenSockets().getFirst();
    }

    @Override
    public void close() throws InterruptedException {
        server.shutdown();
        if (!server.awaitTermination(2, TimeUnit.SECONDS)) {
            server.shutdownNow();
        }
        evaluator.shutdownNow();
    }
}
