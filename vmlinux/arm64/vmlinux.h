/*
 * Minimal vmlinux.h for arm64 BPF programs (hand-written subset, see vmlinux/README.md).
 * __VMLINUX_H__ tells bpf_tracing.h that kernel types are available.
 */
#ifndef __VMLINUX_H__
#define __VMLINUX_H__

#include "../common/vmlinux_common.h"

/* arch/arm64/include/uapi/asm/ptrace.h: what bpf_tracing.h casts kprobe contexts to (regs[0] = x0). */
struct user_pt_regs {
	__u64 regs[31];
	__u64 sp;
	__u64 pc;
	__u64 pstate;
} __attribute__((preserve_access_index));

/*
 * Kernel pt_regs (arch/arm64/include/asm/ptrace.h) starts with the user_pt_regs layout. x0 is
 * overwritten by a syscall's return value, so bpf_tracing.h reads the first syscall argument from
 * orig_x0; syscallno is the syscall number while a syscall runs.
 */
struct pt_regs {
	union {
		struct user_pt_regs user_regs;
		struct {
			u64 regs[31];
			u64 sp;
			u64 pc;
			u64 pstate;
		};
	};
	u64 orig_x0;
	s32 syscallno;
} __attribute__((preserve_access_index));

#endif /* __VMLINUX_H__ */
