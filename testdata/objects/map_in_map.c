// SPDX-License-Identifier: MIT
// map_in_map: an ARRAY_OF_MAPS whose inner definition is an ARRAY, with a
// .values initialiser pointing at two inner maps; a HASH_OF_MAPS without
// initialiser; a map pinned by name; a map with flags, numa_node and
// map_extra (bloom filter hash count).
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct inner_array {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 8);
	__type(key, __u32);
	__type(value, __u32);
};

struct inner_array inner_a SEC(".maps");
struct inner_array inner_b SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 2);
	__type(key, __u32);
	__array(values, struct inner_array);
} outer SEC(".maps") = {
	.values = { &inner_a, &inner_b },
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH_OF_MAPS);
	__uint(max_entries, 16);
	__type(key, __u64);
	__array(values, struct {
		__uint(type, BPF_MAP_TYPE_HASH);
		__uint(max_entries, 32);
		__type(key, __u16);
		__type(value, __u64);
	});
} outer_hash SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, __u32);
	__type(value, struct { __u64 packets; __u64 bytes; });
	__uint(pinning, LIBBPF_PIN_BY_NAME);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(numa_node, 0);
} pinned_stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_BLOOM_FILTER);
	__uint(max_entries, 100);
	__uint(value_size, 8);
	__uint(map_extra, 3);
} seen SEC(".maps");

SEC("xdp")
int lookup_inner(struct xdp_md *ctx)
{
	__u32 key = 1, ikey = 0;
	__u32 *inner = bpf_map_lookup_elem(&outer, &key);
	if (!inner)
		return XDP_ABORTED;
	__u32 *val = bpf_map_lookup_elem(inner, &ikey);
	if (!val)
		return XDP_DROP;
	__u32 k = *val;
	struct { __u64 packets; __u64 bytes; } *s = bpf_map_lookup_elem(&pinned_stats, &k);
	if (s)
		s->packets++;
	__u64 v = k;
	bpf_map_push_elem(&seen, &v, 0);
	return XDP_PASS;
}

char _license[] SEC("license") = "GPL";
