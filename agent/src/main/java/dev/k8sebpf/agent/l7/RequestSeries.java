package dev.k8sebpf.agent.l7;

import dev.k8sebpf.agent.httpparse.HttpMethod;
import dev.k8sebpf.agent.mapping.Destination;
import dev.k8sebpf.agent.metrics.SeriesCache;

/**
 * The labels of one internal_http_requests_total series, as a hash key. The pipeline keeps one mutable
 * probe and refills it per request; only a new series gets an immutable {@link #copy()}.
 */
final class RequestSeries {
    long sourceHi;
    long sourceLo;
    Destination destination;
    HttpMethod method;
    String path;
    String comm;
    /** The destination's overflow series: source, path and process stand for any. */
    boolean overflow;
    private int hash;

    RequestSeries set(long sourceHi, long sourceLo, Destination destination, HttpMethod method, String path, String comm) {
        this.sourceHi = sourceHi;
        this.sourceLo = sourceLo;
        this.destination = destination;
        this.method = method;
        this.path = path;
        this.comm = comm;
        int h = Long.hashCode(sourceHi * 31 + sourceLo);
        h = 31 * h + destination.hashCode();
        h = 31 * h + method.ordinal();
        h = 31 * h + path.hashCode();
        this.hash = 31 * h + comm.hashCode();
        return this;
    }

    RequestSeries copy() {
        return new RequestSeries().set(sourceHi, sourceLo, destination, method, path, comm);
    }

    /** The series this one is counted in when there are too many (same destination and method). */
    RequestSeries overflow() {
        RequestSeries other = new RequestSeries().set(0, 0, destination, method, HttpPipeline.OVERFLOW_PATH,
                SeriesCache.OTHER);
        other.overflow = true;
        return other;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RequestSeries s && s.hash == hash && s.overflow == overflow && s.sourceHi == sourceHi && s.sourceLo == sourceLo
                && s.method == method && s.path.equals(path) && s.comm.equals(comm) && s.destination.equals(destination);
    }

    @Override
    public int hashCode() {
        return hash;
    }
}
