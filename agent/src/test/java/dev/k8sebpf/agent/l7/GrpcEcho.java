package dev.k8sebpf.agent.l7;

import com.google.protobuf.ByteString;
import com.google.protobuf.BytesValue;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.ProtoUtils;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ServerCalls;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * A real grpc-java server (Netty, cleartext HTTP/2 with prior knowledge) with two unary methods on
 * protobuf's BytesValue, so no generated code is needed: {@code l7test.Echo/Say} echoes, {@code l7test.Echo/Fail} answers
 * with status NOT_FOUND.
 */
final class GrpcEcho implements AutoCloseable {
    static final String SERVICE = "l7test.Echo";
    static final MethodDescriptor<BytesValue, BytesValue> SAY = method("Say");
    static final MethodDescriptor<BytesValue, BytesValue> FAIL = method("Fail");

    private final Server server;
    final String address;

    private GrpcEcho(Server server, String address) {
        this.server = server;
        this.address = address;
    }

    static GrpcEcho start(String address) throws IOException {
        Server server = NettyServerBuilder.forAddress(new InetSocketAddress(address, 0))
                .addService(ServerServiceDefinition.builder(SERVICE)
                        .addMethod(SAY, ServerCalls.asyncUnaryCall((request, response) -> {
                            response.onNext(request);
                            response.onCompleted();
                        }))
                        .addMethod(FAIL, ServerCalls.asyncUnaryCall((request, response) ->
                                response.onError(Status.NOT_FOUND.withDescription("no such thing").asRuntimeException())))
                        .build())
                .build().start();
        return new GrpcEcho(server, address);
    }

    int port() {
        return server.getPort();
    }

    /** A channel of its own: one HTTP/2 connection. */
    ManagedChannel channel() {
        return NettyChannelBuilder.forAddress(address, port()).usePlaintext().build();
    }

    /** A call with a request of that many bytes: the response's size (the echo's). */
    static int call(ManagedChannel channel, MethodDescriptor<BytesValue, BytesValue> method, int requestBytes) {
        return ClientCalls.blockingUnaryCall(channel, method, CallOptions.DEFAULT.withDeadlineAfter(20, TimeUnit.SECONDS),
                message(requestBytes)).getValue().size();
    }

    static BytesValue message(int bytes) {
        return BytesValue.of(ByteString.copyFrom(new byte[bytes]));
    }

    /** A call expected to fail: its status code. */
    static Status.Code failingCall(ManagedChannel channel, int requestBytes) {
        try {
            call(channel, FAIL, requestBytes);
            return Status.Code.OK;
        } catch (StatusRuntimeException e) {
            return e.getStatus().getCode();
        }
    }

    @Override
    public void close() throws InterruptedException {
        server.shutdownNow();
        server.awaitTermination(10, TimeUnit.SECONDS);
    }

    private static MethodDescriptor<BytesValue, BytesValue> method(String name) {
        MethodDescriptor.Marshaller<BytesValue> marshaller = ProtoUtils.marshaller(BytesValue.getDefaultInstance());
        return MethodDescriptor.newBuilder(marshaller, marshaller).setType(MethodDescriptor.MethodType.UNARY)
                .setFullMethodName(MethodDescriptor.generateFullMethodName(SERVICE, name)).build();
    }
}
