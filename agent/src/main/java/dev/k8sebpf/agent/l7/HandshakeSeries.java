package dev.k8sebpf.agent.l7;

import dev.k8sebpf.agent.mapping.Destination;
import dev.k8sebpf.agent.metrics.SeriesCache;

/**
 * The labels of one internal_tls_handshakes_total series, as a hash key; a mutable probe as
 * {@link RequestSeries} is.
 */
final class HandshakeSeries {
    Destination destination;
    String serverName;
    String alpn;
    String comm;
    /** The destination's overflow series: server name and process stand for any. */
    boolean overflow;
    private int hash;

    HandshakeSeries set(Destination destination, String serverName, String alpn, String comm) {
        this.destination = destination;
        this.serverName = serverName;
        this.alpn = alpn;
        this.comm = comm;
        int h = destination.hashCode();
        h = 31 * h + serverName.hashCode();
        h = 31 * h + alpn.hashCode();
        this.hash = 31 * h + comm.hashCode();
        return this;
    }

    HandshakeSeries copy() {
        return new HandshakeSeries().set(destination, serverName, alpn, comm);
    }

    /** The series this one is counted in when there are too many (same destination and ALPN, whose values are few). */
    HandshakeSeries overflow() {
        HandshakeSeries other = new HandshakeSeries().set(destination, SeriesCache.OTHER, alpn, SeriesCache.OTHER);
        other.overflow = true;
        return other;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof HandshakeSeries s && s.hash == hash && s.overflow == overflow && s.serverName.equals(serverName)
                && s.alpn.equals(alpn) && s.comm.equals(comm) && s.destination.equals(destination);
    }

    @Override
    public int hashCode() {
        return hash;
    }
}
