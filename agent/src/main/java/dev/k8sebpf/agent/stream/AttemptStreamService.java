package dev.k8sebpf.agent.stream;

import dev.k8sebpf.agent.stream.attempts.AttemptBatch;
import dev.k8sebpf.agent.stream.attempts.AttemptStreamGrpc;
import dev.k8sebpf.agent.stream.attempts.SubscribeRequest;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;

/** ATTEMPT_STREAM_ADDR: the agent's attempts for the cluster scaler (attempts.proto). */
public final class AttemptStreamService extends AttemptStreamGrpc.AttemptStreamImplBase {
    private final AttemptFeed feed;

    public AttemptStreamService(AttemptFeed feed) {
        this.feed = feed;
    }

    @Override
    public void subscribe(SubscribeRequest request, StreamObserver<AttemptBatch> responses) {
        feed.subscribe(request, (ServerCallStreamObserver<AttemptBatch>) responses);
    }
}
