// SPDX-License-Identifier: MIT
// Programs for `sharpbpf prog diff` tests: some agree on both backends (a counter the map updates seed, a per-CPU
// counter), some cannot agree by construction (bpf_get_prandom_u32 returned or stored: the two backends draw
// different numbers, equal only with probability 2^-32).
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} counts SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u64);
} cpu_counts SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} drawn SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u32);
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_CGROUP_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u32);
} cgroups SEC(".maps");

/* counts[0] += 1, counts[1] = counts[0] * 2; returns the new counts[0] (low 32 bits). */
SEC("xdp")
int count(struct xdp_md *xdp)
{
	__u32 k0 = 0, k1 = 1;
	__u64 *c0 = bpf_map_lookup_elem(&counts, &k0);
	__u64 *c1 = bpf_map_lookup_elem(&counts, &k1);

	if (!c0 || !c1)
		return XDP_ABORTED;
	*c0 += 1;
	*c1 = *c0 * 2;
	return (int)*c0;
}

/* cpu_counts[1] += 1 on the running CPU. */
SEC("xdp")
int count_cpu(struct xdp_md *xdp)
{
	__u32 k = 1;
	__u64 *c = bpf_map_lookup_elem(&cpu_counts, &k);

	if (!c)
		return XDP_ABORTED;
	*c += 1;
	return XDP_PASS;
}

/* Returns a random number: the backends differ in retval. */
SEC("xdp")
int random_retval(struct xdp_md *xdp)
{
	return (int)bpf_get_prandom_u32();
}

/* Stores a random number in drawn[0] and returns XDP_PASS: the backends differ in one map value only. */
SEC("xdp")
int random_map(struct xdp_md *xdp)
{
	__u32 k = 0;
	__u32 *v = bpf_map_lookup_elem(&drawn, &k);

	if (!v)
		return XDP_ABORTED;
	*v = bpf_get_prandom_u32();
	return XDP_PASS;
}

/* bpf_perf_event_output to an empty slot (-ENOENT) and bpf_current_task_under_cgroup with an empty slot (-EAGAIN) on
 * both backends; returns -(the sum of the two), 13. Puts perf-event and cgroup arrays into the comparison. */
SEC("xdp")
int fd_arrays(struct xdp_md *xdp)
{
	__u64 sample = 42;
	long out = bpf_perf_event_output(xdp, &events, BPF_F_CURRENT_CPU, &sample, sizeof(sample));
	long cg = bpf_current_task_under_cgroup(&cgroups, 0);

	return (int)-(out + cg);
}

char LICENSE[] SEC("license") = "GPL";
