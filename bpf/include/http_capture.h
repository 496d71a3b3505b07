/*
 * What the HTTP objects share; they differ only in how they learn of a receive:
 * http.bpf.c (Linux 6.3+: raw tracepoint sock_recv_length), http_kernel_functions.bpf.c (fexit or
 * kprobe on inet_recvmsg/inet6_recvmsg) and http_syscalls.bpf.c (syscall tracepoints). One http_event per receive
 * that starts with an HTTP method token, and per later receive on such a connection (so the agent can
 * follow bodies and keep-alive requests), unless it repeats an armed request (http_repeats.h). A client
 * reading a response ("HTTP/1.1 200 ...") neither starts with a method nor is on a marked connection,
 * so it is not sent; a client whose connect() the agent saw is dropped before any of that.
 *
 * Include after vmlinux.h and the bpf headers, once the object has defined
 *   SK_READ(dst, sk, field)  how it reads a struct sock field (a plain load through a BTF pointer, or
 *                            BPF_CORE_READ_INTO where the object has no such pointer), and
 *   READ_PROCESS_NAME(comm)  read_process_name or read_process_comm (process.h).
 */
#ifndef HTTP_CAPTURE_H
#define HTTP_CAPTURE_H

#include "fd_socket.h"
#include "http_event.h"
#include "inet_addr.h"
#include "process.h"
#include "syscall_regs.h"

char LICENSE[] SEC("license") = "GPL"; /* bpf_probe_read_* are GPL-only helpers */

#define MSG_PEEK 2 /* a peek is read again later: count the real read only */

/* Set by the agent before load: its own receives (e.g. scrapes of its metrics endpoint) are skipped. */
const volatile __u32 agent_tgid = 0;

/* ~25,000 events: with the agent draining every 100 ms, room for 250,000 receives/s */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 8 * 1024 * 1024);
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__type(key, __u32);
	__type(value, __u64);
	__uint(max_entries, HTTP_STAT_MAX);
} stats SEC(".maps");

/*
 * What the program knows of a TCP connection (conn_id: the socket's address), one lookup per receive
 * unless the receive is a known client's or repeats a checked arm (server_side). mark is
 * - CONN_CLIENT: this host opened it with connect() (seen at CLOSE -> SYN_SENT). Its receives are
 *   responses to our own requests, never inbound requests, so they are dropped before any register or
 *   user-memory read (a loopback client would otherwise cost as much as its server). Sockets connected
 *   before the load are unknown and get the full check.
 * - fd + 1: it carried a request start, and that fd of the receiving process was checked to be this
 *   socket; later receives on it are all sent (bodies, keep-alive and pipelined requests), unless
 *   they repeat an armed request (http_repeats.h).
 * The kernel reuses a freed socket's address for the next socket, so an entry is removed when its
 * connection closes (track_connection_state); LRU eviction only bounds the map, and an evicted entry
 * only costs the full check again.
 */
#define CONN_CLIENT 0xffffffffU

struct connection {
	__u32 mark; /* CONN_CLIENT or fd + 1 */
	__u32 sent; /* events sent for it: the last one's http_event.seq */
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__type(key, __u64);
	__type(value, struct connection);
	__uint(max_entries, 32768);
} connections SEC(".maps");

/* A connection's elements in the direct-mapped arrays (client_slots, repeat_arms): where its conn_id
 * hashes to (Fibonacci hashing of the socket's address; the agent hashes alike). */
#define CONN_INDEX_BITS 12
#define CONN_INDEXES (1 << CONN_INDEX_BITS)

static __always_inline __u32 conn_index(__u64 conn_id)
{
	return (conn_id * 0x9E3779B97F4A7C15ULL) >> (64 - CONN_INDEX_BITS);
}

/*
 * Clients are also kept at their index here, so that a client's receive (on loopback, every other
 * receive of its server's) is dropped after one load, without a lookup in `connections`. One word per
 * index, so no reader sees half an entry: a conn_id here is always a live client (stored at its
 * connect, removed at its close). When two clients hash alike, the one not here is found in
 * `connections`, which holds every client.
 */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, __u64);
	__uint(max_entries, CONN_INDEXES);
} client_slots SEC(".maps");

