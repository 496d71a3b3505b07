/* Seed for ObjectFileFuzzTest and BtfFuzzTest (compiled and stripped as in agent/FUZZING.md): a map, a program, a .rodata struct, an enum. */
typedef unsigned int __u32;
typedef unsigned long long __u64;
#define SEC(name) __attribute__((section(name), used))
#define __uint(name, val) int (*name)[val]
#define __type(name, val) typeof(val) *name
enum outcome { OK = 0, FAILED = 1 };
struct event { __u32 pid; __u64 bytes; enum outcome outcome; char comm[16]; };
struct config { __u32 port; __u32 flags; };
struct { __uint(type, 27); __uint(max_entries, 4096); __type(value, struct event); } events SEC(".maps");
const volatile struct config cfg = {};
SEC("tracepoint/syscalls/sys_enter_connect") int on_connect(void *ctx) { return cfg.port; }
char LICENSE[] SEC("license") = "GPL";
