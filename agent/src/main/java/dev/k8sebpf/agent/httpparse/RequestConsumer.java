package dev.k8sebpf.agent.httpparse;

/** Receives each request the parser recognises, in stream order. */
@FunctionalInterface
public interface RequestConsumer {
    /**
     * @param method the request method
     * @param path   the request target normalised by {@link PathNormalizer} (never null)
     */
    void request(HttpMethod method, String path);

    /** An HTTP/2 request, on the client stream it opened (its response comes on the same stream). */
    default void request(HttpMethod method, String path, int stream) {
        request(method, path);
    }
}
