// SPDX-License-Identifier: MIT
// btf_kinds: globals whose types put most BTF kinds into .BTF: ENUM (signed and
// unsigned), UNION, bitfields (kind_flag members), FLOAT, FWD, RESTRICT,
// DECL_TAG and TYPE_TAG, CONST and VOLATILE, a typedef chain, a static
// (hidden) function and a 2-D array. clang 14 does not emit ENUM64; the
// reader's unit tests cover it with hand-built BTF.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

enum colour { RED = -1, GREEN = 7, BLUE = 0x7fffffff };
enum small { A = 1, B = 2 };

struct opaque; /* only ever used through a pointer: FWD */

typedef unsigned int u32_t;
typedef u32_t id_t;

struct packed_bits {
	unsigned int lo : 3;
	unsigned int mid : 13;
	unsigned int hi : 16;
	float ratio;
	double precise;
	union {
		id_t id;
		unsigned char bytes[4];
	} u;
	enum colour colour;
	enum small small;
	struct opaque *opaque;
	int grid[2][3];
} __attribute__((btf_decl_tag("packed")));

struct packed_bits shape SEC(".data.kinds") = { .lo = 5, .mid = 1000, .hi = 65535, .ratio = 1.5f, .colour = BLUE };
const volatile id_t limit = 9;
int __attribute__((btf_type_tag("user"))) *tagged_ptr;

static __noinline int sum(int *__restrict a, int n) __attribute__((btf_decl_tag("helper")))
{
	return a[0] + n;
}

SEC("raw_tp/sys_enter")
int kinds(void *ctx)
{
	int local = shape.lo + shape.mid + (shape.colour == BLUE ? 1 : 0);
	if (tagged_ptr)
		local += 1;
	return sum(&local, (int)limit) + shape.u.id;
}

char _license[] SEC("license") = "GPL";
