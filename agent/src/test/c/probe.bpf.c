/* Test-only BPF object for the loader: one tracepoint program feeding a ring buffer, a per-CPU counter,
 * a hash map the test writes, a .rodata filter, and a program the verifier must reject. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define DISCARD_TAG 0xd15c

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} records SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} calls SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} tags SEC(".maps");

/* Only the test's own JVM counts: other processes call getppid too. */
const volatile __u32 target_tgid = 0;

struct record {
	__u64 tag;
	__u32 tgid;
	__u32 pad;
};

SEC("tracepoint/syscalls/sys_enter_getppid")
int on_getppid(void *ctx)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;
	__u32 zero = 0;
	if (tgid != target_tgid)
		return 0;
	__u64 *count = bpf_map_lookup_elem(&calls, &zero);
	if (count)
		*count += 1;
	__u64 *tag = bpf_map_lookup_elem(&tags, &zero);
	struct record *r = bpf_ringbuf_reserve(&records, sizeof(*r), 0);
	if (!r)
		return 0;
	r->tag = tag ? *tag : 0;
	r->tgid = tgid;
	r->pad = 0;
	if (r->tag == DISCARD_TAG)
		bpf_ringbuf_discard(r, BPF_RB_NO_WAKEUP);
	else
		bpf_ringbuf_submit(r, BPF_RB_NO_WAKEUP);
	return 0;
}

/*
 * Not loaded unless a test asks ('?'): dereferences a lookup result without a NULL check, after enough
 * instructions that the verifier log printed by libbpf is several KiB (longer than a first format buffer).
 */
SEC("?tracepoint/syscalls/sys_enter_getppid")
int rejected(void *ctx)
{
	__u32 zero = 0;
	__u64 sum = 0;
#pragma unroll
	for (int i = 0; i < 64; i++)
		sum += bpf_get_prandom_u32();
	__u64 *tag = bpf_map_lookup_elem(&tags, &zero);
	return *tag != sum;
}
