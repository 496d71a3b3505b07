#include "sample.h"

#define SEC(name) __attribute__((section(name), used))

struct {
	int (*type)[1]; /* BPF_MAP_TYPE_HASH */
	int (*max_entries)[16];
	struct sample_key *key;
	unsigned int *value;
} seen SEC(".maps");

const volatile unsigned int target_pid = 0;

SEC("tracepoint/syscalls/sys_enter_connect")
int on_connect(struct sample_event *e) /* in the signature, so clang emits the type's BTF */
{
	return e->pid == target_pid;
}

char LICENSE[] SEC("license") = "GPL";
