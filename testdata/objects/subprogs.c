// SPDX-License-Identifier: MIT
// subprogs: bpf-to-bpf calls into .text. A global subprogram (call imm = -1,
// R_BPF_64_32 against its own symbol), a static subprogram called twice and
// from another subprogram (relocation against the .text section symbol, the
// callee's offset encoded in imm), a map used from inside a subprogram, and
// a bpf_loop callback whose address is taken with ld_imm64 (BPF_PSEUDO_FUNC).
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} totals SEC(".maps");

static __noinline __u64 mix(__u64 x)
{
	x ^= x >> 31;
	x *= 0x9E3779B97F4A7C15ULL;
	return x ^ (x >> 29);
}

static __noinline int bump(__u32 slot, __u64 by)
{
	__u64 *v = bpf_map_lookup_elem(&totals, &slot);
	if (!v)
		return -1;
	*v += mix(by);
	return 0;
}

__noinline int global_add(int a, int b)
{
	return a + (int)mix((__u64)b);
}

static int loop_body(__u32 index, void *ctx)
{
	__u64 *acc = ctx;
	*acc += index;
	return 0;
}

SEC("xdp")
int calls_xdp(struct xdp_md *ctx)
{
	__u64 acc = 0;
	bpf_loop(8, loop_body, &acc, 0);
	bump(0, acc);
	bump(1, 7);
	return global_add(1, 2) > 0 ? XDP_PASS : XDP_DROP;
}

SEC("tc")
int calls_tc(struct __sk_buff *skb)
{
	bump(2, skb->len);
	return global_add((int)skb->len, 3);
}

char _license[] SEC("license") = "GPL";
