// SPDX-License-Identifier: GPL-2.0
/*
 * Captures inbound HTTP/1.x requests on the server side: one http_event per receive that starts with
 * an HTTP method token, and per later receive on such a connection (so the agent can follow bodies
 * and keep-alive requests).
 *
 * sock:sock_recv_length fires for every socket receive after the data reached the user buffer, in
 * the receiving task. It costs nothing off the receive path, unlike syscall tracepoints. The
 * tracepoint gives the socket; the user buffer comes from the registers of the syscall in progress.
 * A client reading a response ("HTTP/1.1 200 ...") neither starts with a method nor is on a marked
 * connection, so it is not sent; a client whose connect() the agent saw is dropped before any of that.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>

#include "fd_socket.h"
#include "http_event.h"
#include "inet_addr.h"
#include "process.h"
#include "syscall_regs.h"

char LICENSE[] SEC("license") = "GPL"; /* bpf_probe_read_* are GPL-only helpers */

#define MSG_PEEK 2 /* a peek is read again later: count the real read only */

/* Set by the agent before load: its own receives (e.g. scrapes of its metrics endpoint) are skipped. */
const volatile __u32 agent_tgid = 0;

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4 * 1024 * 1024);
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__type(key, __u32);
	__type(value, __u64);
	__uint(max_entries, HTTP_STAT_MAX);
} stats SEC(".maps");

/*
 * Connections (conn_id) that carried a request start. The kernel reuses a freed socket's address for
 * the next socket, so an entry is removed when its connection closes (tp_inet_sock_set_state); LRU
 * eviction only bounds the map. Value: the fd (+1) whose socket was checked to be this connection.
 */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__type(key, __u64);
	__type(value, __u32);
	__uint(max_entries, 16384);
} http_connections SEC(".maps");

/*
 * Sockets this host opened with connect() (conn_id), recorded at CLOSE -> SYN_SENT. Their receives are
 * responses to our own requests, never inbound requests, so tp_sock_recv_length drops them with one
 * lookup instead of reading registers and user memory (a loopback client would otherwise cost as much
 * as its server). Sockets connected before the load are unknown and keep the full check. Removed at
 * TCP_CLOSE like http_connections; an entry lost to LRU eviction only costs that full check.
 */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__type(key, __u64);
	__type(value, __u8);
	__uint(max_entries, 16384);
} client_connections SEC(".maps");

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
 * Where the current syscall put the received bytes: read/recvfrom pass the buffer directly,
 * readv/recvmsg an iovec array of which the first entry is used. room: bytes that buffer holds.
 * False for any other way in (io_uring, splice, kernel-internal receives).
 */
static __always_inline bool receive_buffer(struct pt_regs *regs, const void **buf, __u64 *room)
{
	long nr = syscall_nr(regs);
	unsigned long arg1 = syscall_arg1(regs);
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

	bpf_probe_read_user(&head, len, buf);
	return head;
}

/*
 * noinline on purpose: as a BPF subprogram its signature keeps struct http_event in the object's BTF
 * (an event only reserved in the ring buffer has no BTF of its own), and the agent's HttpEvent record
 * is generated from that BTF.
 */
static __noinline void read_endpoints(struct http_event *event, struct sock *sk, __u16 family)
{
	__u16 ports[2];

	bpf_probe_read_kernel(ports, sizeof(ports), __builtin_preserve_access_index(&sk->__sk_common.skc_dport));
	if (family == AF_INET) {
		__be32 addrs[2];

		bpf_probe_read_kernel(addrs, sizeof(addrs), __builtin_preserve_access_index(&sk->__sk_common.skc_daddr));
		event->family = store_addr4(event->local_addr, addrs[1]);
		store_addr4(event->remote_addr, addrs[0]);
	} else {
		struct in6_addr addr;

		/* a dual-stack server's IPv4 clients show up v4-mapped here: stored as IPv4 */
		BPF_CORE_READ_INTO(&addr, sk, __sk_common.skc_v6_rcv_saddr);
		event->family = store_addr6(event->local_addr, addr.in6_u.u6_addr32);
		BPF_CORE_READ_INTO(&addr, sk, __sk_common.skc_v6_daddr);
		store_addr6(event->remote_addr, addr.in6_u.u6_addr32);
	}
	event->local_port = ports[1];
	event->remote_port = bpf_ntohs(ports[0]);
}

