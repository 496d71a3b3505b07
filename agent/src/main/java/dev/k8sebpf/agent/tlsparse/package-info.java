/**
 * Reads what a TLS client asks for from the first record of an accepted connection, its ClientHello,
 * without decrypting anything (nothing before the ServerHello is encrypted): the server name it
 * requested (SNI) and the application protocols it offered (ALPN).
 *
 * <p>Input: the receives the kernel reports for the connection's first TLS record, each with the bytes
 * captured (up to 4 KB) and the bytes the receive returned. {@link dev.k8sebpf.agent.tlsparse.HelloTable}
 * joins a record that arrived in pieces (OpenSSL reads the 5-byte header, then the body) and
 * {@link dev.k8sebpf.agent.tlsparse.ClientHelloParser} reads it; every length is checked, so malformed
 * or cut input gives a truncated hello, never an exception. Hellos with post-quantum key shares run to
 * over 1.2 KB (the X25519MLKEM768 share alone is 1,216 bytes) and may put SNI after it: the 4 KB capture
 * reaches it.
 *
 * <p>Labels ({@link dev.k8sebpf.agent.tlsparse.TlsLabels}): clients choose both values, so both are
 * bounded before a series exists. {@code server_name}: the host name lower-cased, {@code ""} without
 * SNI, {@code {invalid}} if not a DNS name, {@code {unknown}} if it may lie past the captured bytes;
 * the l7 pipeline caps distinct names per destination Service (L7_MAX_SERVER_NAMES). {@code alpn}: the
 * offered ids in order, each one of IANA's registered ids or {@code {other}}, at most four.
 * Everything here is for the one event thread; nothing is thread-safe.
 */
package dev.k8sebpf.agent.tlsparse;
