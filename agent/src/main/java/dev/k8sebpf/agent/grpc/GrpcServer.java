package dev.k8sebpf.agent.grpc;

import io.grpc.BindableService;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/** One gRPC service on one address, with the process's credentials. */
public final class GrpcServer implements AutoCloseable {
    private final Server server;

    private GrpcServer(Server server) {
        this.server = server;
    }

    public static GrpcServer start(InetSocketAddress address, GrpcTls tls, BindableService service) throws IOException {
        Server server = NettyServerBuilder.forAddress(address, tls.server())
                // an idle subscriber or KEDA stream is kept; a peer that vanished is noticed within a minute
                .keepAliveTime(30, TimeUnit.SECONDS).keepAliveTimeout(20, TimeUnit.SECONDS)
                .permitKeepAliveTime(10, TimeUnit.SECONDS).permitKeepAliveWithoutCalls(true)
                .addService(service).build();
        server.start();
        return new GrpcServer(server);
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
    }
}
