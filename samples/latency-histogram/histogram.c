// SPDX-License-Identifier: MIT
// latency-histogram: the classic bcc pattern, a log2 histogram of request latencies kept in a PERCPU_ARRAY
// (slot i counts latencies in [2^i, 2^(i+1)) nanoseconds).
//
// Each run of the XDP program handles one simulated request. Its input is the first 8 bytes of the packet: a
// xorshift64 state that the program advances and writes back, so with `--repeat N` every run sees a new input
// (the runs share one packet buffer, exactly as the kernel's BPF_PROG_TEST_RUN does). Most requests are served
// from a cache in 4-8 us, one in 16 goes to disk (128-256 us), and each is stretched by up to six doublings of
// queueing delay, so the histogram has two humps.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define SLOTS 64

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, SLOTS);
	__type(key, __u32);
	__type(value, __u64);
} latency_ns SEC(".maps");

static __always_inline __u32 log2_u32(__u32 v)
{
	__u32 r, shift;

	r = (v > 0xFFFF) << 4; v >>= r;
	shift = (v > 0xFF) << 3; v >>= shift; r |= shift;
	shift = (v > 0xF) << 2; v >>= shift; r |= shift;
	shift = (v > 0x3) << 1; v >>= shift; r |= shift;
	r |= (v >> 1);
	return r;
}

static __always_inline __u32 log2_u64(__u64 v)
{
	__u32 hi = v >> 32;

	if (hi)
		return log2_u32(hi) + 32;
	return log2_u32((__u32)v);
}

SEC("xdp")
int record_latency(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u64 *state = data;
	__u64 x, base, latency;
	__u32 slot;
	__u64 *count;

	if ((void *)(state + 1) > data_end)
		return XDP_ABORTED;

	/* This run's input, and the next run's. */
	x = *state;
	if (x == 0)
		x = 0x9E3779B97F4A7C15ULL;
	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	*state = x;

	base = (x & 0xf) == 0 ? (1ULL << 17) : (1ULL << 12);
	latency = (base + ((x >> 8) & (base - 1))) << (((x >> 32) & 3) + ((x >> 34) & 3));

	slot = log2_u64(latency);
	count = bpf_map_lookup_elem(&latency_ns, &slot);
	if (count)
		*count += 1;
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "Dual MIT/GPL";
