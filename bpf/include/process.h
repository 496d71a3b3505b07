/* Identity of the process the current BPF program runs for. Include after vmlinux.h and bpf headers. */
#ifndef PROCESS_H
#define PROCESS_H

#include "task_comm.h"

/*
 * The process name is the thread-group leader's comm. bpf_get_current_comm() would give the calling
 * thread's name instead (a Java client connects from threads named e.g. "my-worker-threa").
 * The kernel NUL-pads comm, so the result can be used as a hash key as is.
 */
static __always_inline void read_process_comm(char comm[COMM_LEN])
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct task_struct *leader = BPF_CORE_READ(task, group_leader);

	bpf_core_read(comm, COMM_LEN, &leader->comm);
}

/*
 * The same for program types that may call bpf_get_current_task_btf() (tracepoints): the task is a
 * BTF pointer, so this is plain loads instead of helper calls (it runs on every HTTP receive).
 */
static __always_inline void read_process_name(char comm[COMM_LEN])
{
	struct task_struct *task = bpf_get_current_task_btf();

	__builtin_memcpy(comm, task->group_leader->comm, COMM_LEN);
}

static __always_inline __u32 current_tgid(void)
{
	return bpf_get_current_pid_tgid() >> 32;
}

/*
 * Whether the current process is the one with pid ns_tgid in the pid namespace whose inode is
 * pidns_inum. A process in a container without hostPID knows only those two numbers of itself, never its
 * pid in the initial namespace (what bpf_get_current_pid_tgid gives), so the thread-group leader's pid
 * is read at its deepest level, the process's own namespace.
 */
static __always_inline bool is_process(__u32 ns_tgid, __u32 pidns_inum)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct pid *pid = BPF_CORE_READ(task, group_leader, thread_pid);
	unsigned int level = BPF_CORE_READ(pid, level);
	struct upid upid = {};

	if (bpf_core_read(&upid, sizeof(upid), &pid->numbers[level]))
		return false;
	return upid.nr == ns_tgid && BPF_CORE_READ(upid.ns, ns.inum) == pidns_inum;
}

/*
 * Whether the current process is the agent, known by its pid in its own pid namespace and that
 * namespace's inode (ns_tgid 0: there is none to skip). *tgid caches its pid in the initial namespace
 * once seen (an object's .bss variable), so the namespace walk stops at the agent's first event.
 */
static __always_inline bool is_agent(__u32 ns_tgid, __u32 pidns_inum, __u32 *tgid)
{
	__u32 current = current_tgid();

	if (!ns_tgid)
		return false;
	if (*tgid)
		return current == *tgid;
	if (!is_process(ns_tgid, pidns_inum))
		return false;
	*tgid = current;
	return true;
}

#endif
