// SPDX-License-Identifier: GPL-2.0
/*
 * Inbound HTTP/1.x and cleartext HTTP/2 requests, server side: one http_event per receive that starts
 * with an HTTP method token or the HTTP/2 preface, and per later receive on such a connection (bodies,
 * keep-alive and pipelined requests, HTTP/2 frames), so the agent's parser can follow each connection.
 * An HTTP/2 connection's receives are captured up to TLS_CAPTURE_LEN: a read there holds many requests'
 * frames, and the agent follows them by their headers. With capture_tls, also the receives of an accepted
 * connection's first TLS record, which holds the ClientHello (server name, ALPN); the connection's
 * later receives are encrypted and dropped at the first lookup. The response programs (loaded only with
 * ENABLE_L7_RESPONSES) send an event for each send on a checked HTTP/1.x connection that starts a status
 * line, so that the agent can pair it with the request it answers, and on an HTTP/2 connection one per
 * buffer of every send (report_h2_buffer), which the agent reads as the server's frames. A client
 * reading a response ("HTTP/1.1 200 ...") neither starts with a method nor is on a marked connection,
 * so it is not sent; a client whose connect() the program saw is dropped before its bytes are read.
 *
 * The object holds four hook tiers; the loader enables exactly one (bpf_program__set_autoload), the
 * cheapest that works on the node, and raw_inet_sock_set_state with every tier:
 *   raw_sock_recv_length   raw tracepoint sock_recv_length (Linux 6.3+): fires for socket receives only,
 *                          after the data reached the user buffer; costs nothing off the receive path
 *                          (responses: sock_send_length, after the send)
 *   fexit_...              fexit on inet_recvmsg and inet6_recvmsg (kernels before 6.3; responses: fentry
 *                          on inet_sendmsg and inet6_sendmsg)
 *   kprobe_..., kretprobe_...   the same through kprobes, where tracing programs cannot load
 *   tp_sys_...             sys_enter/sys_exit of read, readv, recvfrom, recvmsg (responses: sys_enter of
 *                          write, writev, sendto, sendmsg): the last resort; while
 *                          any syscall tracepoint is attached every syscall of every process takes the
 *                          slow path. Needs no bpf_task_pt_regs (5.15+), so it serves 5.10.
 * The first three find the user buffer in the saved registers of the syscall in progress (a send by
 * sendfile or splice has none: servers write a response's head with write, writev or send, whatever
 * carries its body). inet_recvmsg, not sock_recvmsg: net/socket.c calls sock_recvmsg from the same file,
 * so a build may inline it into every syscall (Debian's arm64 6.1 does); the inet functions are reached
 * through the protocol's ops (inet_sendmsg likewise).
 * The fexit/kprobe and syscall tiers miss a receive already waiting when the hooks attached (one per
 * connection at most): it passed the entry before the hooks existed.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>

#include "fd_socket.h"
#include "hook_stat.h"
#include "http_event.h"
#include "inet_addr.h"
#include "process.h"
#include "syscall_regs.h"

char LICENSE[] SEC("license") = "GPL"; /* bpf_probe_read_* are GPL-only helpers */

#define MSG_PEEK 2 /* a peek is read again later: count the real read only */

_Static_assert((HTTP_CAPTURE_LEN & (HTTP_CAPTURE_LEN - 1)) == 0 && (TLS_CAPTURE_LEN & (TLS_CAPTURE_LEN - 1)) == 0,
	       "copy_received masks lengths with a capture length - 1");

/* Set by the agent before load: its pid in its own pid namespace and that namespace's inode (0: none).
 * Its own receives (scrapes of its metrics endpoint, say) are skipped. */
const volatile __u32 agent_ns_tgid = 0;
const volatile __u32 agent_pidns_inum = 0;
/* The agent's pid in the initial namespace, once one of its receives has shown it. */
__u32 agent_tgid = 0;
/* Set by the agent before load: also report the ClientHellos of accepted TLS connections. */
const volatile __u32 capture_tls = 0;

/* ~25,000 events: with the agent draining every 100 ms, room for 250,000 receives/s */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 8 * 1024 * 1024);
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__type(key, __u32);
	__type(value, __u64);
	__uint(max_entries, STAT_MAX);
} stats SEC(".maps");