static __always_inline __u64 *client_slot(__u64 conn_id)
{
	__u32 index = conn_index(conn_id);

	return bpf_map_lookup_elem(&client_slots, &index);
}

#include "http_repeats.h"

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

static __always_inline bool starts_with_method(__u64 head)
{
	return HEAD_IS(head, "GET ") || HEAD_IS(head, "POST ") || HEAD_IS(head, "PUT ") ||
	       HEAD_IS(head, "DELETE ") || HEAD_IS(head, "HEAD ") || HEAD_IS(head, "PATCH ") ||
	       HEAD_IS(head, "OPTIONS ") || HEAD_IS(head, "CONNECT ") || HEAD_IS(head, "TRACE ");
}

/*
 * Where receive syscall nr (with second argument arg1) put the received bytes: read/recvfrom pass the
 * buffer directly, readv/recvmsg an iovec array of which the first entry is used. room: bytes that
 * buffer holds. False for any other way in (io_uring, splice, kernel-internal receives).
 */
static __always_inline bool receive_buffer(long nr, unsigned long arg1, const void **buf, __u64 *room)
{
	struct iovec *iovs;
	struct iovec first;

	if (nr == NR_READ || nr == NR_RECVFROM) {
		*buf = (const void *)arg1;
		*room = HTTP_CAPTURE_LEN;
		return true;
	}
	if (nr == NR_READV)
		iovs = (struct iovec *)arg1;
	else if (nr == NR_RECVMSG)
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

/* The first (up to) 8 of the len bytes already copied to data; later bytes are not this receive's. */
static __always_inline __u64 captured_head(const __u8 *data, __u32 len)
{
	__u64 head = *(const __u64 *)data;

	return len >= 8 ? head : head & ((1ULL << (8 * len)) - 1);
}

/*
 * noinline on purpose: as a BPF subprogram its signature keeps struct http_event in the object's BTF
 * (an event only reserved in the ring buffer has no BTF of its own), and the agent's HttpEvent record
 * is generated from that BTF.
 */
static __noinline void read_endpoints(struct http_event *event, struct sock *sk)
{
	__u16 family, local_port;
	__be16 remote_port;

	SK_READ(family, sk, __sk_common.skc_family);
	if (family == AF_INET) {
		__be32 local, remote;

		SK_READ(local, sk, __sk_common.skc_rcv_saddr);
		SK_READ(remote, sk, __sk_common.skc_daddr);
		event->family = store_addr4(event->local_addr, local);
		store_addr4(event->remote_addr, remote);
	} else {
		/* a dual-stack server's IPv4 clients show up v4-mapped here: stored as IPv4 */
		struct in6_addr local, remote;

		SK_READ(local, sk, __sk_common.skc_v6_rcv_saddr);
		SK_READ(remote, sk, __sk_common.skc_v6_daddr);
		event->family = store_addr6(event->local_addr, local.in6_u.u6_addr32);
		store_addr6(event->remote_addr, remote.in6_u.u6_addr32);
	}
	SK_READ(local_port, sk, __sk_common.skc_num);
	SK_READ(remote_port, sk, __sk_common.skc_dport);
	event->local_port = local_port;
	event->remote_port = bpf_ntohs(remote_port);
}

static __always_inline void count_lost(void)
{
	__u32 index = HTTP_STAT_LOST;
	__u64 *value = bpf_map_lookup_elem(&stats, &index);

	if (value)
		*value += 1;
}

/* The connection's entry in `connections`, or NULL when it is unknown. */
static __always_inline struct connection *connection_of(__u64 conn_id)
{
	return bpf_map_lookup_elem(&connections, &conn_id);
}

static __always_inline bool is_client(const struct connection *conn)
{
	return conn && conn->mark == CONN_CLIENT;
}

/*
 * What a receive on conn_id needs before its registers and bytes are read; false for a client's
 * receive, which is skipped. *arm: the connection's checked arm, if it has one; else *conn: its entry
 * in `connections` (NULL if unknown). Ordered so that the two commonest receives on a busy server
 * cost no hash-map lookup: a client's (client_slots) and a repeated request's (the arm).
 */
static __always_inline bool server_side(__u64 conn_id, struct connection **conn, struct repeat_arm **arm)
{
	__u64 *client = client_slot(conn_id);

	if (client && *client == conn_id)
		return false;
	*conn = NULL;
	*arm = checked_arm(conn_id);
	if (*arm)
		return true;
	*conn = connection_of(conn_id);
	return !is_client(*conn);
}

/*
 * A server-side receive of `received` bytes through fd on sk (conn_id; conn and arm as server_side
 * gave them) into buf, which holds room bytes: sends an http_event if it starts a request or continues
 * a connection that did, unless it repeats the connection's armed request.
 */
static __always_inline int capture_receive(struct sock *sk, __u64 conn_id, struct connection *conn,
					   struct repeat_arm *arm, int fd, const void *buf, __u64 room, int received)
{
	struct http_event *event;
	__u8 flags = 0;
	__u32 len;

	if (arm) {
		if (repeats_checked(arm, sk, fd, buf, received))
			return 0;
		conn = connection_of(conn_id);
	}
	if (!conn || conn->mark != (__u32)fd + 1) {
		/* Not (yet) a checked HTTP connection: only a request start makes it one. The fd must be this
		 * very socket, not some other one; the mark caches that check, so socket_of_fd's pointer walk
		 * runs once per connection instead of once per receive. The agent's own connections are
		 * never marked, so its receives are told apart here, off the checked connections' path. */
		if (agent_tgid && current_tgid() == agent_tgid)
			return 0;
		if (!starts_with_method(read_head(buf, received)))
			return 0;
		struct socket *sock = socket_of_fd(fd);

		if (!sock || (__u64)BPF_CORE_READ(sock, sk) != conn_id)
			return 0;
		struct connection checked = { .mark = (__u32)fd + 1 };

		bpf_map_update_elem(&connections, &conn_id, &checked, BPF_ANY);
		conn = connection_of(conn_id);
		forget_arm(conn_id);
	} else if (repeats_armed(sk, conn_id, conn, fd, buf, received)) {
		return 0;
	}

	event = bpf_ringbuf_reserve(&events, sizeof(*event), 0);
	if (!event) {
		count_lost();
		return 0;
	}
	len = received;
	if (len > room)
		len = room;
	if (len > HTTP_CAPTURE_LEN)
		len = HTTP_CAPTURE_LEN;
	/* One user-memory read per receive on a checked connection; the agent reads `captured` bytes only. */
	if (bpf_probe_read_user(event->data, len, buf))
		len = 0;
	event->captured = len;
	if (starts_with_method(captured_head(event->data, len)))
		flags |= HTTP_FLAG_REQUEST_START;
	event->conn_id = conn_id;
	read_endpoints(event, sk);
	event->flags = flags;
	/* 0 only if the entry was evicted in between: the agent never arms against seq 0. An atomic add,
	 * then a read, not one fetching add: that needs Linux 5.12, and the older kernels' tiers load on 5.8. */
	event->seq = 0;
	if (conn) {
		__sync_fetch_and_add(&conn->sent, 1);
		event->seq = conn->sent;
	}
	event->bytes = received;
	READ_PROCESS_NAME(event->comm);
	/* The agent drains every 100 ms: waking it per event would only cost the receiving thread. */
	bpf_ringbuf_submit(event, BPF_RB_NO_WAKEUP);
	return 0;
}

/*
 * For tracepoint sock:inet_sock_set_state. CLOSE -> SYN_SENT is an active open (the connecting side):
 * remember it as a client. Every TCP socket passes through TCP_CLOSE before it is freed: forget it
 * there, since its address is reused.
 */
static __always_inline int track_connection_state(struct trace_event_raw_inet_sock_set_state *ctx)
{
	__u64 conn_id = (__u64)ctx->skaddr;
	struct connection client = { .mark = CONN_CLIENT };
	__u64 *slot;

	if (ctx->protocol != IPPROTO_TCP)
		return 0;
	slot = client_slot(conn_id);
	if (ctx->oldstate == TCP_CLOSE && ctx->newstate == TCP_SYN_SENT) {
		bpf_map_update_elem(&connections, &conn_id, &client, BPF_ANY);
		if (slot && *slot == 0)
			*slot = conn_id;
	} else if (ctx->newstate == TCP_CLOSE) {
		bpf_map_delete_elem(&connections, &conn_id);
		if (slot && *slot == conn_id)
			*slot = 0;
		forget_arm(conn_id);
	}
	return 0;
}

#endif
