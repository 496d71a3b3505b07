package dev.k8sebpf.agent;

import dev.k8sebpf.agent.scaler.externalscaler.ExternalScalerGrpc;
import dev.k8sebpf.agent.scaler.externalscaler.GetMetricsRequest;
import dev.k8sebpf.agent.scaler.externalscaler.IsActiveResponse;
import dev.k8sebpf.agent.scaler.externalscaler.ScaledObjectRef;
import io.grpc.ChannelCredentials;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A grpc-java client used as KEDA's external-push scaler uses its connection: a StreamIsActive call per
 * ScaledObject, IsActive and GetMetrics besides; the metadata is the trigger's.
 */
final class KedaClient implements AutoCloseable {
    private final ManagedChannel channel;

    KedaClient(int port) {
        this(port, InsecureChannelCredentials.create());
    }

    KedaClient(int port, ChannelCredentials credentials) {
        channel = NettyChannelBuilder.forAddress("127.0.0.1", port, credentials).build();
    }

    static ScaledObjectRef ref(String namespace, Map<String, String> metadata) {
        return ScaledObjectRef.newBuilder().setName("so").setNamespace(namespace).putAllScalerMetadata(metadata).build();
    }

    /** One open StreamIsActive call: what it said, in order, and how it ended. */
    static final class Stream {
        final LinkedBlockingQueue<Boolean> told = new LinkedBlockingQueue<>();
        final CompletableFuture<Throwable> ended = new CompletableFuture<>();

        Boolean next(long seconds) throws InterruptedException {
            return told.poll(seconds, TimeUnit.SECONDS);
        }
    }

    Stream stream(ScaledObjectRef ref) {
        var stream = new Stream();
        ExternalScalerGrpc.newStub(channel).streamIsActive(ref, new StreamObserver<>() {
            @Override
            public void onNext(IsActiveResponse response) {
                stream.told.add(response.getResult());
            }

            @Override
            public void onError(Throwable t) {
                stream.ended.complete(t);
            }

            @Override
            public void onCompleted() {
                stream.ended.complete(null);
            }
        });
        return stream;
    }

    boolean isActive(ScaledObjectRef ref) {
        return ExternalScalerGrpc.newBlockingStub(channel).withDeadlineAfter(5, TimeUnit.SECONDS).isActive(ref).getResult();
    }

    double rate(ScaledObjectRef ref) {
        return ExternalScalerGrpc.newBlockingStub(channel).withDeadlineAfter(5, TimeUnit.SECONDS)
                .getMetrics(GetMetricsRequest.newBuilder().setScaledObjectRef(ref).build()).getMetricValues(0).getMetricValueFloat();
    }

    @Override
    public void close() throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
}