/*
 * What the program knows of a TCP connection (conn_id: the socket's address), one lookup per receive,
 * a mark:
 * - CONN_CLIENT: this host opened it with connect() (seen at CLOSE -> SYN_SENT). Its receives are
 *   responses to our own requests, never inbound requests, so they are dropped before any register or
 *   user-memory read (a loopback client would otherwise cost as much as its server). Sockets connected
 *   before the load are unknown and get the full check.
 * - fd + 1: it carried a request start, and that fd of the receiving process was checked to be this
 *   socket; later receives through that fd are all sent. (Below 2^30: no process has 2^30 files open.)
 * - CONN_H2 | fd + 1: the same, for a connection that began (or, after an h2c upgrade, went on) with
 *   the HTTP/2 preface: its receives are captured wide.
 * - CONN_TLS_HELLO | bytes due: its first receive started a TLS ClientHello record (capture_tls), of
 *   which that many bytes are still to come; they are sent as they arrive.
 * - CONN_TLS_READ: its hello record has been read; what follows is encrypted, and dropped as a
 *   client's receives are.
 * The kernel reuses a freed socket's address for the next socket, so an entry is removed when its
 * connection closes (raw_inet_sock_set_state); LRU eviction only bounds the map, and an evicted entry
 * only costs the full check again.
 */
#define CONN_CLIENT 0xffffffffU
#define CONN_TLS_READ 0xfffffffeU
#define CONN_TLS_HELLO 0x80000000U
#define CONN_H2 0x40000000U

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__type(key, __u64);
	__type(value, __u32);
	__uint(max_entries, 32768);
} connections SEC(".maps");

/* A receive between its entry and return hooks (kprobe and syscall tiers), by thread. */
struct pending_receive {
	unsigned long arg; /* kprobe tier: the struct sock; syscall tier: the syscall's second argument */
	__s32 fd;          /* syscall tier only */
	__s32 nr;          /* syscall tier only */
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__type(key, __u64);
	__type(value, struct pending_receive);
	__uint(max_entries, 16384);
} pending_receives SEC(".maps");

/* head (first bytes, little-endian as on every bpfel target) begins with token. */
static __always_inline bool head_is(__u64 head, const char *token, const int len)
{
	__u64 mask = len == 8 ? ~0ULL : (1ULL << (8 * len)) - 1;
	__u64 word = 0;

	for (int i = 0; i < len; i++)
		word |= (__u64)(__u8)token[i] << (8 * i);
	return (head & mask) == word;
}

#define HEAD_IS(head, token) head_is(head, token, sizeof(token) - 1)

/* The HTTP/2 connection preface, "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", as far as 8 bytes tell. */
#define H2_PREFACE_HEAD "PRI * HT"

static __always_inline bool starts_with_method(__u64 head)
{
	return HEAD_IS(head, "GET ") || HEAD_IS(head, "POST ") || HEAD_IS(head, "PUT ") ||
	       HEAD_IS(head, "DELETE ") || HEAD_IS(head, "HEAD ") || HEAD_IS(head, "PATCH ") ||
	       HEAD_IS(head, "OPTIONS ") || HEAD_IS(head, "CONNECT ") || HEAD_IS(head, "TRACE ");
}

/*
 * Where receive (or send) syscall nr, with second argument arg1, put the received bytes (took the sent
 * ones): read/recvfrom/write/sendto pass the buffer directly, readv/recvmsg/writev/sendmsg an iovec
 * array of which the first entry is used. room: bytes that buffer holds, as far as a capture can use
 * them (a direct buffer holds every byte the call moved). False for any other way in or out (io_uring,
 * splice, sendfile, kernel-internal calls).
 */
static __always_inline bool syscall_buffer(long nr, unsigned long arg1, const void **buf, __u64 *room)
{
	struct iovec *iovs;
	struct iovec first;

	if (nr == NR_READ || nr == NR_RECVFROM || nr == NR_WRITE || nr == NR_SENDTO) {
		*buf = (const void *)arg1;
		*room = TLS_CAPTURE_LEN;
		return true;
	}
	if (nr == NR_READV || nr == NR_WRITEV)
		iovs = (struct iovec *)arg1;
	else if (nr == NR_RECVMSG || nr == NR_SENDMSG)
		iovs = BPF_PROBE_READ_USER((struct user_msghdr *)arg1, msg_iov);
	else
		return false;
	if (bpf_probe_read_user(&first, sizeof(first), iovs))
		return false;
	*buf = first.iov_base;
	*room = first.iov_len;
	return true;
}

/* The first (up to) 8 received bytes; bytes beyond `received` are stale and masked off. */
static __always_inline __u64 read_head(const void *buf, __u32 received)
{
	__u64 head = 0;
	__u32 len = received < 8 ? received : 8;

	/* hides len's origin from clang, which otherwise drops the bound the verifier needs to see */
	barrier_var(len);
	if (len <= 8)
		bpf_probe_read_user(&head, len, buf);
	return head;
}

/*
 * noinline on purpose: as a BPF subprogram its signature keeps struct http_event in the object's BTF
 * (an event only reserved in the ring buffer has no BTF of its own), and the agent's HttpEvent layout
 * is generated from that BTF.
 */
