/* Extra orderings of the array-map commands on Linux 6.18, where kernel-array-maps.md is silent.
 * Source of the K.* rows in tests/SharpBpf.Runtime.Tests/Maps (K.c* = o.c*, K.l* = o.l*, ...).
 * Build and run as root, next to common.h from shared/spec/kernel-probes (pins need a bpffs, so a private mount):
 *   gcc -O1 -o order_probe order_probe.c && unshare -m sh -c "mount -t bpf bpf /sys/fs/bpf && ./order_probe"
 * The output of that run is order_probe.out.md beside this file. Not built or run by the tests. */
#include "common.h"
#define R(id, expr) do { errno = 0; long _r = (expr); row(id, #expr, _r, errno, NULL); } while (0)
static int batch(int cmd, int fd, void *in_batch, void *out_batch, void *keys, void *values,
		 uint32_t *count, uint64_t elem_flags, uint64_t flags)
{
	union bpf_attr a; int r;
	memset(&a, 0, sizeof(a));
	a.batch.map_fd = fd; a.batch.in_batch = (uint64_t)(unsigned long)in_batch;
	a.batch.out_batch = (uint64_t)(unsigned long)out_batch; a.batch.keys = (uint64_t)(unsigned long)keys;
	a.batch.values = (uint64_t)(unsigned long)values; a.batch.count = *count;
	a.batch.elem_flags = elem_flags; a.batch.flags = flags;
	r = (int)sys_bpf(cmd, &a, sizeof(a)); *count = a.batch.count; return r;
}
static long mm(int fd, size_t len, int prot, long off) {
	void *m = mmap(NULL, len, prot, MAP_SHARED, fd, off);
	if (m == MAP_FAILED) return -1;
	munmap(m, len); return 0;
}
static int get_fd_by_id(uint32_t id, uint32_t fl) {
	union bpf_attr a; memset(&a, 0, sizeof(a)); a.map_id = id; a.open_flags = fl;
	return (int)sys_bpf(BPF_MAP_GET_FD_BY_ID, &a, sizeof(a));
}
static int next_id(uint32_t s, uint32_t *n) {
	union bpf_attr a; memset(&a, 0, sizeof(a)); a.start_id = s;
	int r = (int)sys_bpf(BPF_MAP_GET_NEXT_ID, &a, sizeof(a)); *n = a.next_id; return r;
}
int main(void) {
	uint32_t k = 0, k9 = 9, cnt, keys[8] = {0,1,2}, ob; uint64_t v[64] = {0};
	int a = map_create(BPF_MAP_TYPE_ARRAY, 4, 8, 4, 0);
	int ro = map_create(BPF_MAP_TYPE_ARRAY, 4, 8, 4, BPF_F_RDONLY);
	int wo = map_create(BPF_MAP_TYPE_ARRAY, 4, 8, 4, BPF_F_WRONLY);
	int pc = map_create(BPF_MAP_TYPE_PERCPU_ARRAY, 4, 8, 4, 0);
	int pa = map_create(BPF_MAP_TYPE_PROG_ARRAY, 4, 4, 4, 0);
	int pe = map_create(BPF_MAP_TYPE_PERF_EVENT_ARRAY, 4, 4, 4, 0);
	int cg = map_create(BPF_MAP_TYPE_CGROUP_ARRAY, 4, 4, 4, 0);
	header("lookup order");
	R("o.l1", map_lookup(9999, &k, v, 1));
	R("o.l2", map_lookup(9999, &k, v, 0));
	R("o.l3", map_lookup(wo, &k, v, BPF_F_LOCK));
	R("o.l4", map_lookup(wo, NULL, v, 0));
	R("o.l5", map_lookup(0, &k, v, 0));
	R("o.l6", map_lookup(a, NULL, v, BPF_F_LOCK));
	R("o.l7", map_lookup(pe, &k9, v, 0));
	R("o.l8", map_lookup(pe, NULL, v, 0));
	R("o.l9", map_lookup(pa, &k, v, 0));
	R("o.l10", map_lookup(pa, &k9, v, 0));
	R("o.l11", map_lookup(cg, &k, v, 0));
	R("o.l12", map_lookup(pc, &k9, NULL, 0));
	header("update order");
	R("o.u1", map_update(ro, &k, v, 3));
	R("o.u2", map_update(a, &k, NULL, 3));
	R("o.u3", map_update(a, NULL, v, 3));
	R("o.u4", map_update(a, NULL, v, BPF_F_LOCK));
	R("o.u5", map_update(9999, &k, v, 3));
	R("o.u6", map_update(0, &k, v, 0));
	R("o.u7", map_update(pc, &k9, v, BPF_F_LOCK));
	R("o.u8", map_update(pc, &k9, v, 3));
	R("o.u9", map_update(pa, &k9, v, 0));
	R("o.u10", map_update(pa, &k, v, 1));
	R("o.u11", map_update(pa, &k9, v, 1));
	{ uint32_t f = 0; R("o.u12", map_update(pa, &k, &f, 0)); f = 9999; R("o.u13", map_update(pa, &k, &f, 0));
	  f = a; R("o.u14", map_update(pa, &k, &f, 0)); f = a; R("o.u15", map_update(pe, &k, &f, 0));
	  f = 0; R("o.u16", map_update(pe, &k, &f, 0)); f = 0; R("o.u17", map_update(cg, &k, &f, 0));
	  f = 9999; R("o.u18", map_update(cg, &k, &f, 0)); f = (uint32_t)-1; R("o.u19", map_update(pa, &k, &f, 0));
	  R("o.u20", map_update(pe, &k, &f, BPF_F_LOCK)); R("o.u21", map_update(pe, &k, &f, BPF_EXIST));}
	header("delete order");
	R("o.d1", map_delete(9999, &k, 1));
	R("o.d2", map_delete(ro, &k, 0));
	R("o.d3", map_delete(ro, NULL, 0));
	R("o.d4", map_delete(pc, NULL, 0));
	R("o.d5", map_delete(pa, &k9, 0));
	R("o.d6", map_delete(pa, &k, 0));
	R("o.d7", map_delete(pa, NULL, 0));
	R("o.d8", map_delete(wo, &k, 0));
	header("next key");
	R("o.n1", map_next(wo, NULL, &k));
	R("o.n2", map_next(ro, NULL, &k));
	R("o.n3", map_next(a, &k, NULL));
	{ uint32_t l = 3; R("o.n4", map_next(a, &l, NULL)); }
	R("o.n5", map_next(pa, NULL, &k));
	R("o.n6", map_next(9999, NULL, &k));
	header("lookup_and_delete");
	R("o.ld1", map_lookup_and_delete(9999, &k, v, 1));
	R("o.ld2", map_lookup_and_delete(ro, &k, v, 0));
	R("o.ld3", map_lookup_and_delete(wo, &k, v, 0));
	R("o.ld4", map_lookup_and_delete(a, NULL, v, 0));
	R("o.ld5", map_lookup_and_delete(a, &k, NULL, 0));
	R("o.ld6", map_lookup_and_delete(pa, &k, v, 0));
	R("o.ld7", map_lookup_and_delete(ro, &k, v, BPF_F_LOCK));
	header("batch");
	cnt = 3; R("o.b1", batch(BPF_MAP_LOOKUP_BATCH, pa, NULL, &ob, keys, v, &cnt, 0, 0));
	cnt = 3; R("o.b2", batch(BPF_MAP_UPDATE_BATCH, pa, NULL, NULL, keys, v, &cnt, 0, 0));
	cnt = 3; R("o.b3", batch(BPF_MAP_DELETE_BATCH, pa, NULL, NULL, keys, v, &cnt, 0, 0));
	cnt = 3; R("o.b4", batch(BPF_MAP_LOOKUP_BATCH, wo, NULL, &ob, keys, v, &cnt, 0, 0));
	cnt = 3; R("o.b5", batch(BPF_MAP_UPDATE_BATCH, ro, NULL, NULL, keys, v, &cnt, 0, 0));
	cnt = 3; R("o.b6", batch(BPF_MAP_DELETE_BATCH, ro, NULL, NULL, keys, v, &cnt, 0, 0));
	cnt = 3; R("o.b7", batch(BPF_MAP_LOOKUP_AND_DELETE_BATCH, ro, NULL, &ob, keys, v, &cnt, 0, 0));
	cnt = 0; R("o.b8", batch(BPF_MAP_LOOKUP_BATCH, a, NULL, &ob, keys, v, &cnt, 1, 0));
	cnt = 0; R("o.b9", batch(BPF_MAP_LOOKUP_BATCH, a, NULL, NULL, NULL, NULL, &cnt, 0, 0));
	cnt = 3; R("o.b10", batch(BPF_MAP_DELETE_BATCH, a, NULL, NULL, keys, v, &cnt, 1, 0));
	cnt = 3; R("o.b11", batch(BPF_MAP_LOOKUP_BATCH, a, NULL, &ob, keys, NULL, &cnt, 0, 0)); printf("count=%u\n", cnt);
	cnt = 3; R("o.b12", batch(BPF_MAP_UPDATE_BATCH, a, NULL, NULL, NULL, v, &cnt, 0, 0)); printf("count=%u\n", cnt);
	cnt = 3; R("o.b13", batch(BPF_MAP_LOOKUP_BATCH, 9999, NULL, &ob, keys, v, &cnt, 0, 0));
	cnt = 3; R("o.b14", batch(BPF_MAP_LOOKUP_BATCH, pc, NULL, &ob, keys, v, &cnt, 0, 0)); printf("count=%u ob=%u\n", cnt, ob);
	cnt = 3; R("o.b15", batch(BPF_MAP_LOOKUP_AND_DELETE_BATCH, pc, NULL, &ob, keys, v, &cnt, 0, 0));
	cnt = 3; {uint32_t ib = 2; R("o.b16", batch(BPF_MAP_LOOKUP_BATCH, a, &ib, &ob, keys, v, &cnt, 0, 0)); printf("count=%u ob=%u\n", cnt, ob);}
	cnt = 3; R("o.b17", batch(BPF_MAP_UPDATE_BATCH, a, NULL, NULL, keys, v, &cnt, 4, 0)); printf("count=%u\n", cnt);
	header("freeze");
	R("o.f1", map_freeze(ro));
	R("o.f2", map_freeze(wo));
	R("o.f3", map_freeze(9999));
	R("o.f4", map_freeze(0));
	{ int f = map_create(BPF_MAP_TYPE_ARRAY, 4, 8, 4, 0); map_freeze(f);
	  R("o.f5", map_update(f, NULL, v, 3));
	  R("o.f6", map_delete(f, NULL, 0));
	  R("o.f7", mm(f, 4096, PROT_READ|PROT_WRITE, 0));
	  R("o.f8", mm(f, 4096, PROT_READ, 0));
	  cnt = 3; R("o.f9", batch(BPF_MAP_DELETE_BATCH, f, NULL, NULL, keys, v, &cnt, 0, 0));
	  R("o.f10", map_lookup_and_delete(f, &k, v, 0));
	  cnt = 3; R("o.f11", batch(BPF_MAP_LOOKUP_BATCH, f, NULL, &ob, keys, v, &cnt, 0, 0));
	  close(f); }
	header("mmap");
	{ int rom = map_create(BPF_MAP_TYPE_ARRAY, 4, 8, 4, BPF_F_RDONLY|BPF_F_MMAPABLE);
	  int wom = map_create(BPF_MAP_TYPE_ARRAY, 4, 8, 4, BPF_F_WRONLY|BPF_F_MMAPABLE);
	  int pcro = map_create(BPF_MAP_TYPE_PERCPU_ARRAY, 4, 8, 4, BPF_F_RDONLY);
	  int m = map_create(BPF_MAP_TYPE_ARRAY, 4, 8, 4, BPF_F_MMAPABLE);
	  int mrp = map_create(BPF_MAP_TYPE_ARRAY, 4, 8, 4, BPF_F_MMAPABLE|BPF_F_RDONLY_PROG);
	  R("o.m1", mm(pcro, 4096, PROT_READ, 0));
	  R("o.m2", mm(pcro, 4096, PROT_READ|PROT_WRITE, 0));
	  R("o.m3", mm(ro, 4096, PROT_READ, 0));
	  R("o.m4", mm(wom, 4096, PROT_READ, 0));
	  R("o.m5", mm(rom, 4096, PROT_READ, 4096));
	  R("o.m6", mm(m, 0, PROT_READ, 0));
	  R("o.m7", mm(m, 4096, PROT_READ, 100));
	  R("o.m8", mm(m, 4096, PROT_READ, -4096));
	  map_freeze(mrp);
	  R("o.m9", mm(mrp, 4096, PROT_READ|PROT_WRITE, 0));
	  R("o.m10", mm(a, 4096, PROT_READ|PROT_WRITE, 0));
	  R("o.m11", mm(pa, 4096, PROT_READ|PROT_WRITE, 0));
	  R("o.m12", mm(m, 4096, PROT_READ|PROT_WRITE, 4096));
	  R("o.m13", mm(pc, 4096, PROT_READ|PROT_WRITE, 4096));
	  R("o.m14", mm(wo, 4096, PROT_READ, 0));
	  R("o.m15", mm(pe, 4096, PROT_READ, 0));
	  R("o.m16", mm(a, 4096, PROT_READ, 4096));
	  /* mapping keeps working after fd close; freeze via another fd while mapped */
	  void *p = mmap(NULL, 4096, PROT_READ|PROT_WRITE, MAP_SHARED, m, 0);
	  struct bpf_map_info info; uint32_t len = sizeof(info); memset(&info, 0, sizeof(info)); obj_get_info(m, &info, &len);
	  close(m);
	  int m2 = get_fd_by_id(info.id, 0);
	  R("o.m17 (get by id after close while mapped)", m2);
	  R("o.m18", map_freeze(m2));
	  munmap(p, 4096); usleep(1000);
	  R("o.m19", map_freeze(m2));
	}
	header("create order");
	{ struct mapspec s = {BPF_MAP_TYPE_PERCPU_ARRAY, 4, 8, 4, 0, 0, 0, NULL, 0, 0};
	  struct mapspec t;
	  union bpf_attr b;
#define C(id, ...) do { t = s; __VA_ARGS__; errno = 0; int fd = map_create_spec(&t); row(id, #__VA_ARGS__, fd < 0 ? fd : 0, errno, NULL); if (fd >= 0) close(fd); } while (0)
	  C("o.c1", t.value_size = 40000, t.flags = BPF_F_MMAPABLE);
	  C("o.c2", t.value_size = 40000, t.name = "bad-");
	  C("o.c3", t.type = BPF_MAP_TYPE_ARRAY, t.value_size = 0x80000000u, t.flags = 1);
	  C("o.c4", t.type = BPF_MAP_TYPE_ARRAY, t.value_size = 8, t.max_entries = 0xffffffffu, t.name = "bad-");
	  C("o.c5", t.type = BPF_MAP_TYPE_ARRAY, t.key_size = 8, t.value_size = 0x80000000u);
	  C("o.c6", t.type = 1000, t.flags = BPF_F_RDONLY|BPF_F_WRONLY);
	  C("o.c7", t.type = 1000, t.map_extra = 1);
	  C("o.c8", t.type = BPF_MAP_TYPE_ARRAY, t.flags = BPF_F_NUMA_NODE, t.numa_node = 0xfffffffe);
	  C("o.c9", t.type = BPF_MAP_TYPE_ARRAY, t.flags = BPF_F_NUMA_NODE | BPF_F_RDONLY_PROG | BPF_F_WRONLY_PROG, t.numa_node = 0);
	  C("o.c10", t.type = BPF_MAP_TYPE_ARRAY, t.value_size = 0x80000000u, t.max_entries = 0);
	  C("o.c11", t.type = BPF_MAP_TYPE_PROG_ARRAY, t.value_size = 4, t.flags = BPF_F_MMAPABLE);
	  C("o.c12", t.type = BPF_MAP_TYPE_PROG_ARRAY, t.value_size = 0x80000000u);
	  C("o.c13", t.type = BPF_MAP_TYPE_PERF_EVENT_ARRAY, t.value_size = 4, t.flags = BPF_F_PRESERVE_ELEMS | BPF_F_NUMA_NODE, t.numa_node = 0);
	  C("o.c14", t.type = BPF_MAP_TYPE_ARRAY, t.value_size = 0x7ffffff8u, t.max_entries = 16, t.flags = 0);
	  C("o.c15", t.type = BPF_MAP_TYPE_PERCPU_ARRAY, t.value_size = 8, t.max_entries = 0xffffffffu);
	  C("o.c16", t.type = BPF_MAP_TYPE_ARRAY, t.flags = KSEM_BPF_F_TOKEN_FD | BPF_F_RDONLY);
	  C("o.c17", t.type = BPF_MAP_TYPE_ARRAY, t.flags = KSEM_BPF_F_TOKEN_FD, t.value_size = 0);

	  memset(&b, 0, sizeof(b)); b.map_type = BPF_MAP_TYPE_PERCPU_ARRAY; b.key_size = 4; b.value_size = 8; b.max_entries = 4; b.map_ifindex = 1;
	  R("o.c20 percpu ifindex=1", sys_bpf(BPF_MAP_CREATE, &b, sizeof(b)));
	  b.map_type = BPF_MAP_TYPE_ARRAY; b.map_ifindex = 9999;
	  R("o.c21 array ifindex=9999", sys_bpf(BPF_MAP_CREATE, &b, sizeof(b)));
	  b.map_ifindex = 1; strcpy(b.map_name, "bad-");
	  R("o.c22 array ifindex=1 bad name", sys_bpf(BPF_MAP_CREATE, &b, sizeof(b)));
	  b.map_ifindex = 1; b.map_name[0] = 0; b.key_size = 8;
	  R("o.c23 array ifindex=1 k=8", sys_bpf(BPF_MAP_CREATE, &b, sizeof(b)));
	  b.map_type = BPF_MAP_TYPE_PROG_ARRAY; b.key_size = 4; b.value_size = 4;
	  R("o.c24 prog_array ifindex=1", sys_bpf(BPF_MAP_CREATE, &b, sizeof(b)));
	  memset(&b, 0, sizeof(b)); b.map_type = BPF_MAP_TYPE_ARRAY; b.key_size = 4; b.value_size = 8; b.max_entries = 4;
	  b.btf_key_type_id = 1; b.btf_value_type_id = 2;
	  R("o.c25 btf key+value ids, btf_fd=0", sys_bpf(BPF_MAP_CREATE, &b, sizeof(b)));
	  b.btf_fd = 9999;
	  R("o.c26 btf key+value ids, btf_fd=9999", sys_bpf(BPF_MAP_CREATE, &b, sizeof(b)));
	  b.btf_key_type_id = 0; b.btf_fd = 0;
	  R("o.c27 btf value id only, btf_fd=0", sys_bpf(BPF_MAP_CREATE, &b, sizeof(b)));
	  b.btf_value_type_id = 0; b.btf_vmlinux_value_type_id = 5;
	  R("o.c28 btf_vmlinux_value_type_id=5", sys_bpf(BPF_MAP_CREATE, &b, sizeof(b)));
	  b.btf_vmlinux_value_type_id = 0; b.btf_fd = 9999;
	  R("o.c29 btf_fd=9999 no ids", sys_bpf(BPF_MAP_CREATE, &b, sizeof(b)));
	  b.btf_fd = 0; b.btf_value_type_id = 2; b.key_size = 8;
	  R("o.c30 btf value id, k=8", sys_bpf(BPF_MAP_CREATE, &b, sizeof(b)));
	  b.key_size = 4; b.max_entries = 0xffffffffu; 
	  R("o.c31 btf value id, huge", sys_bpf(BPF_MAP_CREATE, &b, sizeof(b)));
	  memset(&b, 0, sizeof(b)); b.map_type = BPF_MAP_TYPE_ARRAY; b.key_size = 4; b.value_size = 8; b.max_entries = 4; b.inner_map_fd = 9999; b.map_flags = BPF_F_INNER_MAP;
	  R("o.c32 inner_map flag, inner fd garbage", sys_bpf(BPF_MAP_CREATE, &b, sizeof(b)));
	}
	header("pins and ids");
	{ const char *p = "/sys/fs/bpf/ksem_order_probe";
	  unlink(p);
	  R("o.p1", obj_pin(a, p));
	  R("o.p2", obj_pin(a, p));
	  R("o.p3", obj_pin(9999, "/sys/fs/bpf/x9"));
	  R("o.p4", obj_pin(0, "/sys/fs/bpf/x9"));
	  R("o.p5", obj_pin(a, "/tmp/ksem_x"));
	  R("o.p6", obj_pin(a, "/sys/fs/bpf/nodir/x"));
	  R("o.p7", obj_get("/sys/fs/bpf/nonexistent", 0));
	  R("o.p8", obj_get("/sys/fs/bpf", 0));
	  R("o.p9", obj_pin(a, "/sys/fs/bpf/ksem_order_probe/sub"));
	  R("o.p10", obj_get(p, BPF_F_RDONLY|BPF_F_WRONLY));
	  R("o.p11", obj_get("/sys/fs/bpf/nonexistent", BPF_F_RDONLY|BPF_F_WRONLY));
	  R("o.p12", unlink(p)); R("o.p13", unlink(p));
	  R("o.p14", obj_pin(a, "/sys/fs/bpf/"));
	  R("o.p15", obj_pin(a, "relative"));
	  uint32_t n;
	  R("o.i1", get_fd_by_id(0x7fffff00, 0));
	  R("o.i2", get_fd_by_id(0x7fffff00, BPF_F_RDONLY|BPF_F_WRONLY));
	  R("o.i3", get_fd_by_id(0x7fffff00, 1u<<5));
	  R("o.i4", get_fd_by_id(0, 0));
	  R("o.i5", next_id(0x7fffffff, &n));
	  R("o.i6", next_id(0x7ffffffe, &n));
	  R("o.i7", next_id(0xffffffff, &n));
	  R("o.i8", get_fd_by_id(0x80000000u, 0));
	}
	return 0;
}
