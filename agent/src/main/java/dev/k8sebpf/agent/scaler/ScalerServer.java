package dev.k8sebpf.agent.scaler;

import dev.k8sebpf.agent.grpc.GrpcServer;
import dev.k8sebpf.agent.grpc.GrpcTls;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/**
 * SCALER_ADDR: KEDA's ExternalScaler (gRPC) served from a {@link ServiceActivity}: the agent's own
 * attempts (one node), or every agent's in the cluster scaler.
 */
public final class ScalerServer implements AutoCloseable {
    private final GrpcServer server;
    private final ScheduledExecutorService evaluator;

    private ScalerServer(GrpcServer server, ScheduledExecutorService evaluator) {
        this.server = server;
        this.evaluator = evaluator;
    }

    public static ScalerServer start(InetSocketAddress address, GrpcTls tls, ServiceActivity activity) throws IOException {
        ScheduledExecutorService evaluator = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().name("scaler-streams").daemon().factory());
        try {
            return new ScalerServer(GrpcServer.start(address, tls, new ExternalScalerService(activity, evaluator)), evaluator);
        } catch (IOException e) {
            evaluator.shutdownNow();
            throw e;
        }
    }

    public InetSocketAddress address() {
        return server.address();
    }

    @Override
    public void close() throws InterruptedException {
        server.close();
        evaluator.shutdownNow();
    }
}
