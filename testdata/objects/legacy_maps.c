// SPDX-License-Identifier: MIT
// legacy_maps: maps declared the pre-BTF way, as struct bpf_map_def values in
// the "maps" section. Two definitions with different strides: the reader must
// take each map's size from its ELF symbol, not from a fixed struct size.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

/* The classic five-field definition (libbpf < 1.0). */
struct legacy_def {
	unsigned int type;
	unsigned int key_size;
	unsigned int value_size;
	unsigned int max_entries;
	unsigned int map_flags;
};

/* iproute2-style definition with extra trailing fields the reader must skip. */
struct legacy_def_ext {
	unsigned int type;
	unsigned int key_size;
	unsigned int value_size;
	unsigned int max_entries;
	unsigned int map_flags;
	unsigned int id;
	unsigned int pinning;
};

struct legacy_def counters SEC("maps") = {
	.type = BPF_MAP_TYPE_ARRAY,
	.key_size = sizeof(__u32),
	.value_size = sizeof(__u64),
	.max_entries = 16,
};

struct legacy_def_ext flows SEC("maps") = {
	.type = BPF_MAP_TYPE_HASH,
	.key_size = sizeof(__u64),
	.value_size = sizeof(__u32),
	.max_entries = 1024,
	.map_flags = BPF_F_NO_PREALLOC,
	.id = 7,
	.pinning = 2,
};

SEC("socket")
int count_packets(struct __sk_buff *skb)
{
	__u32 key = skb->protocol & 15;
	__u64 *val = bpf_map_lookup_elem(&counters, &key);
	if (val)
		*val += 1;
	__u64 fkey = skb->len;
	__u32 one = 1;
	bpf_map_update_elem(&flows, &fkey, &one, BPF_ANY);
	return 0;
}

char _license[] SEC("license") = "Dual MIT/GPL";
__u32 _version SEC("version") = 0x050a00;
