/*
 * Repeated requests counted in the kernel. A keep-alive client that sends the same request again and
 * again (pollers, probes, load generators) would otherwise cost a ring buffer event and a parse per
 * request. The agent arms such a connection once its parser has seen the same whole-request read
 * twice in a row: it stores the read's bytes here, with the seq of the last event it had processed.
 * From then on a read of exactly those bytes is counted in the arm, which the agent reads every
 * drain; any other read drops the arm and is sent as usual, so the agent's parser sees every read
 * that could change where the connection stands. The seq check makes the arm void if events were sent
 * after the one the agent based it on (it might be mid-body by then).
 *
 * The arms are an mmapped array that both sides read and write without syscalls. A connection's arm
 * is at the index its conn_id hashes to (the agent hashes alike), so finding it costs an address
 * computation, not a hash-map lookup on every receive; two connections that hash alike are not armed
 * at once. The agent writes an arm's fields while its conn_id is 0 and publishes it a drain (100 ms)
 * later by writing conn_id, so whoever sees the conn_id sees the fields on any CPU, without barriers
 * that BPF cannot express on older kernels. Either side voids an arm by writing 0 to its conn_id.
 * The first read on a published arm checks its seq against the connection's entry in `connections`
 * and marks the arm checked; later reads find everything they need in the arm, so a repeat costs no
 * hash-map lookup at all.
 *
 * Included by http_capture.h, after SK_READ is defined.
 */
#ifndef HTTP_REPEATS_H
#define HTTP_REPEATS_H

_Static_assert((HTTP_CAPTURE_LEN & (HTTP_CAPTURE_LEN - 1)) == 0, "repeats() masks lengths with HTTP_CAPTURE_LEN - 1");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__type(key, __u32);
	__type(value, struct repeat_arm);
	__uint(max_entries, CONN_INDEXES);
} repeat_arms SEC(".maps");

/* Where a read is copied to be compared with its arm (too big for the BPF stack). */
struct repeat_read {
	__u8 data[HTTP_CAPTURE_LEN];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__type(key, __u32);
	__type(value, struct repeat_read);
	__uint(max_entries, 1);
} repeat_reads SEC(".maps");

/* conn_id's arm, or NULL when it has none (its element is free or holds another connection's arm). */
static __always_inline struct repeat_arm *armed(__u64 conn_id)
{
	__u32 index = conn_index(conn_id);
	struct repeat_arm *arm = bpf_map_lookup_elem(&repeat_arms, &index);

	return arm && arm->conn_id == conn_id ? arm : NULL;
}

/* conn_id's arm if the kernel has checked it (repeats_armed), else NULL: then no lookup in `connections`. */
static __always_inline struct repeat_arm *checked_arm(__u64 conn_id)
{
	struct repeat_arm *arm = armed(conn_id);

	return arm && arm->mark ? arm : NULL;
}

/* a[0, len) == b[0, len), eight bytes a step (both buffers hold HTTP_CAPTURE_LEN bytes). */
static __always_inline bool same_bytes(const __u8 *a, const __u8 *b, __u32 len)
{
	for (__u32 i = 0; i < HTTP_CAPTURE_LEN / 8; i++) {
		__u32 left = len - 8 * i;
		__u64 diff;

		if (8 * i >= len)
			break;
		diff = ((const __u64 *)a)[i] ^ ((const __u64 *)b)[i];
		if (left < 8)
			diff &= (1ULL << (8 * left)) - 1;
		if (diff)
			return false;
	}
	return true;
}

/*
 * Counts a read of `received` bytes into buf on sk in arm if it repeats the armed request; otherwise
 * drops the arm and returns false (the read is to be sent).
 */
static __always_inline bool repeats(struct repeat_arm *arm, struct sock *sk, const void *buf, int received)
{
	struct repeat_read *copy;
	__u16 local_port;
	__be16 remote_port;
	__u32 zero = 0;
	__u32 len;

	SK_READ(local_port, sk, __sk_common.skc_num);
	SK_READ(remote_port, sk, __sk_common.skc_dport);
	len = arm->len;
	/* hides len's origin from clang, which otherwise drops the bound the verifier needs to see */
	barrier_var(len);
	copy = bpf_map_lookup_elem(&repeat_reads, &zero);
	if (!copy || arm->local_port != local_port || arm->remote_port != bpf_ntohs(remote_port) ||
	    len != (__u32)received || len == 0 || len > HTTP_CAPTURE_LEN)
		goto drop;
	/*
	 * clang folds the two checks above into one range check on a copy of len, which the verifiers of
	 * Linux 5.10-6.12 do not carry back to len ("R2 unbounded memory access" at the read below). A mask
	 * they track bounds it again; it changes no length from 1 to HTTP_CAPTURE_LEN, and the barrier keeps
	 * clang, which knows that, from dropping it.
	 */
	barrier_var(len);
	len = ((len - 1) & (HTTP_CAPTURE_LEN - 1)) + 1;
	if (bpf_probe_read_user(copy->data, len, buf) || !same_bytes(copy->data, arm->data, len))
		goto drop;
	__sync_fetch_and_add(&arm->requests, 1);
	return true;
drop:
	arm->conn_id = 0;
	return false;
}

/*
 * The first read on an arm since the agent published it, on a connection (entry conn) read through
 * fd: the arm counts only if no event was sent after the one the agent based it on (conn->sent is
 * still its seq). Then the arm is marked checked with fd, and later reads through that fd take
 * repeats_checked without looking the connection up: every event sent for the connection from here
 * on drops the arm first (repeats, or forget_arm on an unchecked receive).
 */
static __always_inline bool repeats_armed(struct sock *sk, __u64 conn_id, const struct connection *conn, int fd,
					  const void *buf, int received)
{
	struct repeat_arm *arm = armed(conn_id);

	if (!arm)
		return false;
	if (arm->seq != conn->sent) {
		arm->conn_id = 0;
		return false;
	}
	if (!repeats(arm, sk, buf, received))
		return false;
	arm->mark = (__u32)fd + 1;
	return true;
}

/* A read through fd on a connection whose checked arm is arm: counted if it repeats the request. */
static __always_inline bool repeats_checked(struct repeat_arm *arm, struct sock *sk, int fd, const void *buf,
					    int received)
{
	return arm->mark == (__u32)fd + 1 && repeats(arm, sk, buf, received);
}

/* Drops conn_id's arm, if it has one: its connection closed (the socket address is reused), or an event
 * is about to be sent for it outside repeats_armed. */
static __always_inline void forget_arm(__u64 conn_id)
{
	struct repeat_arm *arm = armed(conn_id);

	if (arm)
		arm->conn_id = 0;
}

#endif
