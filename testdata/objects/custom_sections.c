// SPDX-License-Identifier: MIT
// custom_sections: global data beyond .data/.bss/.rodata: a string literal
// in .rodata.str1.1, a variable in .data.custom, a constant in .rodata.cfg,
// a static (hidden) .bss counter, a kprobe and a tracepoint section, and a
// "version" section.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

int custom_var SEC(".data.custom") = 42;
const volatile __u32 cfg_limit SEC(".rodata.cfg") = 1000;
static __u64 hidden_counter;
__u64 visible_counter = 5;
const volatile __u64 ro_threshold = 77;

SEC("kprobe/do_nanosleep")
int probe_sleep(void *ctx)
{
	static const char fmt[] = "sleep %d\n";
	hidden_counter++;
	visible_counter += ro_threshold;
	if (custom_var < cfg_limit)
		custom_var++;
	bpf_trace_printk(fmt, sizeof(fmt), custom_var);
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_write")
int tp_write(void *ctx)
{
	/* A literal whose address escapes lands in .rodata.str1.1 (mergeable strings). */
	char buf[16];
	bpf_probe_read_kernel_str(buf, sizeof(buf), "string literal");
	return buf[0] + (int)hidden_counter;
}

char _license[] SEC("license") = "GPL";
__u32 _version SEC("version") = 0x060c00;
