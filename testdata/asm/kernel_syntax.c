// A program that exercises many instruction shapes (ALU32/64, JMP32, atomics of both widths, byte swaps,
// 64-bit constants, loads and stores of every size) so that SharpBpf.Asm's printers can be compared with
// llvm-objdump-14 and with `bpftool prog dump xlated` (kernel_syntax.xlated.txt). No maps, helpers or
// BPF-to-BPF calls, so the kernel's xlated program is the object's program unchanged. Build and golden
// commands: see make_kernel_syntax.sh.
#include <linux/bpf.h>

#define SEC(n) __attribute__((section(n), used))

SEC("xdp") int kernel_syntax(struct xdp_md *ctx)
{
	volatile unsigned long long v = 0x123456789ULL;
	volatile unsigned int w = 5;
	volatile unsigned short h = 7;
	volatile unsigned char b = 9;
	unsigned long long r;
	unsigned int x;

	__sync_fetch_and_add(&v, 3);
	__sync_fetch_and_or(&v, 0x30);
	__sync_fetch_and_and(&v, ~1ULL);
	__sync_fetch_and_xor(&v, 0x100);
	r = __sync_fetch_and_add(&v, w);
	r += __sync_fetch_and_or(&v, r);
	r += __sync_fetch_and_and(&v, r | 1);
	r += __sync_fetch_and_xor(&v, r);
	r += __sync_lock_test_and_set(&v, r);
	r += __sync_val_compare_and_swap(&v, r, 7);
	__sync_fetch_and_add(&w, 3);
	x = __sync_fetch_and_add(&w, 4);
	x += __sync_fetch_and_or(&w, x);
	x += __sync_fetch_and_and(&w, x);
	x += __sync_fetch_and_xor(&w, 9);
	x += __sync_lock_test_and_set(&w, x);
	x += __sync_val_compare_and_swap(&w, x, 11);
	r += x;
	r += h + b;
	h = (unsigned short)r;
	b = (unsigned char)x;
	if (w > 3)
		r ^= 0xfffffff0u;
	if ((int)w < -3)
		r = -r;
	if ((long long)r > -100)
		r += 0x1122334455667788ULL;
	if (x & 0x40)
		x = -x;
	x = x / 7 + x % 5 + (x << 3) + (x >> 2) + ((int)x >> 1) - 0x7fffffff;
	r = r / 9 + r % 11 + ((long long)r >> 7) + (r * 13);
	r += __builtin_bswap16((unsigned short)r) + __builtin_bswap32(x) + __builtin_bswap64(r);
	return (r + x) & 1 ? XDP_PASS : XDP_DROP;
}

char _license[] SEC("license") = "GPL";
