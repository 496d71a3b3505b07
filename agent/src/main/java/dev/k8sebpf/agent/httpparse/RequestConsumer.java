package dev.k8sebpf.agent.httpparse;

/** Receives each request the parser recognises, in stream order. */
@FunctionalInterface
public interface RequestConsumer {
    /**
     * @param method the request method
     * @param path   the request target normalised by {@link PathNormalizer} (never null)
     */
    void request(HttpMethod method, String path);
}
