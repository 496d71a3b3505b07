// SPDX-License-Identifier: GPL-2.0
/*
 * Counts every connect() attempt on a TCP socket and sends one connect_event per attempt.
 *
 * The object holds four hook tiers; the loader enables exactly one (bpf_program__set_autoload), the
 * cheapest that works on the node:
 *   cgroup_...     cgroup/connect4|6 sock_addr hooks: cheapest, outcome unknown (runs before connect)
 *   fexit_...      fexit on tcp_v4_connect and tcp_v6_connect: address and outcome
 *   kprobe_... and kretprobe_...   the same through kprobes
 *   tp_...         syscalls:sys_enter_connect + sys_exit_connect: works everywhere, but while any
 *                  syscall tracepoint is attached every syscall of every process takes the slow path
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>

#include "connect_event.h"
#include "fd_socket.h"
#include "hook_stat.h"
#include "inet_addr.h"
#include "process.h"

char LICENSE[] SEC("license") = "GPL"; /* bpf_probe_read_* are GPL-only helpers */

#define EINPROGRESS 115 /* same value on x86 and arm64 */

/* Set by the agent before load: also send excluded attempts (marked excluded=1) for debug logging. */
const volatile __u8 emit_excluded = 0;

/* Set by the agent before load: its pid in its own pid namespace and that namespace's inode (0: none). */
const volatile __u32 agent_ns_tgid = 0;
const volatile __u32 agent_pidns_inum = 0;
/* The agent's pid in the initial namespace, once one of its connects has shown it. */
__u32 agent_tgid = 0;

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4 * 1024 * 1024);
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__type(key, __u32);
	__type(value, __u64);
	__uint(max_entries, STAT_MAX);
} stats SEC(".maps");

/* Filled by the agent from EXCLUDE_COMMS (e.g. kubelet probes); value unused. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, struct comm_key);
	__type(value, __u8);
	__uint(max_entries, 64);
} excluded_comms SEC(".maps");

/*
 * Destination seen at entry, by pid_tgid, until the return hook knows the outcome (a thread is in at
 * most one connect at a time). One map per tier so each tier's programs stay independent.
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, __u64);
	__type(value, struct connect_event);
	__uint(max_entries, 10240);
} kprobe_pending SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, __u64);
	__type(value, struct connect_event);
	__uint(max_entries, 10240);
} syscall_pending SEC(".maps");

/*
 * Sends one attempt. draft holds the destination and tier; the process identity is taken here.
 * Excluded processes are only counted unless emit_excluded is set.
 */
static __always_inline void submit_attempt(const struct connect_event *draft, __u8 outcome, __s32 error)
{
	struct comm_key key = {};
	struct connect_event *event;
	__u8 excluded;

	/* the agent's own connects (to the API server, say) are never attempts */
	if (is_agent(agent_ns_tgid, agent_pidns_inum, &agent_tgid))
		return;
	read_process_comm(key.comm);
	excluded = bpf_map_lookup_elem(&excluded_comms, &key) != NULL;
	if (excluded) {
		count_stat(&stats, STAT_EXCLUDED);
		if (!emit_excluded)
			return;
	}

	event = bpf_ringbuf_reserve(&events, sizeof(*event), 0);
	if (!event) {
		count_stat(&stats, STAT_LOST);
		return;
	}
	*event = *draft;
	event->outcome = outcome;
	event->error = outcome == OUTCOME_FAILED ? error : 0;
	event->excluded = excluded;
	event->tgid = current_tgid();
	__builtin_memcpy(event->comm, key.comm, COMM_LEN);
	/* The agent drains every 100 ms: waking it per event would only cost the connecting thread. */
	bpf_ringbuf_submit(event, BPF_RB_NO_WAKEUP);
}

static __always_inline long read_memory(void *dst, __u32 size, const void *src, bool user)
{
	return user ? bpf_probe_read_user(dst, size, src) : bpf_probe_read_kernel(dst, size, src);
}

/*
 * Fills the destination of draft from the sockaddr passed to connect(). Reads only as many bytes as
 * the family needs (a user buffer may end right after a sockaddr_in). False unless AF_INET/AF_INET6
 * with a long enough address.
 */
