package dev.k8sebpf.agent.httpparse;

/** Receives what the server side of an HTTP/2 connection says about its streams, in stream order. */
public interface ResponseConsumer {
    /**
     * A header block the server sent on a stream: the response's headers, an interim response's, or the
     * trailers.
     *
     * @param status     {@code :status} (100-599), or -1 if the block has none that could be read
     * @param grpcStatus {@code grpc-status} as a label ("0" to "99", {@link Http2Reader#OTHER_GRPC_STATUS}),
     *                   {@link Http2Reader#UNKNOWN_GRPC_STATUS} if the block ends a stream of a gRPC connection
     *                   but could not be read, or null
     * @param endsStream the block ends the stream: the response is complete
     */
    void headers(int stream, int status, String grpcStatus, boolean endsStream);

    /** The stream ended by a DATA frame's END_STREAM, or was reset: its response is complete or never will be. */
    void ended(int stream);
}