static __noinline void read_endpoints(struct http_event *event, struct sock *sk)
{
	__u16 family = BPF_CORE_READ(sk, __sk_common.skc_family);

	if (family == AF_INET) {
		event->family = store_addr4(event->local_addr, BPF_CORE_READ(sk, __sk_common.skc_rcv_saddr));
		store_addr4(event->remote_addr, BPF_CORE_READ(sk, __sk_common.skc_daddr));
	} else {
		/* a dual-stack server's IPv4 clients show up v4-mapped here: stored as IPv4 */
		struct in6_addr local = BPF_CORE_READ(sk, __sk_common.skc_v6_rcv_saddr);
		struct in6_addr remote = BPF_CORE_READ(sk, __sk_common.skc_v6_daddr);

		event->family = store_addr6(event->local_addr, local.in6_u.u6_addr32);
		store_addr6(event->remote_addr, remote.in6_u.u6_addr32);
	}
	event->local_port = BPF_CORE_READ(sk, __sk_common.skc_num);
	event->remote_port = bpf_ntohs(BPF_CORE_READ(sk, __sk_common.skc_dport));
}

/*
 * A receive on sk that may carry an inbound request: TCP over IPv4/6, not a peek, not on a connection
 * this host opened, not after a TLS hello. *mark: the connection's mark (NULL if unknown).
 */
static __always_inline bool maybe_inbound(struct sock *sk, int recv_flags, __u32 **mark)
{
	__u64 conn_id = (__u64)sk;
	__u16 family;

	if ((recv_flags & MSG_PEEK) || !sk || BPF_CORE_READ(sk, sk_protocol) != IPPROTO_TCP)
		return false;
	family = BPF_CORE_READ(sk, __sk_common.skc_family);
	if (family != AF_INET && family != AF_INET6)
		return false;
	*mark = bpf_map_lookup_elem(&connections, &conn_id);
	return !*mark || **mark < CONN_TLS_READ;
}

/*
 * The length, header included, of the TLS record head starts, if it starts a ClientHello: a handshake
 * record (type 22, version 3.0-3.4, 1 to 2^14 + 2048 bytes) whose first byte, when this receive holds
 * it, is handshake type 1. OpenSSL servers read a record's 5-byte header by itself, so the type is
 * often not there; the agent checks it. 0 if not.
 */
static __always_inline __u32 tls_hello_record(__u64 head, int received)
{
	__u32 length = ((head >> 16) & 0xff00) | ((head >> 32) & 0xff);

	if (received < 5 || (head & 0xffff) != 0x0316 || ((head >> 16) & 0xff) > 4 || length == 0 ||
	    length > 16384 + 2048 || (received >= 6 && ((head >> 40) & 0xff) != 1))
		return 0;
	return length + 5;
}

/* The mark of a connection whose first TLS record is `due` bytes from complete after `received` more. */
static __always_inline __u32 tls_hello_mark(__u32 due, int received)
{
	return (__u32)received >= due ? CONN_TLS_READ : CONN_TLS_HELLO | (due - (__u32)received);
}

/* Copies len (1..cap, cap a power of two) bytes of buf to data; returns the bytes copied (0 on a fault). */
static __always_inline __u32 copy_received(__u8 *data, const void *buf, __u32 len, const __u32 cap)
{
	/*
	 * clang folds the length's bounds into compares that the verifiers of Linux 5.10-6.12 do not carry
	 * back to len ("R2 min value is negative" at the read below, on 6.1's fentry tier). A mask they
	 * track bounds it again; it changes no length from 1 to cap, and the barrier keeps clang, which
	 * knows that, from dropping it.
	 */
	barrier_var(len);
	len = ((len - 1) & (cap - 1)) + 1;
	return bpf_probe_read_user(data, len, buf) ? 0 : len;
}

/* Fills the rest of a reserved event and submits it. */
static __always_inline void fill_event(struct http_event *event, struct sock *sk, enum capture_kind kind,
				       __u32 captured, int bytes)
{
	event->captured = captured;
	event->kind = kind;
	event->conn_id = (__u64)sk;
	event->ktime = bpf_ktime_get_ns();
	read_endpoints(event, sk);
	event->bytes = bytes;
	read_process_comm(event->comm);
	/* The agent drains every 100 ms: waking it per event would only cost the receiving thread. */
	bpf_ringbuf_submit(event, BPF_RB_NO_WAKEUP);
}

/*
 * A server-side receive of `received` bytes through fd on sk (mark, as maybe_inbound gave it)
 * into buf, which holds room bytes: sends an http_event if it starts a request or continues a
 * connection that did, or (capture_tls) if it is part of an accepted connection's first TLS record.
 */
