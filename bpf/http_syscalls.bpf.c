// SPDX-License-Identifier: GPL-2.0
/*
 * HTTP capture for kernels older than 6.3 (no sock:sock_recv_length): the receive syscalls' enter and
 * exit tracepoints. The last resort: while any syscall tracepoint is attached, every syscall of every
 * process takes the kernel's slow path, and every successful read on the node is checked for a socket.
 * Uses no kfunc and no bpf_task_pt_regs, so it loads where http.bpf.c cannot. The buffer is saved at
 * syscall entry, so a receive that was already waiting when the hooks attached is missed (one per
 * connection, at most). Shared logic and maps: http_capture.h.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>

/* sk comes from the fd table as a plain address: fields are read with bpf_probe_read_kernel. */
#define SK_READ(dst, sk, field) BPF_CORE_READ_INTO(&(dst), sk, field)
#define READ_PROCESS_NAME read_process_comm
#include "http_capture.h"

/* A receive syscall in progress, saved at its enter for its exit. */
struct receive_call {
	unsigned long arg1; /* the buffer (read, recvfrom), iovec array (readv) or msghdr (recvmsg) */
	__s32 fd;
	__s32 nr;
};

/* By thread (pid_tgid); LRU bounds the entries of threads that died inside a receive. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__type(key, __u64);
	__type(value, struct receive_call);
	__uint(max_entries, 16384);
} receive_calls SEC(".maps");

static __always_inline int enter(struct trace_event_raw_sys_enter *ctx, long nr, long recv_flags)
{
	__u64 thread = bpf_get_current_pid_tgid();
	struct receive_call call = {.arg1 = ctx->args[1], .fd = (__s32)ctx->args[0], .nr = nr};

	if ((recv_flags & MSG_PEEK) || (agent_tgid && thread >> 32 == agent_tgid))
		return 0;
	bpf_map_update_elem(&receive_calls, &thread, &call, BPF_ANY);
	return 0;
}

static __always_inline int leave(struct trace_event_raw_sys_exit *ctx)
{
	__u64 thread = bpf_get_current_pid_tgid();
	struct receive_call *saved = bpf_map_lookup_elem(&receive_calls, &thread);
	struct receive_call call;
	int received = ctx->ret;
	struct socket *sock;
	struct sock *sk;
	const void *buf;
	__u16 family;
	__u64 room;
	struct connection *conn;
	struct repeat_arm *arm;

	if (!saved)
		return 0;
	call = *saved;
	bpf_map_delete_elem(&receive_calls, &thread);
	if (received <= 0)
		return 0;
	sock = socket_of_fd(call.fd);
	if (!sock)
		return 0;
	sk = BPF_CORE_READ(sock, sk);
	if (!sk || BPF_CORE_READ(sk, sk_protocol) != IPPROTO_TCP)
		return 0;
	family = BPF_CORE_READ(sk, __sk_common.skc_family);
	if (family != AF_INET && family != AF_INET6)
		return 0;
	if (!server_side((__u64)sk, &conn, &arm) || !receive_buffer(call.nr, call.arg1, &buf, &room))
		return 0;
	return capture_receive(sk, (__u64)sk, conn, arm, call.fd, buf, room, received);
}

SEC("tracepoint/syscalls/sys_enter_read")
int tp_sys_enter_read(struct trace_event_raw_sys_enter *ctx)
{
	return enter(ctx, NR_READ, 0);
}

SEC("tracepoint/syscalls/sys_enter_readv")
int tp_sys_enter_readv(struct trace_event_raw_sys_enter *ctx)
{
	return enter(ctx, NR_READV, 0);
}

SEC("tracepoint/syscalls/sys_enter_recvfrom")
int tp_sys_enter_recvfrom(struct trace_event_raw_sys_enter *ctx)
{
	return enter(ctx, NR_RECVFROM, ctx->args[3]);
}

SEC("tracepoint/syscalls/sys_enter_recvmsg")
int tp_sys_enter_recvmsg(struct trace_event_raw_sys_enter *ctx)
{
	return enter(ctx, NR_RECVMSG, ctx->args[2]);
}

SEC("tracepoint/syscalls/sys_exit_read")
int tp_sys_exit_read(struct trace_event_raw_sys_exit *ctx)
{
	return leave(ctx);
}

SEC("tracepoint/syscalls/sys_exit_readv")
int tp_sys_exit_readv(struct trace_event_raw_sys_exit *ctx)
{
	return leave(ctx);
}

SEC("tracepoint/syscalls/sys_exit_recvfrom")
int tp_sys_exit_recvfrom(struct trace_event_raw_sys_exit *ctx)
{
	return leave(ctx);
}

SEC("tracepoint/syscalls/sys_exit_recvmsg")
int tp_sys_exit_recvmsg(struct trace_event_raw_sys_exit *ctx)
{
	return leave(ctx);
}

SEC("tracepoint/sock/inet_sock_set_state")
int tp_inet_sock_set_state(struct trace_event_raw_inet_sock_set_state *ctx)
{
	return track_connection_state(ctx);
}