static __always_inline bool read_destination(struct connect_event *draft, const void *uaddr, int addrlen,
					     bool user)
{
	sa_family_t family = 0;

	if (read_memory(&family, sizeof(family), uaddr, user))
		return false;

	if (family == AF_INET && addrlen >= (int)sizeof(struct sockaddr_in)) {
		struct sockaddr_in sin;

		if (read_memory(&sin, sizeof(sin), uaddr, user))
			return false;
		draft->family = store_addr4(draft->daddr, sin.sin_addr.s_addr);
		draft->dport = bpf_ntohs(sin.sin_port);
		return true;
	}
	if (family == AF_INET6 && addrlen >= (int)sizeof(struct sockaddr_in6)) {
		struct sockaddr_in6 sin6;

		if (read_memory(&sin6, sizeof(sin6), uaddr, user))
			return false;
		draft->family = store_addr6(draft->daddr, sin6.sin6_addr.in6_u.u6_addr32);
		draft->dport = bpf_ntohs(sin6.sin6_port);
		return true;
	}
	return false;
}

/* tcp_v*_connect returns once the SYN is queued: 0 means "handshake under way", not "connected". */
static __always_inline __u8 tcp_connect_outcome(int ret)
{
	return ret == 0 ? OUTCOME_IN_PROGRESS : OUTCOME_FAILED;
}

/* ---------------------------------------------------------------------------------------------
 * Tier 1: cgroup sock_addr hooks. They run in the connecting task (so the process is known) from
 * __inet_stream_connect's pre_connect. Only an unconnected socket (TCP_CLOSE) makes a new attempt:
 * a re-polled non-blocking connect (EALREADY/EISCONN) must not count again. (Linux 6.18 does not run
 * pre_connect for re-polls at all; the check keeps the count right wherever a kernel does.)
 */
static __always_inline bool is_new_tcp_connect(struct bpf_sock_addr *ctx)
{
	struct bpf_sock *sk = ctx->sk;

	if (ctx->type != SOCK_STREAM || ctx->protocol != IPPROTO_TCP || !sk)
		return false;
	return sk->state == TCP_CLOSE;
}

SEC("cgroup/connect4")
int cgroup_connect4(struct bpf_sock_addr *ctx)
{
	struct connect_event draft = { .tier = TIER_CGROUP };

	if (!is_new_tcp_connect(ctx))
		return 1;
	draft.family = store_addr4(draft.daddr, ctx->user_ip4);
	draft.dport = bpf_ntohs((__u16)ctx->user_port);
	submit_attempt(&draft, OUTCOME_UNKNOWN, 0);
	return 1; /* only observe: always allow the connect */
}

/* Java clients connect IPv4 peers through AF_INET6 sockets with v4-mapped addresses: they land here. */
SEC("cgroup/connect6")
int cgroup_connect6(struct bpf_sock_addr *ctx)
{
	struct connect_event draft = { .tier = TIER_CGROUP };
	__be32 addr[4];

	if (ctx->user_family != AF_INET6 || !is_new_tcp_connect(ctx))
		return 1;
	/* ctx fields must be loaded one word at a time */
	addr[0] = ctx->user_ip6[0];
	addr[1] = ctx->user_ip6[1];
	addr[2] = ctx->user_ip6[2];
	addr[3] = ctx->user_ip6[3];
	draft.family = store_addr6(draft.daddr, addr);
	draft.dport = bpf_ntohs((__u16)ctx->user_port);
	submit_attempt(&draft, OUTCOME_UNKNOWN, 0);
	return 1;
}

/* ---------------------------------------------------------------------------------------------
 * Tier 2: fexit on tcp_v4_connect/tcp_v6_connect. The destination comes from uaddr (the kernel copy
 * of the user's sockaddr) because sk's daddr is not set on every error path. tcp_v6_connect hands
 * v4-mapped destinations to tcp_v4_connect, so the v6 hook skips them: one event per attempt.
 */
SEC("fexit/tcp_v4_connect")
int BPF_PROG(fexit_tcp_v4_connect, struct sock *sk, struct sockaddr *uaddr, int addr_len, int ret)
{
	struct connect_event draft = { .tier = TIER_FENTRY };

	if (read_destination(&draft, uaddr, addr_len, false))
		submit_attempt(&draft, tcp_connect_outcome(ret), ret);
	return 0;
}

