/**
 * L7: counts inbound HTTP/1.x and cleartext HTTP/2 requests per client, destination, method, path and server process
 * (ENABLE_L7_HTTP=true; off by default), and TLS handshakes per destination, server name and ALPN
 * (ENABLE_L7_TLS, on with it); with ENABLE_L7_RESPONSES, each request's response by status code (and gRPC
 * status) and its duration.
 *
 * <h2>Wiring (for Main)</h2>
 * <pre>{@code
 * L7 l7 = L7.start(options, mappingTable, meterRegistry); // KernelException: userMessage(), exit 1
 * // every 100 ms, from one thread (the kernel does not wake us):
 * l7.poll();
 * // on shutdown, after a last poll:
 * l7.close();
 * }</pre>
 * {@link dev.k8sebpf.agent.l7.L7#start} brings up the best {@link dev.k8sebpf.agent.l7.L7HookTier}
 * the way the L4 hooks come up ({@link dev.k8sebpf.agent.hooks.TierChoice}), tells the kernel to skip this
 * process's own receives (so scrapes of the agent's /metrics are never counted), and registers its
 * series in the given registry. The ring buffer holds about 25,000 events (8 MiB of
 * 336-byte records): room for 250,000 receives per second per node at the 100 ms poll interval, and
 * above 120,000 events per second the poller drains four times as often. A lost event is exactly
 * one uncounted receive, counted in {@code internal_http_lost_events_total}. A cold JVM also drains
 * more slowly for its first seconds, until the JIT has compiled the pipeline.
 *
 * <h2>From a receive to a count</h2>
 * bpf/http.bpf.c sends one http_event per server-side receive on a connection that carried a request
 * start → {@link dev.k8sebpf.agent.l7.L7Kernel#poll} reads the ring in place
 * ({@link dev.k8sebpf.agent.l7.HttpEventView}) → {@link dev.k8sebpf.agent.l7.HttpPipeline} labels it
 * (client, destination from the mapping, process) → {@code HttpRequestParser} finds the requests in
 * its bytes, following the connection's framing → {@link dev.k8sebpf.agent.l7.HttpMetrics} counts
 * each. L4's walk is the same with connect_event, {@code ConnectEventCounter} and {@code AgentMetrics}.
 * A TLS connection takes the same walk with one turn: the kernel marks the events of an accepted
 * connection's first TLS record (its ClientHello; the record is captured up to 4 KB, enough for hellos
 * with post-quantum key shares), the pipeline hands them to {@code tlsparse}'s {@code HelloTable}
 * instead of the HTTP parser, and counts the hello once it is whole. The kernel drops the connection's
 * later (encrypted) receives at its first map lookup. A response takes the same walk too: with
 * ENABLE_L7_RESPONSES the tier's send programs are loaded as well, and report each send on a connection
 * whose requests are followed that starts with {@code HTTP/1.}; the pipeline pairs it with the oldest
 * request of the connection still waiting ({@code httpparse}'s {@code AwaitedResponses}, filled as the
 * parser finds requests) and counts it with that request's labels. On an HTTP/2 connection every send
 * is reported, a buffer per event; the connection's state reads them as the server's frames
 * ({@code ConnectionState.readSend}, the server side of {@code Http2Reader}), and the pipeline's
 * {@code Responder} counts each stream's response when the stream ends, with its request's labels (found
 * by stream id in {@code OpenStreams}) and the gRPC status of its trailers.
 *
 * <h2>Series</h2>
 * <ul>
 * <li>{@code internal_http_requests_total{source_ip,destination_namespace,destination_service,destination_pod,method,path,process_comm}}:
 *     {@code source_ip} is the client (the server socket's remote address; IPv4 and v4-mapped IPv6
 *     shown as a dotted quad, IPv6 in RFC 5952 form); the destination comes from the server socket's
 *     local address (the pod IP) through the {@link dev.k8sebpf.agent.mapping.MappingTable}, empty
 *     labels when unmapped (dropped with DROP_UNMAPPED=true); {@code process_comm} is the receiving
 *     process's name; {@code path} is normalised and capped per destination service (see
 *     {@code dev.k8sebpf.agent.httpparse}).</li>
 * <li>{@code internal_http_filtered_requests_total}: requests to health-check and scrape paths
 *     (FILTER_HEALTHCHECK, HEALTHCHECK_PATHS), which are not in the series above.</li>
 * <li>{@code internal_http_lost_events_total}: receives the kernel could not report (ring buffer full).</li>
 * <li>{@code internal_http_responses_total{destination_namespace,destination_service,destination_pod,method,path,status_code}}
 *     and {@code internal_http_request_duration_seconds{destination_namespace,destination_service,destination_pod,method,path}}:
 *     the final response (an interim 1xx such as 100 Continue answers nothing; 101 does) to each request of
 *     the series above, paired in order (HTTP/1.x answers pipelined requests in order), and the time from
 *     the receive that held the request line to the start of the response's first send (the kernel's
 *     clock in both events; on the sock_tracepoint tier the send's end). Responses to health checks and to
 *     dropped requests are skipped. A request whose connection closes (or is forgotten) unanswered is in
 *     the request counter only: requests minus responses is what went unanswered. No {@code source_ip} or
 *     {@code process_comm}: a histogram is 18 series per label tuple (15 buckets, count, sum, max), and latency is asked of a
 *     destination and route, not of each client.</li>
 * <li>{@code internal_tls_handshakes_total{destination_namespace,destination_service,destination_pod,server_name,alpn,process_comm}}:
 *     one per accepted connection whose first bytes were a TLS ClientHello (a HelloRetryRequest's second
 *     hello is the same handshake). {@code server_name} is the SNI host name, lower-cased, {@code ""}
 *     without SNI (clients dialling an IP), {@code {invalid}} if not a host name, {@code {unknown}} if past
 *     the capture, capped per destination service by L7_MAX_SERVER_NAMES ({@code {other}} beyond);
 *     {@code alpn} the offered protocols in order, from a fixed vocabulary. No {@code source_ip}: a
 *     handshake is a connection, and short TLS connections from many pods would fill L7_MAX_SERIES with
 *     one series per client where the question asked of this series (which names and protocols does a
 *     destination serve, how often) does not need the client; the HTTP series keep the client.</li>
 * </ul>
 * Requests received by processes named in L7_EXCLUDE_COMMS are not counted (compared in the pipeline:
 * the BPF object has no comm map; the comparison allocates nothing per event).
 *
 * <h2>Limits</h2>
 * Only receives through read, recvfrom, readv and recvmsg are seen (not io_uring or splice); past the
 * ClientHello TLS is opaque; cleartext HTTP/2 is counted, its responses too when the frames that end their
 * streams are in the captured buffers of the server's sends (agent/README-L7.md). HTTP/1.x responses are seen when the status line starts a
 * write, writev, send, sendto or sendmsg (not sendfile or io_uring); a body send that itself starts with
 * {@code HTTP/1.} while a pipelined request waits would be taken for that request's response. At most 8
 * requests of a connection wait (a deeper pipeline gives up its oldest). A TLS record event, and an HTTP/2
 * receive's, reserves 4.3 KB of the ring when its receive is longer than 256 bytes, so a node's ring holds
 * about 1,900 of them per drain beside the small events.
 */
package dev.k8sebpf.agent.l7;
