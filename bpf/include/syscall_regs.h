/*
 * The syscall the current task is in, read from its saved user registers (bpf_task_pt_regs(), Linux
 * 5.15+). Lets a tracepoint deep in the kernel (sock:sock_recv_length) find the user buffer the
 * syscall copies into (or, for sock:sock_send_length, the one it sent from). Numbers and registers differ per architecture.
 */
#ifndef SYSCALL_REGS_H
#define SYSCALL_REGS_H

#if defined(__TARGET_ARCH_x86)
#define NR_READ 0
#define NR_READV 19
#define NR_RECVFROM 45
#define NR_RECVMSG 47
#define NR_WRITE 1
#define NR_WRITEV 20
#define NR_SENDTO 44
#define NR_SENDMSG 46
#elif defined(__TARGET_ARCH_arm64)
#define NR_READ 63
#define NR_READV 65
#define NR_RECVFROM 207
#define NR_RECVMSG 212
#define NR_WRITE 64
#define NR_WRITEV 66
#define NR_SENDTO 206
#define NR_SENDMSG 211
#else
#error "syscall_regs.h: build with -D__TARGET_ARCH_x86 or -D__TARGET_ARCH_arm64"
#endif

/*
 * Saved user registers of the current task, or NULL. The result is a BTF pointer, so the accessors
 * below are plain loads (the verifier guards them), not bpf_probe_read_kernel calls.
 */
static __always_inline struct pt_regs *current_user_regs(void)
{
	return (struct pt_regs *)bpf_task_pt_regs(bpf_get_current_task_btf());
}

static __always_inline long syscall_nr(struct pt_regs *regs)
{
#if defined(__TARGET_ARCH_x86)
	return regs->orig_ax;
#else
	return regs->syscallno;
#endif
}

/* First argument; on arm64 x0 is reused for the return value, orig_x0 keeps the argument. */
static __always_inline unsigned long syscall_arg0(struct pt_regs *regs)
{
#if defined(__TARGET_ARCH_x86)
	return regs->di;
#else
	return regs->orig_x0;
#endif
}

static __always_inline unsigned long syscall_arg1(struct pt_regs *regs)
{
#if defined(__TARGET_ARCH_x86)
	return regs->si;
#else
	return regs->regs[1];
#endif
}

static __always_inline unsigned long syscall_arg2(struct pt_regs *regs)
{
#if defined(__TARGET_ARCH_x86)
	return regs->dx;
#else
	return regs->regs[2];
#endif
}

#endif