SEC("fexit/tcp_v6_connect")
int BPF_PROG(fexit_tcp_v6_connect, struct sock *sk, struct sockaddr *uaddr, int addr_len, int ret)
{
	struct connect_event draft = { .tier = TIER_FENTRY };

	if (read_destination(&draft, uaddr, addr_len, false) && draft.family == FAMILY_V6)
		submit_attempt(&draft, tcp_connect_outcome(ret), ret);
	return 0;
}

/* ---------------------------------------------------------------------------------------------
 * Tier 3: kprobe + kretprobe on the same functions. A kretprobe cannot see the arguments, so the
 * destination waits in kprobe_pending until the function returns. Same v4-mapped rule as tier 2.
 */
static __always_inline void stash_kprobe_destination(struct sockaddr *uaddr, int addr_len, bool only_v6)
{
	struct connect_event draft = { .tier = TIER_KPROBE };
	__u64 id = bpf_get_current_pid_tgid();

	if (!read_destination(&draft, uaddr, addr_len, false) || (only_v6 && draft.family != FAMILY_V6))
		return;
	bpf_map_update_elem(&kprobe_pending, &id, &draft, BPF_ANY);
}

static __always_inline void submit_kprobe_attempt(int ret)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct connect_event *draft = bpf_map_lookup_elem(&kprobe_pending, &id);

	if (!draft)
		return;
	submit_attempt(draft, tcp_connect_outcome(ret), ret);
	bpf_map_delete_elem(&kprobe_pending, &id);
}

SEC("kprobe/tcp_v4_connect")
int BPF_KPROBE(kprobe_tcp_v4_connect, struct sock *sk, struct sockaddr *uaddr, int addr_len)
{
	stash_kprobe_destination(uaddr, addr_len, false);
	return 0;
}

SEC("kretprobe/tcp_v4_connect")
int BPF_KRETPROBE(kretprobe_tcp_v4_connect, int ret)
{
	submit_kprobe_attempt(ret);
	return 0;
}

SEC("kprobe/tcp_v6_connect")
int BPF_KPROBE(kprobe_tcp_v6_connect, struct sock *sk, struct sockaddr *uaddr, int addr_len)
{
	stash_kprobe_destination(uaddr, addr_len, true);
	return 0;
}

SEC("kretprobe/tcp_v6_connect")
int BPF_KRETPROBE(kretprobe_tcp_v6_connect, int ret)
{
	submit_kprobe_attempt(ret);
	return 0;
}

/* ---------------------------------------------------------------------------------------------
 * Tier 4: syscall tracepoints. The address is read from user memory exactly as the application
 * passed it. Only TCP sockets in SS_UNCONNECTED state count: a re-polled non-blocking connect finds
 * its socket SS_CONNECTING, a UDP connect is no TCP attempt.
 */

static __always_inline bool is_unconnected_tcp_socket(struct socket *sock)
{
	return BPF_CORE_READ(sock, type) == SOCK_STREAM && BPF_CORE_READ(sock, state) == SS_UNCONNECTED &&
	       BPF_CORE_READ(sock, sk, sk_protocol) == IPPROTO_TCP;
}

SEC("tracepoint/syscalls/sys_enter_connect")
int tp_sys_enter_connect(struct trace_event_raw_sys_enter *ctx)
{
	struct connect_event draft = { .tier = TIER_SYSCALL_TP };
	int fd = (int)ctx->args[0];
	const void *uaddr = (const void *)ctx->args[1];
	int addrlen = (int)ctx->args[2];
	struct socket *sock = socket_of_fd(fd);
	__u64 id;

	if (!sock || !is_unconnected_tcp_socket(sock) || !read_destination(&draft, uaddr, addrlen, true))
		return 0;
	id = bpf_get_current_pid_tgid();
	bpf_map_update_elem(&syscall_pending, &id, &draft, BPF_ANY);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_connect")
int tp_sys_exit_connect(struct trace_event_raw_sys_exit *ctx)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct connect_event *draft = bpf_map_lookup_elem(&syscall_pending, &id);
	int ret = (int)ctx->ret;
	__u8 outcome;

	if (!draft)
		return 0;
	if (ret == 0)
		outcome = OUTCOME_CONNECTED;
	else if (ret == -EINPROGRESS)
		outcome = OUTCOME_IN_PROGRESS;
	else
		outcome = OUTCOME_FAILED;
	submit_attempt(draft, outcome, ret);
	bpf_map_delete_elem(&syscall_pending, &id);
	return 0;
}