static __always_inline int capture_receive(struct sock *sk, __u32 *mark, int fd, const void *buf,
					   __u64 room, int received)
{
	__u64 conn_id = (__u64)sk;
	enum capture_kind kind = CAPTURE_HTTP;
	struct http_event *event;
	bool wide;
	__u32 len;

	if (received <= 0)
		return 0;
	if (mark && (*mark & ~CONN_H2) == (__u32)fd + 1) {
		wide = *mark & CONN_H2;
	} else {
		/* Not (yet) a checked HTTP connection: only a request start makes it one, and only a TLS
		 * record header a hello one. The fd must be this very socket, not some other one; the HTTP
		 * mark caches that check, so socket_of_fd's pointer walk runs once per connection instead of
		 * once per receive. The agent's own connections are never marked, so its receives are told
		 * apart here, off the checked connections' path. */
		__u32 next;

		if (mark && *mark >= CONN_TLS_HELLO) {
			/* (maybe_inbound let no CONN_CLIENT or CONN_TLS_READ through) */
			next = tls_hello_mark(*mark & ~CONN_TLS_HELLO, received);
			kind = CAPTURE_TLS_HELLO;
		} else {
			__u64 head = read_head(buf, received);
			__u32 record;

			if (starts_with_method(head)) {
				next = (__u32)fd + 1;
			} else if (HEAD_IS(head, H2_PREFACE_HEAD)) {
				next = ((__u32)fd + 1) | CONN_H2;
			} else if (capture_tls && (record = tls_hello_record(head, received))) {
				next = tls_hello_mark(record, received);
				kind = CAPTURE_TLS_HELLO;
			} else {
				return 0;
			}
			if (is_agent(agent_ns_tgid, agent_pidns_inum, &agent_tgid))
				return 0;
		}
		struct socket *sock = socket_of_fd(fd);

		if (!sock || (__u64)BPF_CORE_READ(sock, sk) != conn_id)
			return 0;
		bpf_map_update_elem(&connections, &conn_id, &next, BPF_ANY);
		wide = kind == CAPTURE_TLS_HELLO || (next & CONN_H2 && next < CONN_TLS_HELLO);
		mark = NULL;
	}

	len = received;
	if (room < len)
		len = room;
	if (wide && len > HTTP_CAPTURE_LEN) {
		if (len > TLS_CAPTURE_LEN)
			len = TLS_CAPTURE_LEN;
		event = bpf_ringbuf_reserve(&events, sizeof(*event) - HTTP_CAPTURE_LEN + TLS_CAPTURE_LEN, 0);
		if (event)
			len = copy_received(event->data, buf, len, TLS_CAPTURE_LEN);
	} else {
		if (len > HTTP_CAPTURE_LEN)
			len = HTTP_CAPTURE_LEN;
		event = bpf_ringbuf_reserve(&events, sizeof(*event), 0);
		/* One user-memory read per receive on a checked connection; the agent reads `captured` bytes only. */
		if (event)
			len = len ? copy_received(event->data, buf, len, HTTP_CAPTURE_LEN) : 0;
	}
	if (!event) {
		count_stat(&stats, STAT_LOST);
		return 0;
	}
	/* An h2c upgrade: the preface comes on a connection already marked, after the 101 response. The
	 * copied bytes tell, so receives on HTTP/1.x connections pay no extra read for it. */
	if (mark && !wide && len >= 8 && HEAD_IS(*(__u64 *)event->data, H2_PREFACE_HEAD))
		*mark |= CONN_H2;
	fill_event(event, sk, kind, len, received);
	return 0;
}

/* A receive returned `received` on sk: the buffer and fd come from the syscall's saved registers. */
static __always_inline int capture_from_registers(struct sock *sk, __u32 *mark, int received)
{
	struct pt_regs *regs;
	const void *buf;
	__u64 room;

	if (received <= 0)
		return 0;
	regs = current_user_regs();
	if (!regs || !syscall_buffer(syscall_nr(regs), syscall_arg1(regs), &buf, &room))
		return 0;
	return capture_receive(sk, mark, (int)syscall_arg0(regs), buf, room, received);
}

/*
 * The mark of sk if it is a checked inbound HTTP connection: only those have responses to report. The
 * one lookup every send on the node pays while the response programs are attached.
 */
static __always_inline __u32 *http_connection(struct sock *sk)
{
	__u64 conn_id = (__u64)sk;
	__u32 *mark;

	if (!sk)
		return NULL;
	mark = bpf_map_lookup_elem(&connections, &conn_id);
	return mark && *mark < CONN_TLS_HELLO ? mark : NULL;
}

/*
 * A send on an HTTP/1.x connection of up to `sent` bytes from buf (room bytes usable): reported if it
 * starts a status line, the start of a response (an interim 100 Continue too: the agent tells them apart).
 */
