package dev.k8sebpf.agent.httpparse;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Feeds reads to a parser the way the kernel reports them: the first 256 bytes plus the real size. */
final class Reads implements RequestConsumer {

    static final int CAPTURE = 256;

    /** Bytes of each read captured: the kernel's 256, or 4096 on HTTP/2 connections. */
    private final int capture;

    final HttpRequestParser parser = new HttpRequestParser();
    final ConnectionState state = new ConnectionState();
    final List<String> requests = new ArrayList<>();

    Reads() {
        this(CAPTURE);
    }

    Reads(int capture) {
        this.capture = capture;
    }

    @Override
    public void request(HttpMethod method, String path) {
        requests.add(method + " " + path);
    }

    /** One read that returned {@code text}, of which at most the capture's bytes were captured. */
    Reads read(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.ISO_8859_1);
        return read(bytes, bytes.length);
    }

    /** One read that returned these bytes. */
    Reads read(byte[] bytes) {
        return read(bytes, bytes.length);
    }

    Reads read(byte[] bytes, long bytesReceived) {
        int captured = (int) Math.min(Math.min(bytes.length, capture), bytesReceived);
        byte[] buffer = new byte[capture];
        System.arraycopy(bytes, 0, buffer, 0, captured);
        parser.parse(state, buffer, captured, bytesReceived, this);
        return this;
    }

    /** A read whose bytes were all uncaptured (e.g. the capture failed), only its size is known. */
    Reads unseenRead(long bytesReceived) {
        parser.parse(state, new byte[0], 0, bytesReceived, this);
        return this;
    }

    ConnectionState.Phase phase() {
        return state.phase;
    }

    static String repeat(char c, int n) {
        return String.valueOf(c).repeat(n);
    }
}
