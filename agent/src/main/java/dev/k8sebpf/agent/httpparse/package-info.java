/**
 * Turns captured socket reads into counted HTTP/1.x and cleartext HTTP/2 requests with low-cardinality
 * path labels. After the HTTP/2 preface a connection is read by {@link dev.k8sebpf.agent.httpparse.Http2Reader}
 * (frames, streams, HPACK through {@link dev.k8sebpf.agent.httpparse.hpack.HpackDecoder}; rules in
 * agent/README-L7.md); the rest of this page is HTTP/1.x.
 *
 * <p>Input: for each receive on an HTTP connection the kernel reports the first bytes of the read
 * (about 256), the number of bytes the read really returned, and a connection id. Everything here is
 * meant for the single thread that drains those events; nothing is thread-safe.
 *
 * <h2>Wiring</h2>
 * <pre>{@code
 * ConnectionState state = table.state(e.connId(), ConnectionTable.endpointsKey(
 *         localHi, localLo, e.localPort(), remoteHi, remoteLo, e.remotePort())); // IpKey halves
 * parser.parse(state, e.data(), e.captured(), e.bytes(), (method, path) -> {
 *     if (healthchecks.isHealthcheck(path)) { filtered.increment(); return; }
 *     count(method, limiter.limit(destinationKey, path));
 * });
 * }</pre>
 * A connection id the kernel reuses for a new socket (other endpoints) starts fresh.
 *
 * <h2>What counts as a request</h2>
 * <ul>
 * <li>A line {@code METHOD SP request-target SP HTTP/1.d} with one of GET, HEAD, POST, PUT, DELETE,
 *     CONNECT, OPTIONS, TRACE, PATCH (case-sensitive), at a message boundary. The target must be
 *     origin-form ({@code /...}), absolute-form ({@code scheme://...}), {@code *} (OPTIONS only) or
 *     authority-form {@code host:port} (CONNECT only). Blank lines before a request are skipped.</li>
 * <li>Keep-alive and pipelining: after a request's header block the body is skipped by its framing
 *     (Content-Length bytes, chunked until the zero chunk and trailers, else no body) and the next
 *     request line is counted, as many per read as the captured bytes show.</li>
 * <li>Bodies are followed by byte counts, so uncaptured bytes of a read still advance the position.
 *     Lines split across reads are carried over (up to 256 bytes).</li>
 * <li>A request line cut off by the capture is counted if its method and the start of its target are
 *     visible; a path segment that was cut becomes {@code {truncated}}.</li>
 * </ul>
 *
 * <h2>When the position is lost</h2>
 * <ul>
 * <li>If a header block, or a body that ends inside uncaptured bytes, hides where the next message
 *     starts, the connection is <em>lost</em>: reads are ignored until one <em>starts</em> with a valid
 *     request line (common: request heads larger than the capture).</li>
 * <li>If a body of unknown extent is in flight (a chunked body whose end was not captured, a malformed
 *     chunk size, an invalid or conflicting Content-Length, a Transfer-Encoding not ending in chunked),
 *     nothing is counted on that connection until its state is forgotten (close, LRU eviction, or
 *     idle TTL), because lines inside such a body must never count.</li>
 * <li>A connection that starts with a TLS handshake or a
 *     response status line ({@code HTTP/1.1 200 OK}: the client side of a connection) is ignored until
 *     forgotten. Any other non-HTTP bytes simply never match a request line. Nothing ever throws.</li>
 * </ul>
 *
 * <h2>Path labels ({@link dev.k8sebpf.agent.httpparse.PathNormalizer})</h2>
 * <ul>
 * <li>The query string ({@code ?...}), fragment ({@code #...}) and matrix parameters ({@code ;...} in a
 *     segment) are dropped.</li>
 * <li>absolute-form {@code http://host:port/p} becomes {@code /p} ({@code /} if it has no path);
 *     {@code *} stays {@code *}; CONNECT's {@code host:port} is kept as is.</li>
 * <li>Identifiers, e-mail addresses, JWTs, API keys, phone and card numbers and random-looking tokens
 *     become {@code {id}}, {@code {email}}, {@code {number}} or {@code {token}}, judged per segment with
 *     percent escapes decoded (rules in agent/README-L7.md, implemented by
 *     {@link dev.k8sebpf.agent.httpparse.SegmentRules}). Other segments, empty ones and trailing slashes
 *     are kept byte for byte (percent escapes are not decoded in the label).</li>
 * <li>{@link dev.k8sebpf.agent.metrics.LabelLimiter} (the l7 pipeline's): per destination service, the
 *     first N distinct paths (default 100) keep their label, later new ones become {@code /{other}}.</li>
 * <li>{@link dev.k8sebpf.agent.httpparse.HealthcheckFilter} ({@code FILTER_HEALTHCHECK=true}) matches
 *     the normalised path exactly against {@code /healthz /readyz /livez /health /metrics /ping} and the
 *     {@code HEALTHCHECK_PATHS} entries (normalised the same way); an entry ending in {@code *} is a
 *     prefix. Apply it before the limiter, so health checks take no path slots.</li>
 * </ul>
 */
package dev.k8sebpf.agent.httpparse;