static __always_inline int capture_status_line(struct sock *sk, const void *buf, __u64 room, __s64 sent)
{
	struct http_event *event;
	__u32 len;

	len = sent < RESPONSE_CAPTURE_LEN ? sent : RESPONSE_CAPTURE_LEN;
	if (room < len)
		len = room;
	if (!HEAD_IS(read_head(buf, len), "HTTP/1."))
		return 0;
	/* the whole struct, though only RESPONSE_CAPTURE_LEN bytes of data are used: the agent takes no
	 * record shorter than the struct (a layout mismatch would show as one) */
	event = bpf_ringbuf_reserve(&events, sizeof(*event), 0);
	if (!event) {
		count_stat(&stats, STAT_LOST);
		return 0;
	}
	fill_event(event, sk, CAPTURE_RESPONSE, copy_received(event->data, buf, len, RESPONSE_CAPTURE_LEN),
		   sent > 0x7fffffff ? 0x7fffffff : (int)sent);
	return 0;
}

/*
 * HTTP/2 sends are reported buffer by buffer: a server writes many responses' frames at once (grpc-java
 * and nginx gather them with writev), and the agent follows the stream of frames by their lengths, so
 * every buffer's event tells how many bytes it held beside the ones captured. A send with more than
 * H2_SEND_BUFFERS buffers has the rest counted in its last event, unseen.
 */
#define H2_SEND_BUFFERS 64
/* `sent` of a syscall-tier writev or sendmsg: its length is the sum of its buffers', read with them */
#define SENT_BY_IOVECS (1LL << 40)
/* report_h2_buffer's shape: buffers << 2 | these */
#define H2_DIRECT 1 /* vec is the one buffer itself (write, sendto) */
#define H2_KNOWN 2  /* sent is the send's length (else the buffers' lengths are taken) */

/*
 * Reports buffer i of an HTTP/2 send of `sent` bytes from vec (an iovec array, or the buffer itself;
 * 0: none readable, as for sendfile) on sock. Returns the bytes of the send left after it, or 0 when it
 * was the last one reported. Global, not static, on purpose: the verifier checks a global function once,
 * by itself, so the caller's loop over H2_SEND_BUFFERS costs one call each to verify, not one body each
 * (which exceeds the verifier's limits on the older kernels).
 */
__noinline long report_h2_buffer(__u64 sock, __u64 vec, __u32 i, __s64 sent, __u64 shape)
{
	struct sock *sk = (struct sock *)sock;
	__u64 buffers = shape >> 2;
	struct http_event *event;
	const void *buf = NULL;
	struct iovec iov;
	__u32 copied = 0;
	__s64 len = sent;
	__s64 bytes;
	bool last;

	if (sent <= 0)
		return 0;
	if (shape & H2_DIRECT) {
		buf = (const void *)vec;
	} else if (vec) {
		if (bpf_probe_read_user(&iov, sizeof(iov), (const void *)(vec + (__u64)i * sizeof(iov))))
			return 0;
		buf = iov.iov_base;
		len = iov.iov_len;
	}
	last = i + 1 >= buffers || i + 1 >= H2_SEND_BUFFERS;
	if (shape & H2_KNOWN) {
		if (len > sent)
			len = sent;
		bytes = last ? sent : len;
	} else {
		bytes = last && buffers > H2_SEND_BUFFERS ? 0x7fffffff : len;
	}
	if (bytes <= 0)
		return last ? 0 : sent;
	/*
	 * A small event for a small buffer, and for every buffer of a gathered send: a server that gathers
	 * writes each frame's header, header block and payload in buffers of their own (grpc-java, nginx),
	 * so a payload's bytes past the capture only need counting, and at 4 KB per buffer the ring would
	 * fill between drains. A single buffer (write, sendto) holds frames back to back (Go's 4 KB writer):
	 * captured wide. Each reservation is checked at once: the verifiers of Linux 5.10 and 6.1 lose a
	 * null check the compiler hoists out of the two branches ("Unreleased reference").
	 */
	if (!buf || len <= HTTP_CAPTURE_LEN || !(shape & H2_DIRECT)) {
		event = bpf_ringbuf_reserve(&events, sizeof(*event), 0);
		if (!event)
			goto lost;
		if (buf && len > 0)
			copied = copy_received(event->data, buf, len < HTTP_CAPTURE_LEN ? len : HTTP_CAPTURE_LEN, HTTP_CAPTURE_LEN);
	} else {
		event = bpf_ringbuf_reserve(&events, sizeof(*event) - HTTP_CAPTURE_LEN + TLS_CAPTURE_LEN, 0);
		if (!event)
			goto lost;
		copied = copy_received(event->data, buf, len < TLS_CAPTURE_LEN ? len : TLS_CAPTURE_LEN, TLS_CAPTURE_LEN);
	}
	fill_event(event, sk, CAPTURE_H2_SEND, copied, bytes > 0x7fffffff ? 0x7fffffff : (int)bytes);
	return last ? 0 : sent - len;
lost:
	count_stat(&stats, STAT_LOST);
	return 0;
}

