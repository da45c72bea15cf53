/* Which fires first in BPF_MAP_UPDATE_ELEM / BPF_MAP_LOOKUP_ELEM on ARRAY and PERCPU_ARRAY (Linux 6.18): the element
 * flags or a value/key buffer the kernel cannot copy completely. kernel-array-maps.md is silent on the mix.
 * Source of the V.* rows in tests/SharpBpf.Runtime.Tests/Maps/FlagsValueOrderTests.cs and
 * tests/SharpBpf.Linux.Tests/FlagsValueOrderKernelTests.cs.
 * A "short" buffer ends right before a PROT_NONE page, so copying more bytes than it has faults (EFAULT) exactly as a
 * too-short user buffer does. Maps: key_size 4, value_size 8, max_entries 4.
 * Build and run as root, next to common.h from shared/spec/kernel-probes:
 *   gcc -O1 -Wall -o flags_value_probe flags_value_probe.c && ./flags_value_probe
 * The output of that run is flags_value_probe.out.md beside this file. Not built or run by the tests.
 * Row id: V.<a|p: ARRAY|PERCPU_ARRAY><u|l: update|lookup><flags index>.<buffer>, buffer 0 = the full size,
 * 1 = one byte short, 2 = 4 bytes, 3 = 8 bytes (one CPU's copy, per-CPU only), k0 = NULL key, k2 = 2-byte key,
 * v0 = NULL value. */
#include "common.h"

static int create(int type, unsigned v)
{
	union bpf_attr a;
	memset(&a, 0, sizeof a);
	a.map_type = type; a.key_size = 4; a.value_size = v; a.max_entries = 4;
	return sys_bpf(BPF_MAP_CREATE, &a, sizeof a);
}

static long op(int cmd, int fd, void *k, void *v, unsigned long long f)
{
	union bpf_attr a;
	memset(&a, 0, sizeof a);
	a.map_fd = fd; a.key = (unsigned long)k; a.value = (unsigned long)v; a.flags = f;
	errno = 0;
	return sys_bpf(cmd, &a, sizeof a);
}

static int possible_cpus(void)
{
	int lo = 0, hi = 0;
	FILE *f = fopen("/sys/devices/system/cpu/possible", "r");
	if (!f || fscanf(f, "%d-%d", &lo, &hi) < 1)
		exit(1);
	fclose(f);
	return hi >= lo ? hi - lo + 1 : 1;
}

int main(void)
{
	static const unsigned long long flags[] = {0, 1, 2, 3, 4, 5, 8, 16, 24, 1ULL << 32};
	static const char *fname[] = {"ANY", "NOEXIST", "EXIST", "3", "F_LOCK", "F_LOCK+NOEXIST", "8 (F_CPU)",
				      "16 (F_ALL_CPUS)", "24", "1<<32"};
	int types[] = {BPF_MAP_TYPE_ARRAY, BPF_MAP_TYPE_PERCPU_ARRAY};
	const char *tname[] = {"ARRAY", "PERCPU_ARRAY"};
	int cmds[] = {BPF_MAP_UPDATE_ELEM, BPF_MAP_LOOKUP_ELEM};
	const char *cname[] = {"update", "lookup"};
	long page = sysconf(_SC_PAGESIZE);
	int ncpu = possible_cpus();
	char *m = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *guard = m + page;
	uint32_t *key = (uint32_t *)m;
	char id[64], desc[192];

	mprotect(guard, page, PROT_NONE);
	*key = 0;
	printf("nr_possible = %d\n\n| id | case | ret | errno | note |\n|---|---|---|---|---|\n", ncpu);
	for (int t = 0; t < 2; t++) {
		int fd = create(types[t], 8);
		int need = t ? 8 * ncpu : 8;
		for (int c = 0; c < 2; c++)
			for (unsigned i = 0; i < sizeof flags / sizeof *flags; i++) {
				int lens[] = {need, need - 1, 4, 8};
				for (int l = 0; l < 4; l++) {
					if (l == 3 && need == 8)
						continue;
					long r = op(cmds[c], fd, key, guard - lens[l], flags[i]);
					snprintf(id, sizeof id, "V.%c%c%u.%d", t ? 'p' : 'a', c ? 'l' : 'u', i, l);
					snprintf(desc, sizeof desc, "%s %s flags %s, value %d of %d bytes", tname[t], cname[c],
						 fname[i], lens[l], need);
					row(id, desc, r, errno, NULL);
				}
				long r = op(cmds[c], fd, NULL, guard - need, flags[i]);
				snprintf(id, sizeof id, "V.%c%c%u.k0", t ? 'p' : 'a', c ? 'l' : 'u', i);
				snprintf(desc, sizeof desc, "%s %s flags %s, key NULL", tname[t], cname[c], fname[i]);
				row(id, desc, r, errno, NULL);
				r = op(cmds[c], fd, guard - 2, guard - need - 8, flags[i]);
				snprintf(id, sizeof id, "V.%c%c%u.k2", t ? 'p' : 'a', c ? 'l' : 'u', i);
				snprintf(desc, sizeof desc, "%s %s flags %s, key 2 of 4 bytes", tname[t], cname[c], fname[i]);
				row(id, desc, r, errno, NULL);
				r = op(cmds[c], fd, key, NULL, flags[i]);
				snprintf(id, sizeof id, "V.%c%c%u.v0", t ? 'p' : 'a', c ? 'l' : 'u', i);
				snprintf(desc, sizeof desc, "%s %s flags %s, value NULL", tname[t], cname[c], fname[i]);
				row(id, desc, r, errno, NULL);
			}
		close(fd);
	}
	return 0;
}
