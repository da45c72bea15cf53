// SPDX-License-Identifier: MIT
// Programs for the runtime's newer helpers (bpf_loop with its callback as a bpf-to-bpf call, bpf_trace_printk,
// the clocks, prandom, pid_tgid) and for XDP context access, run on both backends by the CLI tests.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct loop_ctx {
	__u64 sum;
	__u32 stop_at;
};

static long add_index(__u64 index, void *data)
{
	struct loop_ctx *ctx = data;

	ctx->sum += index;
	return index + 1 == ctx->stop_at;
}

SEC("xdp")
int loop_sum(struct xdp_md *xdp)
{
	struct loop_ctx ctx = { .sum = 0, .stop_at = 0 };
	long calls = bpf_loop(10, add_index, &ctx, 0);

	return (int)(ctx.sum * 100 + calls); /* 45 * 100 + 10 */
}

SEC("xdp")
int loop_break(struct xdp_md *xdp)
{
	struct loop_ctx ctx = { .sum = 0, .stop_at = 4 };
	long calls = bpf_loop(100, add_index, &ctx, 0);

	return (int)(ctx.sum * 100 + calls); /* 0+1+2+3 = 6, 4 calls */
}

SEC("xdp")
int loop_limits(struct xdp_md *xdp)
{
	struct loop_ctx ctx = { .sum = 0, .stop_at = 0 };
	long too_many = bpf_loop((1 << 23) + 1, add_index, &ctx, 0);
	long flags = bpf_loop(1, add_index, &ctx, 1);

	return (int)(too_many * 1000 + flags); /* -E2BIG * 1000 + -EINVAL */
}

SEC("xdp")
int trace(struct xdp_md *xdp)
{
	void *data = (void *)(long)xdp->data;
	void *data_end = (void *)(long)xdp->data_end;

	bpf_printk("packet of %d bytes, proto 0x%x", (int)(data_end - data), 0x800);
	return XDP_PASS;
}

SEC("xdp")
int clocks(struct xdp_md *xdp)
{
	__u64 a = bpf_ktime_get_ns();
	__u64 b = bpf_ktime_get_ns();
	__u64 boot = bpf_ktime_get_boot_ns();
	__u64 pid = bpf_get_current_pid_tgid();

	bpf_get_prandom_u32();
	/* 1: monotonic, 2: boot time not behind, 4: a pid and a tgid */
	return (b >= a) | ((boot >= a) << 1) | (((pid >> 32) != 0 && (__u32)pid != 0) << 2);
}

SEC("xdp")
int swap_macs(struct xdp_md *xdp)
{
	unsigned char *data = (void *)(long)xdp->data;
	unsigned char *data_end = (void *)(long)xdp->data_end;
	unsigned char tmp;
	int i;

	if (data + 12 > data_end)
		return XDP_ABORTED;
	for (i = 0; i < 6; i++) {
		tmp = data[i];
		data[i] = data[i + 6];
		data[i + 6] = tmp;
	}
	return XDP_TX;
}

char LICENSE[] SEC("license") = "GPL";
