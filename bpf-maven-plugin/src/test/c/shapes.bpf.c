/* Test object: a hash map with struct key/value, a ring buffer, .rodata globals and two programs. */
#include "shapes.h"

#define SEC(name) __attribute__((section(name), used))
#define __uint(name, val) int (*name)[val]
#define __type(name, val) typeof(val) *name

struct {
	__uint(type, 1); /* BPF_MAP_TYPE_HASH */
	__uint(max_entries, 64);
	__type(key, struct key);
	__type(value, struct shapes);
} by_key SEC(".maps");

struct {
	__uint(type, 27); /* BPF_MAP_TYPE_RINGBUF */
	__uint(max_entries, 4096);
} events SEC(".maps");

struct {
	__uint(type, 2); /* BPF_MAP_TYPE_ARRAY */
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, u64);
} counter SEC(".maps");

const volatile u8 rd_u8 = 1;
const volatile s32 rd_s32 = -2;
const volatile u64 rd_u64 = 0;
const volatile _Bool rd_flag = 1;
const volatile enum color rd_color = GREEN;
const volatile char rd_name[8] = "hi";

static void *(*bpf_map_lookup_elem)(void *map, const void *key) = (void *)1;

SEC("tracepoint/syscalls/sys_enter_connect")
int handle_connect(void *ctx)
{
	struct key k = { .id = rd_u8 + rd_s32 + rd_u64 + rd_flag + rd_color + rd_name[0] };
	struct shapes *v = bpf_map_lookup_elem(&by_key, &k);
	return v ? v->u8v : 0;
}

SEC("xdp")
int xdpPass(void *ctx)
{
	return 2;
}

char LICENSE[] SEC("license") = "GPL";