static __always_inline void count_lost(void)
{
	__u32 index = HTTP_STAT_LOST;
	__u64 *value = bpf_map_lookup_elem(&stats, &index);

	if (value)
		*value += 1;
}

SEC("tracepoint/sock/sock_recv_length")
int tp_sock_recv_length(struct trace_event_raw_sock_msg_length *ctx)
{
	struct sock *sk = ctx->sk;
	__u64 conn_id = (__u64)sk;
	int received = ctx->ret;
	struct http_event *event;
	struct pt_regs *regs;
	const void *buf;
	__u64 room;
	__u8 flags = 0;
	__u32 len;

	if (received <= 0 || (ctx->flags & MSG_PEEK) || ctx->protocol != IPPROTO_TCP ||
	    (ctx->family != AF_INET && ctx->family != AF_INET6))
		return 0;
	if (bpf_map_lookup_elem(&client_connections, &conn_id))
		return 0;
	if (agent_tgid && current_tgid() == agent_tgid)
		return 0;
	regs = current_user_regs();
	if (!regs || !receive_buffer(regs, &buf, &room))
		return 0;

	__u32 *marked = bpf_map_lookup_elem(&http_connections, &conn_id);
	int fd = (int)syscall_arg0(regs);

	if (starts_with_method(read_head(buf, received)))
		flags |= HTTP_FLAG_REQUEST_START;
	else if (!marked)
		return 0;
	/* The registers must belong to a receive on this very socket, not on some other fd. The mark caches
	 * the fd (+1) already checked for this connection, so socket_of_fd's pointer walk runs once per
	 * connection instead of once per receive. */
	if (!marked || *marked != (__u32)fd + 1) {
		struct socket *sock = socket_of_fd(fd);
		__u32 mark = (__u32)fd + 1;

		if (!sock || BPF_CORE_READ(sock, sk) != sk)
			return 0;
		bpf_map_update_elem(&http_connections, &conn_id, &mark, BPF_ANY);
	}

	event = bpf_ringbuf_reserve(&events, sizeof(*event), 0);
	if (!event) {
		count_lost();
		return 0;
	}
	event->conn_id = conn_id;
	read_endpoints(event, sk, ctx->family);
	event->flags = flags;
	event->tgid = current_tgid();
	event->bytes = received;
	read_process_comm(event->comm);

	len = received;
	if (len > room)
		len = room;
	if (len > HTTP_CAPTURE_LEN)
		len = HTTP_CAPTURE_LEN;
	__builtin_memset(event->data, 0, HTTP_CAPTURE_LEN); /* bytes past `captured` stay zero, not stale */
	if (bpf_probe_read_user(event->data, len, buf))
		len = 0;
	event->captured = len;
	/* The agent drains every 100 ms: waking it per event would only cost the receiving thread. */
	bpf_ringbuf_submit(event, BPF_RB_NO_WAKEUP);
	return 0;
}

/*
 * CLOSE -> SYN_SENT is an active open (the connecting side): remember it as a client. Every TCP socket
 * passes through TCP_CLOSE before it is freed: forget it there, since its address is reused.
 */
SEC("tracepoint/sock/inet_sock_set_state")
int tp_inet_sock_set_state(struct trace_event_raw_inet_sock_set_state *ctx)
{
	__u64 conn_id = (__u64)ctx->skaddr;
	__u8 client = 1;

	if (ctx->protocol != IPPROTO_TCP)
		return 0;
	if (ctx->oldstate == TCP_CLOSE && ctx->newstate == TCP_SYN_SENT) {
		bpf_map_update_elem(&client_connections, &conn_id, &client, BPF_ANY);
	} else if (ctx->newstate == TCP_CLOSE) {
		bpf_map_delete_elem(&http_connections, &conn_id);
		bpf_map_delete_elem(&client_connections, &conn_id);
	}
	return 0;
}
