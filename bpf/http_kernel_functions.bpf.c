// SPDX-License-Identifier: GPL-2.0
/*
 * HTTP capture on the TCP receive functions inet_recvmsg and inet6_recvmsg, for kernels without
 * sock:sock_recv_length (before 6.3, back to 5.15 for bpf_task_pt_regs). read, readv, recvfrom and
 * recvmsg on a TCP socket all pass through one of them, and nothing else does, so unlike the syscall
 * tracepoints it costs nothing off the receive path.
 * Not sock_recvmsg, their caller: net/socket.c calls it from the same file, so a build may inline it into
 * every syscall (Debian's arm64 6.1: kprobes on sock_recvmsg and sock_read_iter never fire while
 * __sys_recvfrom and inet_recvmsg do). The inet functions are reached through the protocol's ops from
 * another file, so no build inlines them.
 * Two tiers in one object; the agent loads one (bpf_program__set_autoload):
 *   fexit_...                     fexit on both (BPF trampolines)
 *   kprobe_... and kretprobe_...  the same through kprobes, where tracing programs cannot load
 * The user buffer comes from the syscall's saved registers, as in http.bpf.c. A receive already waiting
 * in the function when the hooks attach passed their entry before it existed, so it is missed (one per
 * connection at most, as in http_syscalls.bpf.c).
 *
 * inet_csk_accept (the original design's other hook) is not used: marking accepted sockets would cost
 * a map write per accept and filter nothing, since a receive on a connection this host did not open
 * already gets the request-start check, and one opened before the load has to anyway.
 * Shared logic and maps: http_capture.h.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>

/* The kprobe tier has no BTF pointers, so struct sock fields are read with bpf_probe_read_kernel. */
#define SK_READ(dst, sk, field) BPF_CORE_READ_INTO(&(dst), sk, field)
#define READ_PROCESS_NAME read_process_comm
#include "http_capture.h"

struct msghdr;

/* The socket of a kprobe'd receive in progress, by thread (pid_tgid), until it returns. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__type(key, __u64);
	__type(value, __u64);
	__uint(max_entries, 10240);
} receiving SEC(".maps");

/*
 * Whether a receive on sk with recv_flags may carry an inbound request, as http.bpf.c filters: TCP
 * over IPv4/IPv6, no peek, on a connection this host did not open (*conn, *arm: as server_side gives).
 * Checked before the receive returns, so the kprobe tier stashes only these. The agent's own receives
 * are told apart in capture_receive, as in the other tiers.
 */
static __always_inline bool maybe_inbound(struct sock *sk, int recv_flags, struct connection **conn,
					  struct repeat_arm **arm)
{
	__u16 family;

	if ((recv_flags & MSG_PEEK) || !sk || BPF_CORE_READ(sk, sk_protocol) != IPPROTO_TCP)
		return false;
	family = BPF_CORE_READ(sk, __sk_common.skc_family);
	if (family != AF_INET && family != AF_INET6)
		return false;
	return server_side((__u64)sk, conn, arm);
}

/* A receive on sk (conn, arm: from server_side) returned `received` inside the receiving task's
 * syscall: capture it. */
static __always_inline int capture_returned(struct sock *sk, struct connection *conn, struct repeat_arm *arm,
					    int received)
{
	struct pt_regs *regs;
	const void *buf;
	__u64 room;

	if (received <= 0)
		return 0;
	regs = current_user_regs();
	if (!regs || !receive_buffer(syscall_nr(regs), syscall_arg1(regs), &buf, &room))
		return 0;
	return capture_receive(sk, (__u64)sk, conn, arm, (int)syscall_arg0(regs), buf, room, received);
}

static __always_inline int receive_returned(struct socket *sock, int recv_flags, int received)
{
	struct sock *sk = BPF_CORE_READ(sock, sk);
	struct repeat_arm *arm;
	struct connection *conn;

	if (received <= 0 || !maybe_inbound(sk, recv_flags, &conn, &arm))
		return 0;
	return capture_returned(sk, conn, arm, received);
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

/* kprobe tier: the entry stashes the socket of a receive that may carry a request, the return captures */
static __always_inline int receive_entered(struct socket *sock, int recv_flags)
{
	struct sock *sk = BPF_CORE_READ(sock, sk);
	struct repeat_arm *arm;
	struct connection *conn;
	__u64 thread;

	if (!maybe_inbound(sk, recv_flags, &conn, &arm))
		return 0;
	thread = bpf_get_current_pid_tgid();
	bpf_map_update_elem(&receiving, &thread, &sk, BPF_ANY);
	return 0;
}

static __always_inline int receive_exited(int received)
{
	__u64 thread = bpf_get_current_pid_tgid();
	__u64 *saved = bpf_map_lookup_elem(&receiving, &thread);
	struct repeat_arm *arm;
	struct connection *conn;
	struct sock *sk;

	if (!saved)
		return 0;
	sk = (struct sock *)*saved;
	bpf_map_delete_elem(&receiving, &thread);
	/* looked up again: the entry or the arm may have changed while the receive blocked */
	if (!server_side((__u64)sk, &conn, &arm))
		return 0;
	return capture_returned(sk, conn, arm, received);
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

SEC("tracepoint/sock/inet_sock_set_state")
int tp_inet_sock_set_state(struct trace_event_raw_inet_sock_set_state *ctx)
{
	return track_connection_state(ctx);
}