/* A send of up to `sent` bytes on an HTTP/2 connection by syscall nr with arguments arg1 and arg2. */
static __always_inline int capture_h2_send(struct sock *sk, long nr, unsigned long arg1, unsigned long arg2, __s64 sent)
{
	__u64 shape = sent == SENT_BY_IOVECS ? 0 : H2_KNOWN;
	__u64 vec = 0;
	__u64 buffers = 1;

	if (nr == NR_WRITE || nr == NR_SENDTO) {
		vec = arg1;
		shape |= H2_DIRECT;
	} else if (nr == NR_WRITEV) {
		vec = arg1;
		buffers = arg2;
	} else if (nr == NR_SENDMSG) {
		struct user_msghdr msg;

		if (bpf_probe_read_user(&msg, sizeof(msg), (const void *)arg1))
			return 0;
		vec = (__u64)msg.msg_iov;
		buffers = msg.msg_iovlen;
	} else if (!(shape & H2_KNOWN)) {
		return 0;
	}
	/* (any other way out, sendfile, splice: one event of `sent` bytes, none of them seen) */
	if (buffers == 0)
		return 0;
	shape |= (buffers > H2_SEND_BUFFERS + 1 ? H2_SEND_BUFFERS + 1 : buffers) << 2;
	for (__u32 i = 0; i < H2_SEND_BUFFERS; i++) {
		sent = report_h2_buffer((__u64)sk, vec, i, sent, shape);
		if (sent <= 0)
			break;
	}
	return 0;
}

/*
 * A send of up to `sent` bytes by syscall nr with these arguments (fd first) on sk, a checked HTTP
 * connection with that mark. Through the fd the requests came in by only, as for receives.
 */
static __always_inline int capture_send(struct sock *sk, __u32 *mark, long nr, unsigned long arg0, unsigned long arg1,
					unsigned long arg2, __s64 sent)
{
	const void *buf;
	__u64 room;

	if (sent <= 0 || (*mark & ~CONN_H2) != (__u32)arg0 + 1)
		return 0;
	if (*mark & CONN_H2)
		return capture_h2_send(sk, nr, arg1, arg2, sent);
	if (!syscall_buffer(nr, arg1, &buf, &room))
		return 0;
	return capture_status_line(sk, buf, room, sent);
}

/* A send on sk of up to `sent` bytes: the syscall and its arguments come from the saved registers. */
static __always_inline int send_from_registers(struct sock *sk, __s64 sent)
{
	__u32 *mark = http_connection(sk);
	struct pt_regs *regs;

	if (!mark || sent <= 0)
		return 0;
	regs = current_user_regs();
	if (!regs)
		return 0;
	return capture_send(sk, mark, syscall_nr(regs), syscall_arg0(regs), syscall_arg1(regs), syscall_arg2(regs), sent);
}

/* ------------------------------------------------------------------ tier sock_tracepoint (6.3+) */

/*
 * A raw tracepoint, not the classic one: it skips formatting the tracepoint's record, which costs
 * more than the rest of this program on every socket receive of the node. Its arguments are
 * sock_recv_length's TP_PROTO(struct sock *sk, int ret, int flags).
 */
SEC("raw_tracepoint/sock_recv_length")
int BPF_PROG(raw_sock_recv_length, struct sock *sk, int received, int recv_flags)
{
	__u32 *mark;

	if (received <= 0 || !maybe_inbound(sk, recv_flags, &mark))
		return 0;
	return capture_from_registers(sk, mark, received);
}

/* Its arguments are sock_send_length's TP_PROTO(struct sock *sk, int ret, int flags). */
SEC("raw_tracepoint/sock_send_length")
int BPF_PROG(raw_sock_send_length, struct sock *sk, int sent, int send_flags)
{
	return send_from_registers(sk, sent);
}

/* ------------------------------------------------------------------- tier fentry (before 6.3) */

struct msghdr; /* in the functions' signatures, never read */

static __always_inline int receive_returned(struct socket *sock, int recv_flags, int received)
{
	struct sock *sk = BPF_CORE_READ(sock, sk);
	__u32 *mark;

	if (received <= 0 || !maybe_inbound(sk, recv_flags, &mark))
		return 0;
	return capture_from_registers(sk, mark, received);
}

SEC("fexit/inet_recvmsg")
int BPF_PROG(fexit_inet_recvmsg, struct socket *sock, struct msghdr *msg, size_t size, int recv_flags, int received)
{
	return receive_returned(sock, recv_flags, received);
}

