package dev.k8sebpf.agent.httpparse;

/**
 * The requests of one connection still waiting for their responses, oldest first: an HTTP/1.x server
 * answers in request order, pipelined requests too, so each final response answers the oldest. Holds
 * at most {@link #CAPACITY}; a client that pipelines more has its oldest given up (never answered, as
 * far as the counters go). Arrays, not objects: a request on the hot path allocates nothing.
 */
public final class AwaitedResponses {
    static final int CAPACITY = 8;

    private final long[] starts = new long[CAPACITY];
    private final HttpMethod[] methods = new HttpMethod[CAPACITY];
    private final String[] paths = new String[CAPACITY];
    private int oldest;
    private int size;

    /**
     * @param startNanos when the request was read (the kernel's clock)
     * @param path       its path label, or null for a request that is not counted (a health check, an
     *                   unmapped destination dropped): its response is then skipped, not paired with the next one's
     */
    public void add(long startNanos, HttpMethod method, String path) {
        if (size == CAPACITY) {
            removeOldest();
        }
        int i = (oldest + size) % CAPACITY;
        starts[i] = startNanos;
        methods[i] = method;
        paths[i] = path;
        size++;
    }

    public boolean isEmpty() {
        return size == 0;
    }

    public long oldestStart() {
        return starts[oldest];
    }

    public HttpMethod oldestMethod() {
        return methods[oldest];
    }

    /** Null: the oldest request is not counted. */
    public String oldestPath() {
        return paths[oldest];
    }

    public void removeOldest() {
        paths[oldest] = null;
        methods[oldest] = null;
        oldest = (oldest + 1) % CAPACITY;
        size--;
    }

    void clear() {
        while (size > 0) {
            removeOldest();
        }
        oldest = 0;
    }
}
