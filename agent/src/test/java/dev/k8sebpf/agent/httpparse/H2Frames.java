package dev.k8sebpf.agent.httpparse;

import io.grpc.netty.shaded.io.netty.buffer.ByteBuf;
import io.grpc.netty.shaded.io.netty.buffer.Unpooled;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.DefaultHttp2HeadersEncoder;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.Http2Exception;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.Http2Headers;
import java.io.ByteArrayOutputStream;
import java.util.Arrays;

/**
 * One side's HTTP/2 byte stream for tests (a client's requests or a server's responses: one instance per
 * side), its header blocks encoded by Netty's HPACK encoder (the one grpc-java sends with: dynamic
 * table, Huffman), so the reader is checked against a real encoder.
 */
final class H2Frames {
    static final int DATA = 0;
    static final int HEADERS = 1;
    static final int RST_STREAM = 3;
    static final int SETTINGS = 4;
    static final int PING = 6;
    static final int WINDOW_UPDATE = 8;
    static final int CONTINUATION = 9;
    static final int END_STREAM = 0x1;
    static final int END_HEADERS = 0x4;
    static final int PADDED = 0x8;
    static final int PRIORITY = 0x20;

    private final DefaultHttp2HeadersEncoder encoder = new DefaultHttp2HeadersEncoder();
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    H2Frames preface() {
        out.writeBytes(Http2Reader.PREFACE);
        return this;
    }

    /** The client's opening SETTINGS and a connection WINDOW_UPDATE, as grpc-java sends them. */
    H2Frames settings() {
        frame(SETTINGS, 0, 0, new byte[] {0, 2, 0, 0, 0, 0, 0, 4, 0, 0x10, 0, 0});
        return frame(WINDOW_UPDATE, 0, 0, new byte[] {0, 0x0f, 0, 1});
    }

    /** A request's HEADERS (END_HEADERS) on stream, method and path plus headers like a gRPC client's. */
    H2Frames request(int stream, String method, String path) {
        return frame(HEADERS, END_HEADERS, stream, block(stream, method, path));
    }

    /** The HPACK block of a request; encoding it changes the encoder's table even if it is never sent. */
    byte[] block(int stream, String method, String path) {
        Http2Headers headers = new DefaultHttp2Headers().method(method).scheme("http").path(path).authority("svc.ns:50051")
                .add("content-type", "application/grpc").add("te", "trailers").add("user-agent", "grpc-java-netty/1.76.0")
                .add("grpc-accept-encoding", "gzip").add("x-request-id", "req-" + stream);
        return encode(stream, headers);
    }

    H2Frames data(int stream, int length) {
        return data(stream, length, END_STREAM);
    }

    H2Frames data(int stream, int length, int flags) {
        byte[] payload = new byte[length];
        Arrays.fill(payload, (byte) 0x5a);
        return frame(DATA, flags, stream, payload);
    }

    /** A server's response HEADERS (END_HEADERS, and END_STREAM if {@code ends}), with headers like grpc-java's. */
    H2Frames response(int stream, int status, boolean ends) {
        return headers(stream, new DefaultHttp2Headers().status(Integer.toString(status)).add("content-type", "application/grpc")
                .add("grpc-encoding", "identity").add("grpc-accept-encoding", "gzip"), ends);
    }

    /** gRPC trailers (END_STREAM | END_HEADERS). */
    H2Frames trailers(int stream, String grpcStatus) {
        return headers(stream, new DefaultHttp2Headers().add("grpc-status", grpcStatus).add("grpc-message", "m" + stream), true);
    }

    H2Frames headers(int stream, Http2Headers headers, boolean ends) {
        return frame(HEADERS, END_HEADERS | (ends ? END_STREAM : 0), stream, encode(stream, headers));
    }

    /** The HPACK block of these headers, through this side's encoder (its table carries on). */
    private byte[] encode(int stream, Http2Headers headers) {
        ByteBuf buf = Unpooled.buffer();
        try {
            encoder.encodeHeaders(stream, headers, buf);
        } catch (Http2Exception e) {
            throw new IllegalStateException(e);
        }
        byte[] bytes = new byte[buf.readableBytes()];
        buf.readBytes(bytes);
        return bytes;
    }

    H2Frames frame(int type, int flags, int stream, byte[] payload) {
        out.write(payload.length >>> 16);
        out.write(payload.length >>> 8);
        out.write(payload.length);
        out.write(type);
        out.write(flags);
        out.write(stream >>> 24);
        out.write(stream >>> 16);
        out.write(stream >>> 8);
        out.write(stream);
        out.writeBytes(payload);
        return this;
    }

    /** The bytes so far, and a fresh start (the encoder's table carries on). */
    byte[] take() {
        byte[] bytes = out.toByteArray();
        out.reset();
        return bytes;
    }
}
