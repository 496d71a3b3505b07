// SPDX-License-Identifier: GPL-2.0
/*
 * HTTP capture on Linux 6.3+ (the kernel that added sock:sock_recv_length). The tracepoint fires for
 * every socket receive after the data reached the user buffer, in the receiving task; it costs nothing
 * off the receive path, unlike syscall tracepoints (http_syscalls.bpf.c, the fallback). It gives the
 * socket; the user buffer comes from the registers of the syscall in progress. Shared logic and maps:
 * http_capture.h.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>

/* sk is a BTF pointer here (bpf_rdonly_cast), so struct sock fields are plain loads. */
#define SK_READ(dst, sk, field) ((dst) = (sk)->field)
#define READ_PROCESS_NAME read_process_name
#include "http_capture.h"

/* kfunc (Linux 6.2+): views a raw kernel address as a read-only BTF pointer, so fields are plain loads. */
extern void *bpf_rdonly_cast(const void *obj, __u32 btf_id) __ksym;

/*
 * A raw tracepoint, not the classic one: it skips formatting the tracepoint's record, which costs
 * more than the rest of this program on every socket receive of the node. Its arguments are
 * sock_recv_length's TP_PROTO(struct sock *sk, int ret, int flags).
 */
SEC("raw_tracepoint/sock_recv_length")
int BPF_PROG(raw_sock_recv_length, struct sock *raw_sk, int received, int recv_flags)
{
	struct sock *sk = bpf_rdonly_cast(raw_sk, bpf_core_type_id_kernel(struct sock));
	__u64 conn_id = (__u64)raw_sk;
	struct repeat_arm *arm;
	struct connection *conn;
	struct pt_regs *regs;
	const void *buf;
	__u16 family;
	__u64 room;

	if (received <= 0 || (recv_flags & MSG_PEEK) || sk->sk_protocol != IPPROTO_TCP)
		return 0;
	family = sk->__sk_common.skc_family;
	if (family != AF_INET && family != AF_INET6)
		return 0;
	if (!server_side(conn_id, &conn, &arm))
		return 0;
	regs = current_user_regs();
	if (!regs || !receive_buffer(syscall_nr(regs), syscall_arg1(regs), &buf, &room))
		return 0;
	return capture_receive(sk, conn_id, conn, arm, (int)syscall_arg0(regs), buf, room, received);
}

SEC("tracepoint/sock/inet_sock_set_state")
int tp_inet_sock_set_state(struct trace_event_raw_inet_sock_set_state *ctx)
{
	return track_connection_state(ctx);
}
