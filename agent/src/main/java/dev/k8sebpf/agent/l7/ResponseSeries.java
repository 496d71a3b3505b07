package dev.k8sebpf.agent.l7;

import dev.k8sebpf.agent.httpparse.HttpMethod;
import dev.k8sebpf.agent.mapping.Destination;
import java.util.Objects;

/**
 * The labels of one internal_http_responses_total series (with {@code status} and {@code grpcStatus}) or
 * of one internal_http_request_duration_seconds histogram (both null), as a hash key; a mutable probe as
 * {@link RequestSeries} is.
 */
final class ResponseSeries {
    Destination destination;
    HttpMethod method;
    String path;
    String status;
    String grpcStatus;
    /** The destination's overflow series: the path stands for any. */
    boolean overflow;
    private int hash;

    ResponseSeries set(Destination destination, HttpMethod method, String path, String status, String grpcStatus) {
        this.destination = destination;
        this.method = method;
        this.path = path;
        this.status = status;
        this.grpcStatus = grpcStatus;
        int h = destination.hashCode();
        h = 31 * h + method.ordinal();
        h = 31 * h + path.hashCode();
        h = 31 * h + (status == null ? 0 : status.hashCode());
        this.hash = 31 * h + (grpcStatus == null ? 0 : grpcStatus.hashCode());
        return this;
    }

    ResponseSeries copy() {
        return new ResponseSeries().set(destination, method, path, status, grpcStatus);
    }

    /** The series this one is counted in when there are too many (same destination, method and statuses). */
    ResponseSeries overflow() {
        ResponseSeries other = new ResponseSeries().set(destination, method, HttpPipeline.OVERFLOW_PATH, status, grpcStatus);
        other.overflow = true;
        return other;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ResponseSeries s && s.hash == hash && s.overflow == overflow && s.method == method
                && s.path.equals(path) && Objects.equals(s.status, status) && Objects.equals(s.grpcStatus, grpcStatus)
                && s.destination.equals(destination);
    }

    @Override
    public int hashCode() {
        return hash;
    }
}
