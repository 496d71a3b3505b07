import com.google.protobuf.ByteString;
import com.google.protobuf.BytesValue;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.ProtoUtils;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.FileWriter;
import java.io.InputStreamReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The gRPC workload of bench/l7/windows.py (--workload=grpc): a grpc-java server and a closed-loop client
 * of unary calls, cleartext HTTP/2, as services talk inside a cluster: several connections, calls in
 * flight on each, eight methods of three services, tracing and request ids that differ per call, a
 * tenant header, and request and response messages from 20 bytes to 6 KB.
 *
 * <pre>
 *   java -cp AGENT_CLASSPATH bench/l7/GrpcLoad.java server IP PORT ACCESS_LOG
 *   java -cp AGENT_CLASSPATH bench/l7/GrpcLoad.java client IP PORT CONNECTIONS IN_FLIGHT SECONDS
 * </pre>
 * The server appends a line per call to its access log (buffered, flushed every 100 ms, as nginx's is
 * written), which the benchmark counts; it prints "ready" once listening. A line "reconnect" on the
 * client's stdin moves each connection's next calls to a new connection (the old one closes once its
 * calls are done): windows.py sends it at each switch, since hooks attached afresh know nothing of the
 * connections opened before them (the kernel marks an HTTP/2 connection at its preface).
 */
public class GrpcLoad {
    private static final String[] METHODS = {"shop.Cart/Add", "shop.Cart/Remove", "shop.Cart/List", "shop.Catalog/Get",
            "shop.Catalog/Search", "shop.Catalog/Recommend", "billing.Invoices/Create", "billing.Invoices/Get"};
    private static final Metadata.Key<String> TRACEPARENT = Metadata.Key.of("traceparent", Metadata.ASCII_STRING_MARSHALLER);
    private static final Metadata.Key<String> REQUEST_ID = Metadata.Key.of("x-request-id", Metadata.ASCII_STRING_MARSHALLER);
    private static final Metadata.Key<String> TENANT = Metadata.Key.of("x-tenant", Metadata.ASCII_STRING_MARSHALLER);

    public static void main(String[] args) throws Exception {
        if (args[0].equals("server")) {
            server(args[1], Integer.parseInt(args[2]), args[3]);
        } else {
            client(args[1], Integer.parseInt(args[2]), Integer.parseInt(args[3]), Integer.parseInt(args[4]),
                    Integer.parseInt(args[5]));
        }
    }

    private static void server(String ip, int port, String accessLog) throws Exception {
        BufferedWriter log = new BufferedWriter(new FileWriter(accessLog, true), 1 << 16);
        Map<String, ServerServiceDefinition.Builder> services = new LinkedHashMap<>();
        for (String name : METHODS) {
            services.computeIfAbsent(name.substring(0, name.indexOf('/')), ServerServiceDefinition::builder)
                    .addMethod(method(name), ServerCalls.asyncUnaryCall((BytesValue request, StreamObserver<BytesValue> response) -> {
                        synchronized (log) {
                            try {
                                log.write(name);
                                log.write('\n');
                            } catch (IOException e) {
                                throw new UncheckedIOException(e);
                            }
                        }
                        // responses sized by the request: 20 bytes to 6 KB
                        response.onNext(message(20 + (request.getValue().size() * 7) % 6000));
                        response.onCompleted();
                    }));
        }
        NettyServerBuilder builder = NettyServerBuilder.forAddress(new InetSocketAddress(ip, port));
        for (ServerServiceDefinition.Builder service : services.values()) {
            builder.addService(service.build());
        }
        Server server = builder.build().start();
        Executors.newSingleThreadScheduledExecutor().scheduleAtFixedRate(() -> {
            synchronized (log) {
                try {
                    log.flush();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }, 100, 100, TimeUnit.MILLISECONDS);
        System.out.println("ready");
        System.out.flush();
        server.awaitTermination();
    }

    /** IN_FLIGHT calls on each of CONNECTIONS channels, each call started when one ends, for SECONDS. */
    private static void client(String ip, int port, int connections, int inFlight, int seconds) throws Exception {
        List<MethodDescriptor<BytesValue, BytesValue>> methods = new ArrayList<>();
        for (String name : METHODS) {
            methods.add(method(name));
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        CountDownLatch done = new CountDownLatch(connections * inFlight);
        List<AtomicReference<ManagedChannel>> channels = new ArrayList<>();
        for (int c = 0; c < connections; c++) {
            AtomicReference<ManagedChannel> channel = new AtomicReference<>(NettyChannelBuilder.forAddress(ip, port).usePlaintext().build());
            channels.add(channel);
            String tenant = "tenant-" + (c * 37 % 11);
            for (int i = 0; i < inFlight; i++) {
                new Caller(channel, methods, tenant, new SplittableRandom(c * 1000L + i), deadline, done).next();
            }
        }
        Thread.ofPlatform().daemon().start(() -> {
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in));
            try {
                for (String line = in.readLine(); line != null; line = in.readLine()) {
                    if (line.equals("reconnect")) {
                        for (AtomicReference<ManagedChannel> channel : channels) {
                            channel.getAndSet(NettyChannelBuilder.forAddress(ip, port).usePlaintext().build()).shutdown();
                        }
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        done.await();
        for (AtomicReference<ManagedChannel> channel : channels) {
            channel.get().shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
        }
    }

    /** One call slot: a new call as soon as the last one closed, until the deadline. */
    private record Caller(AtomicReference<ManagedChannel> channel, List<MethodDescriptor<BytesValue, BytesValue>> methods, String tenant,
                          SplittableRandom random, long deadline, CountDownLatch done) {
        void next() {
            if (System.nanoTime() > deadline) {
                done.countDown();
                return;
            }
            // a skewed mix, as real services see: a few hot methods, a long tail
            int pick = Math.min(methods.size() - 1, (int) Math.floor(-Math.log(1 - random.nextDouble()) * 2));
            ClientCall<BytesValue, BytesValue> call = channel.get().newCall(methods.get(pick), CallOptions.DEFAULT);
            Metadata headers = new Metadata();
            headers.put(TRACEPARENT, String.format("00-%016x%016x-%016x-01", random.nextLong(), random.nextLong(), random.nextLong()));
            headers.put(REQUEST_ID, Long.toHexString(random.nextLong()));
            headers.put(TENANT, tenant);
            call.start(new ClientCall.Listener<>() {
                @Override
                public void onClose(Status status, Metadata trailers) {
                    if (!status.isOk()) {
                        System.err.println("call failed: " + status);
                    }
                    next();
                }
            }, headers);
            call.request(1);
            call.sendMessage(message(random.nextInt(20, 3000)));
            call.halfClose();
        }
    }

    private static BytesValue message(int size) {
        return BytesValue.of(ByteString.copyFrom(new byte[size]));
    }

    private static MethodDescriptor<BytesValue, BytesValue> method(String fullName) {
        MethodDescriptor.Marshaller<BytesValue> marshaller = ProtoUtils.marshaller(BytesValue.getDefaultInstance());
        return MethodDescriptor.newBuilder(marshaller, marshaller).setType(MethodDescriptor.MethodType.UNARY).setFullMethodName(fullName)
                .build();
    }
}
