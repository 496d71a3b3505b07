/* The per-CPU `stats` array every object keeps (connect.bpf.c, http.bpf.c). Include after the bpf headers. */
#ifndef HOOK_STAT_H
#define HOOK_STAT_H

/* Its indexes; the agent reads them through the HookStat enum generated from this. */
enum hook_stat {
	STAT_LOST = 0,     /* ring buffer full: event dropped */
	STAT_EXCLUDED = 1, /* connect.bpf.c: attempt by a comm in EXCLUDE_COMMS */
	STAT_MAX,
};

/*
 * Adds one to stats[stat] (a per-CPU slot: no atomics needed). noinline on purpose: as a BPF
 * subprogram its signature keeps enum hook_stat in the object's BTF, which the agent's enum is
 * generated from; it runs only when something is dropped or excluded.
 */
static __noinline void count_stat(void *stats, enum hook_stat stat)
{
	__u32 index = stat;
	__u64 *value = bpf_map_lookup_elem(stats, &index);

	if (value)
		*value += 1;
}

#endif
