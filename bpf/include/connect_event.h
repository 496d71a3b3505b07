/* Structs shared by connect.bpf.c and the agent (Java records are generated from their BTF). */
#ifndef CONNECT_EVENT_H
#define CONNECT_EVENT_H

#include "inet_addr.h"
#include "task_comm.h"

/* Which hook produced an event; the agent exports it as the active tier. */
#define TIER_CGROUP 1
#define TIER_FENTRY 2
#define TIER_KPROBE 3
#define TIER_SYSCALL_TP 4

/* Outcome of connect() where the tier can see it. */
#define OUTCOME_UNKNOWN 0     /* cgroup tier: the hook runs before the connect */
#define OUTCOME_CONNECTED 1   /* connect() returned 0 (syscall tier only) */
#define OUTCOME_IN_PROGRESS 2 /* non-blocking connect: EINPROGRESS; fentry/kprobe tiers: SYN sent */
#define OUTCOME_FAILED 3      /* any other error; error holds -errno */

/* One connect() attempt on a TCP socket. v4-mapped IPv6 destinations are reported as IPv4. */
struct connect_event {
	__u8 daddr[16]; /* IPv4: first 4 bytes, network order */
	__u16 dport;    /* host order */
	enum addr_family family;
	__u8 tier;      /* TIER_* */
	__s32 error;    /* -errno when outcome is OUTCOME_FAILED, else 0 */
	__u32 tgid;
	__u8 outcome;   /* OUTCOME_* */
	__u8 excluded;  /* 1: comm is in EXCLUDE_COMMS (only sent when emit_excluded is set) */
	__u8 pad[2];
	char comm[COMM_LEN]; /* process name: the thread-group leader's comm */
};

/* Key of the excluded_comms hash map (value: __u8, unused). */
struct comm_key {
	char comm[COMM_LEN];
};

#endif