SEC("fexit/inet6_recvmsg")
int BPF_PROG(fexit_inet6_recvmsg, struct socket *sock, struct msghdr *msg, size_t size, int recv_flags, int received)
{
	return receive_returned(sock, recv_flags, received);
}

/* At the send's start (fexit would wait for a blocking send to finish): size is what it asks to send. */
SEC("fentry/inet_sendmsg")
int BPF_PROG(fentry_inet_sendmsg, struct socket *sock, struct msghdr *msg, size_t size)
{
	return send_from_registers(BPF_CORE_READ(sock, sk), size);
}

SEC("fentry/inet6_sendmsg")
int BPF_PROG(fentry_inet6_sendmsg, struct socket *sock, struct msghdr *msg, size_t size)
{
	return send_from_registers(BPF_CORE_READ(sock, sk), size);
}

/* --------------------------------------------------------------------------------- tier kprobe */

static __always_inline int receive_entered(struct socket *sock, int recv_flags)
{
	struct pending_receive call = { .arg = (unsigned long)BPF_CORE_READ(sock, sk) };
	__u64 thread = bpf_get_current_pid_tgid();
	__u32 *mark;

	if (!maybe_inbound((struct sock *)call.arg, recv_flags, &mark))
		return 0;
	bpf_map_update_elem(&pending_receives, &thread, &call, BPF_ANY);
	return 0;
}

static __always_inline int receive_exited(int received)
{
	__u64 thread = bpf_get_current_pid_tgid();
	struct pending_receive *saved = bpf_map_lookup_elem(&pending_receives, &thread);
	__u32 *mark;
	struct sock *sk;

	if (!saved)
		return 0;
	sk = (struct sock *)saved->arg;
	bpf_map_delete_elem(&pending_receives, &thread);
	/* looked up again: the mark may have changed while the receive blocked */
	if (!maybe_inbound(sk, 0, &mark))
		return 0;
	return capture_from_registers(sk, mark, received);
}

SEC("kprobe/inet_recvmsg")
int BPF_KPROBE(kprobe_inet_recvmsg, struct socket *sock, struct msghdr *msg, size_t size, int recv_flags)
{
	return receive_entered(sock, recv_flags);
}

SEC("kprobe/inet6_recvmsg")
int BPF_KPROBE(kprobe_inet6_recvmsg, struct socket *sock, struct msghdr *msg, size_t size, int recv_flags)
{
	return receive_entered(sock, recv_flags);
}

SEC("kretprobe/inet_recvmsg")
int BPF_KRETPROBE(kretprobe_inet_recvmsg, int received)
{
	return receive_exited(received);
}

SEC("kretprobe/inet6_recvmsg")
int BPF_KRETPROBE(kretprobe_inet6_recvmsg, int received)
{
	return receive_exited(received);
}

SEC("kprobe/inet_sendmsg")
int BPF_KPROBE(kprobe_inet_sendmsg, struct socket *sock, struct msghdr *msg, size_t size)
{
	return send_from_registers(BPF_CORE_READ(sock, sk), size);
}

SEC("kprobe/inet6_sendmsg")
int BPF_KPROBE(kprobe_inet6_sendmsg, struct socket *sock, struct msghdr *msg, size_t size)
{
	return send_from_registers(BPF_CORE_READ(sock, sk), size);
}

/* ----------------------------------------------------------------------- tier syscall_tracepoint */

static __always_inline int syscall_entered(struct trace_event_raw_sys_enter *ctx, long nr, long recv_flags)
{
	__u64 thread = bpf_get_current_pid_tgid();
	struct pending_receive call = { .arg = ctx->args[1], .fd = (__s32)ctx->args[0], .nr = nr };

	if (recv_flags & MSG_PEEK)
		return 0;
	bpf_map_update_elem(&pending_receives, &thread, &call, BPF_ANY);
	return 0;
}

static __always_inline int syscall_exited(struct trace_event_raw_sys_exit *ctx)
{
	__u64 thread = bpf_get_current_pid_tgid();
	struct pending_receive *saved = bpf_map_lookup_elem(&pending_receives, &thread);
	struct pending_receive call;
	int received = ctx->ret;
	__u32 *mark;
	struct socket *sock;
	const void *buf;
	__u64 room;

	if (!saved)
		return 0;
	call = *saved;
	bpf_map_delete_elem(&pending_receives, &thread);
	if (received <= 0)
		return 0;
	sock = socket_of_fd(call.fd);
	if (!sock)
		return 0;
	struct sock *sk = BPF_CORE_READ(sock, sk);

	if (!maybe_inbound(sk, 0, &mark) || !syscall_buffer(call.nr, call.arg, &buf, &room))
		return 0;
	return capture_receive(sk, mark, call.fd, buf, room, received);
}

