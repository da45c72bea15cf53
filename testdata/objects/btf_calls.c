// SPDX-License-Identifier: MIT
// Programs the kernel's verifier accepts only with the object's BTF (prog_btf_fd + func_info): a bpf-to-bpf
// subprogram that tail-calls ("tail_call is not allowed in subprogs without BTF"), bpf_loop callbacks and a global
// function (verified on its own from its BTF prototype). The loader tests load them through CollectionLoader on the
// kernel and on the userspace runtime and compare retval and maps.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

/* counts[0]: caller runs, [1]: tail-call attempts in the subprogram, [2]: target runs, [3]: loop sums */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} counts SEC(".maps");

static __always_inline void bump(__u32 slot, __u64 by)
{
	__u64 *v = bpf_map_lookup_elem(&counts, &slot);

	if (v)
		__sync_fetch_and_add(v, by);
}

SEC("xdp")
int target(struct xdp_md *ctx)
{
	bump(2, 1);
	return 7;
}

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 2);
	__uint(key_size, sizeof(__u32));
	__array(values, int (void *));
} jumps SEC(".maps") = {
	.values = { [0] = (void *)&target },
};

/* Slot 0 holds target: its r0 (7) comes back here as this function's return. Slot 1 is empty: slot + 5 (a
 * return that depends on the argument, so clang cannot fold the call into a constant). */
static __noinline int sub_tail(struct xdp_md *ctx, __u32 slot)
{
	bump(1, 1);
	bpf_tail_call(ctx, &jumps, slot);
	return (int)slot + 5;
}

SEC("xdp")
int tail_in_sub(struct xdp_md *ctx)
{
	int a = sub_tail(ctx, 0);
	int b = sub_tail(ctx, 1);

	bump(0, 1);
	return a * 100 + b * 10 + 1; /* 761 */
}

struct loop_ctx {
	__u64 sum;
	__u32 stop_at;
};

static long add_index(__u64 index, void *data)
{
	struct loop_ctx *lc = data;

	lc->sum += index;
	return index + 1 == lc->stop_at;
}

/* A global function: the verifier checks it once, from its BTF prototype, not per call site. */
__noinline int scale(int value, int by)
{
	return value * by + 3;
}

SEC("xdp")
int loop_sum(struct xdp_md *ctx)
{
	struct loop_ctx lc = { .sum = 0, .stop_at = 0 };
	long calls = bpf_loop(10, add_index, &lc, 0);

	bump(3, lc.sum);
	return scale((int)(lc.sum * 100 + calls), 2); /* (45 * 100 + 10) * 2 + 3 = 9023 */
}

SEC("xdp")
int loop_break(struct xdp_md *ctx)
{
	struct loop_ctx lc = { .sum = 0, .stop_at = 4 };
	long calls = bpf_loop(100, add_index, &lc, 0);

	bump(3, lc.sum);
	return (int)(lc.sum * 100 + calls); /* 0+1+2+3 = 6, 4 calls: 604 */
}

char LICENSE[] SEC("license") = "GPL";
