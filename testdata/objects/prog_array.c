// SPDX-License-Identifier: MIT
// prog_array: a PROG_ARRAY with a static .values initialiser, so the loader
// must fill slots 0 and 2 with programs of this object after loading it.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

int tail_a(struct xdp_md *ctx);
int tail_b(struct xdp_md *ctx);

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 4);
	__uint(key_size, sizeof(__u32));
	__array(values, int (void *));
} jump_table SEC(".maps") = {
	.values = {
		[0] = (void *)&tail_a,
		[2] = (void *)&tail_b,
	},
};

SEC("xdp")
int entry(struct xdp_md *ctx)
{
	bpf_tail_call(ctx, &jump_table, 0);
	return XDP_ABORTED;
}

SEC("xdp")
int tail_a(struct xdp_md *ctx)
{
	bpf_tail_call(ctx, &jump_table, 2);
	return XDP_DROP;
}

SEC("xdp")
int tail_b(struct xdp_md *ctx)
{
	return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