SEC("tracepoint/syscalls/sys_enter_read")
int tp_sys_enter_read(struct trace_event_raw_sys_enter *ctx)
{
	return syscall_entered(ctx, NR_READ, 0);
}

SEC("tracepoint/syscalls/sys_enter_readv")
int tp_sys_enter_readv(struct trace_event_raw_sys_enter *ctx)
{
	return syscall_entered(ctx, NR_READV, 0);
}

SEC("tracepoint/syscalls/sys_enter_recvfrom")
int tp_sys_enter_recvfrom(struct trace_event_raw_sys_enter *ctx)
{
	return syscall_entered(ctx, NR_RECVFROM, ctx->args[3]);
}

SEC("tracepoint/syscalls/sys_enter_recvmsg")
int tp_sys_enter_recvmsg(struct trace_event_raw_sys_enter *ctx)
{
	return syscall_entered(ctx, NR_RECVMSG, ctx->args[2]);
}

SEC("tracepoint/syscalls/sys_exit_read")
int tp_sys_exit_read(struct trace_event_raw_sys_exit *ctx)
{
	return syscall_exited(ctx);
}

SEC("tracepoint/syscalls/sys_exit_readv")
int tp_sys_exit_readv(struct trace_event_raw_sys_exit *ctx)
{
	return syscall_exited(ctx);
}

SEC("tracepoint/syscalls/sys_exit_recvfrom")
int tp_sys_exit_recvfrom(struct trace_event_raw_sys_exit *ctx)
{
	return syscall_exited(ctx);
}

SEC("tracepoint/syscalls/sys_exit_recvmsg")
int tp_sys_exit_recvmsg(struct trace_event_raw_sys_exit *ctx)
{
	return syscall_exited(ctx);
}

/*
 * A send syscall nr entered with these arguments: fd, buffer (or iovec/msghdr), and for write and sendto
 * the length. Every write on the node, files included, pays the fd-to-socket walk here, as every read
 * does on exit: the price of the last-resort tier.
 */
static __always_inline int send_entered(struct trace_event_raw_sys_enter *ctx, long nr, __s64 sent)
{
	struct socket *sock = socket_of_fd((int)ctx->args[0]);
	struct sock *sk;
	__u32 *mark;

	if (!sock)
		return 0;
	sk = BPF_CORE_READ(sock, sk);
	mark = http_connection(sk);
	if (!mark)
		return 0;
	return capture_send(sk, mark, nr, ctx->args[0], ctx->args[1], ctx->args[2], sent);
}

SEC("tracepoint/syscalls/sys_enter_write")
int tp_sys_enter_write(struct trace_event_raw_sys_enter *ctx)
{
	return send_entered(ctx, NR_WRITE, ctx->args[2]);
}

/* writev and sendmsg: the length is the buffers' (a status line is in the first) */
SEC("tracepoint/syscalls/sys_enter_writev")
int tp_sys_enter_writev(struct trace_event_raw_sys_enter *ctx)
{
	return send_entered(ctx, NR_WRITEV, SENT_BY_IOVECS);
}

SEC("tracepoint/syscalls/sys_enter_sendto")
int tp_sys_enter_sendto(struct trace_event_raw_sys_enter *ctx)
{
	return send_entered(ctx, NR_SENDTO, ctx->args[2]);
}

SEC("tracepoint/syscalls/sys_enter_sendmsg")
int tp_sys_enter_sendmsg(struct trace_event_raw_sys_enter *ctx)
{
	return send_entered(ctx, NR_SENDMSG, SENT_BY_IOVECS);
}

/* ------------------------------------------------------------------------------- every tier */

/*
 * CLOSE -> SYN_SENT is an active open (the connecting side): remember it as a client. Every TCP socket
 * passes through TCP_CLOSE before it is freed: forget it there, since its address is reused. A raw
 * tracepoint, like sock_recv_length: a loopback connection changes state ten times between its two
 * ends, and the classic tracepoint would format a record each time only for the states to be compared.
 * Its arguments are TP_PROTO(const struct sock *sk, const int oldstate, const int newstate).
 */
SEC("raw_tracepoint/inet_sock_set_state")
int BPF_PROG(raw_inet_sock_set_state, struct sock *sk, int oldstate, int newstate)
{
	__u64 conn_id = (__u64)sk;
	__u32 client = CONN_CLIENT;

	if (newstate == TCP_SYN_SENT) {
		if (oldstate == TCP_CLOSE && BPF_CORE_READ(sk, sk_protocol) == IPPROTO_TCP)
			bpf_map_update_elem(&connections, &conn_id, &client, BPF_ANY);
	} else if (newstate == TCP_CLOSE) {
		/* any protocol's: only TCP sockets are ever in the map */
		bpf_map_delete_elem(&connections, &conn_id);
	}
	return 0;
}
