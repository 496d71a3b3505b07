package dev.k8sebpf.agent.l7;

import dev.k8sebpf.agent.httpparse.HttpMethod;
import dev.k8sebpf.agent.mapping.Destination;
import java.util.Objects;

/**
 * The labels of one internal_http_responses_total series (with {@code status}) or of one
 * internal_http_request_duration_seconds histogram (status null), as a hash key; a mutable probe as
 * {@link RequestSeries} is.
 */
final class ResponseSeries {
    Destination destination;
    HttpMethod method;
    String path;
    String status;
    /** The destination's overflow series: the path stands for any. */
    boolean overflow;
    private int hash;

    ResponseSeries set(Destination destination, HttpMethod method, String path, String status) {
        this.destination = destination;
        this.method = method;
        this.path = path;
        this.status = status;
        int h = destination.hashCode();
        h = 31 * h + method.ordinal();
        h = 31 * h + path.hashCode();
        this.hash = 31 * h + (status == null ? 0 : status.hashCode());
        return this;
    }

    ResponseSeries copy() {
        return new ResponseSeries().set(destination, method, path, status);
    }

    /** The series this one is counted in when there are too many (same destination, method and status). */
    ResponseSeries overflow() {
        ResponseSeries other = new ResponseSeries().set(destination, method, HttpPipeline.OVERFLOW_PATH, status);
        other.overflow = true;
        return other;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ResponseSeries s && s.hash == hash && s.overflow == overflow && s.method == method
                && s.path.equals(path) && Objects.equals(s.status, status) && s.destination.equals(destination);
    }

    @Override
    public int hashCode() {
        return hash;
    }
}
