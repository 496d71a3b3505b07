package dev.k8sebpf.agent.httpparse;

import java.util.Arrays;

/**
 * The requests of one HTTP/2 connection still waiting for their responses to end, by stream id: HTTP/2
 * answers streams in any order, so each response finds its request by id (HTTP/1.x answers in order:
 * {@link AwaitedResponses}). Starts with 8 slots and grows to {@link #CAPACITY} (a server's concurrent
 * streams, 100 by default in grpc-java and nginx); past that the oldest request is given up, as one whose
 * end went by unseen eventually is. Arrays kept in request order, not objects: the hot path allocates
 * nothing once a connection's slots exist.
 */
public final class OpenStreams {
    static final int CAPACITY = 128;

    private int[] ids = new int[8];
    private long[] starts = new long[8];
    private HttpMethod[] methods = new HttpMethod[8];
    private String[] paths = new String[8];
    private int[] statuses = new int[8];
    private long[] answered = new long[8];
    private String[] grpcStatuses = new String[8];
    private int size;

    /**
     * @param startNanos when the request was read (the kernel's clock)
     * @param path       its path label, or null for a request that is not counted: its response is then skipped
     */
    public void add(int stream, long startNanos, HttpMethod method, String path) {
        if (size == ids.length) {
            if (size < CAPACITY) {
                grow();
            } else {
                remove(0);
            }
        }
        ids[size] = stream;
        starts[size] = startNanos;
        methods[size] = method;
        paths[size] = path;
        statuses[size] = 0;
        answered[size] = 0;
        grpcStatuses[size] = null;
        size++;
    }

    /** The slot of a stream's request, or -1. */
    public int find(int stream) {
        for (int i = size - 1; i >= 0; i--) {
            if (ids[i] == stream) {
                return i;
            }
        }
        return -1;
    }

    public long start(int slot) {
        return starts[slot];
    }

    public HttpMethod method(int slot) {
        return methods[slot];
    }

    /** Null: the request is not counted. */
    public String path(int slot) {
        return paths[slot];
    }

    /** The final status of its response, 0 until its headers came. */
    public int status(int slot) {
        return statuses[slot];
    }

    /** When the response's headers were sent. */
    public long answeredAt(int slot) {
        return answered[slot];
    }

    /** Its grpc-status label, null if none came. */
    public String grpcStatus(int slot) {
        return grpcStatuses[slot];
    }

    public void answer(int slot, int status, long nanos) {
        statuses[slot] = status;
        answered[slot] = nanos;
    }

    public void grpcStatus(int slot, String label) {
        grpcStatuses[slot] = label;
    }

    public void remove(int slot) {
        int after = size - slot - 1;
        System.arraycopy(ids, slot + 1, ids, slot, after);
        System.arraycopy(starts, slot + 1, starts, slot, after);
        System.arraycopy(methods, slot + 1, methods, slot, after);
        System.arraycopy(paths, slot + 1, paths, slot, after);
        System.arraycopy(statuses, slot + 1, statuses, slot, after);
        System.arraycopy(answered, slot + 1, answered, slot, after);
        System.arraycopy(grpcStatuses, slot + 1, grpcStatuses, slot, after);
        size--;
        methods[size] = null;
        paths[size] = null;
        grpcStatuses[size] = null;
    }

    public int size() {
        return size;
    }

    void clear() {
        while (size > 0) {
            remove(size - 1);
        }
    }

    private void grow() {
        int n = ids.length * 2;
        ids = Arrays.copyOf(ids, n);
        starts = Arrays.copyOf(starts, n);
        methods = Arrays.copyOf(methods, n);
        paths = Arrays.copyOf(paths, n);
        statuses = Arrays.copyOf(statuses, n);
        answered = Arrays.copyOf(answered, n);
        grpcStatuses = Arrays.copyOf(grpcStatuses, n);
    }
}
