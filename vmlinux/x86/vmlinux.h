/*
 * Minimal vmlinux.h for x86_64 BPF programs (hand-written subset, see vmlinux/README.md).
 * __VMLINUX_H__ tells bpf_tracing.h to use the kernel's pt_regs member names (di, si, ...).
 */
#ifndef __VMLINUX_H__
#define __VMLINUX_H__

#include "../common/vmlinux_common.h"

/*
 * Kernel pt_regs (arch/x86/include/asm/ptrace.h). kprobe contexts and bpf_task_pt_regs() use it;
 * orig_ax holds the syscall number while a syscall runs.
 */
struct pt_regs {
	long unsigned int r15;
	long unsigned int r14;
	long unsigned int r13;
	long unsigned int r12;
	long unsigned int bp;
	long unsigned int bx;
	long unsigned int r11;
	long unsigned int r10;
	long unsigned int r9;
	long unsigned int r8;
	long unsigned int ax;
	long unsigned int cx;
	long unsigned int dx;
	long unsigned int si;
	long unsigned int di;
	long unsigned int orig_ax;
	long unsigned int ip;
	long unsigned int cs;
	long unsigned int flags;
	long unsigned int sp;
	long unsigned int ss;
} __attribute__((preserve_access_index));

#endif /* __VMLINUX_H__ */
