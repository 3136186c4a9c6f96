/*
 * test_procfs.c - strict /proc parsers (common/procfs.c): meminfo, vmstat,
 * memory PSI.  Table-driven rows of hostile inputs, plus the fixture trees
 * under tests/fixtures/ (5.x and 6.x kernels, with/without swap and PSI).
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "procfs.h"

#define S(str) str, sizeof(str) - 1
#define MEM_OK "MemTotal:        2013456 kB\nMemFree:           81234 kB\n" \
	"MemAvailable:     402112 kB\n"

enum which { MEM, VM, PSI };

struct row {
	enum which which;
	const char *in;
	size_t len;
	int rc;
};

static const struct row rows[] = {
	/* meminfo */
	{ MEM, S(MEM_OK), 0 },
	{ MEM, S(""), -EINVAL },
	{ MEM, S("MemTotal: 1 kB\nMemFree: 1 kB\n"), -EINVAL },	/* no avail */
	{ MEM, S(MEM_OK "MemFree: 5 kB\n"), -EINVAL },		/* duplicate */
	{ MEM, S("MemTotal: a4096 kB\nMemFree: 1 kB\nMemAvailable: 1 kB\n"),
	    -EINVAL },
	{ MEM, S("MemTotal: 4096a kB\nMemFree: 1 kB\nMemAvailable: 1 kB\n"),
	    -EINVAL },
	{ MEM, S("MemTotal: -1 kB\nMemFree: 1 kB\nMemAvailable: 1 kB\n"),
	    -EINVAL },
	{ MEM, S("MemTotal: +1 kB\nMemFree: 1 kB\nMemAvailable: 1 kB\n"),
	    -EINVAL },
	{ MEM, S("MemTotal: 4096 1024 kB\nMemFree: 1 kB\nMemAvailable: 1 kB\n"),
	    -EINVAL },
	{ MEM, S("MemTotal:4096 kB\nMemFree: 1 kB\nMemAvailable: 1 kB\n"),
	    -EINVAL },						/* no space */
	{ MEM, S("MemTotal: 4096  kB\nMemFree: 1 kB\nMemAvailable: 1 kB\n"),
	    -EINVAL },
	{ MEM, S("MemTotal: 123456789012345678901 kB\nMemFree: 1 kB\n"
	    "MemAvailable: 1 kB\n"), -EINVAL },			/* 21 digits */
	{ MEM, S("MemTotal: 18446744073709551616 kB\nMemFree: 1 kB\n"
	    "MemAvailable: 1 kB\n"), -ERANGE },			/* 2^64 */
	{ MEM, S("MemTotal: 18014398509481985 kB\nMemFree: 1 kB\n"
	    "MemAvailable: 1 kB\n"), -ERANGE },			/* 2^54+1 */
	{ MEM, S("MemTotal: 1\0" "2 kB\nMemFree: 1 kB\nMemAvailable: 1 kB\n"),
	    -EINVAL },						/* NUL */
	{ MEM, S(MEM_OK "Cached: 5 kB"), -EINVAL },		/* no \n */
	{ MEM, S(MEM_OK "junk line\n"), -EINVAL },		/* no colon */
	{ MEM, S(MEM_OK ": 5 kB\n"), -EINVAL },			/* no key */
	{ MEM, S(MEM_OK "HugePages_Total:       0\nWeird(x): zz\n"), 0 },
	{ MEM, S(MEM_OK "\n"), -EINVAL },			/* empty line */
	/* vmstat */
	{ VM, S("pswpin 1\npswpout 2\n"), 0 },
	{ VM, S("nr_free_pages 5\n"), 0 },			/* none known */
	{ VM, S(""), -EINVAL },
	{ VM, S("pswpin 1\npswpin 2\n"), -EINVAL },		/* duplicate */
	{ VM, S("pswpin -1\n"), -EINVAL },
	{ VM, S("pswpin 1 2\n"), -EINVAL },
	{ VM, S("pswpin  1\n"), -EINVAL },
	{ VM, S("pswpin\n"), -EINVAL },
	{ VM, S("pswpin 1"), -EINVAL },				/* no \n */
	{ VM, S("pswpin 18446744073709551616\n"), -ERANGE },
	{ VM, S("pswpin 1\0" "2\n"), -EINVAL },
	{ VM, S(" 1\n"), -EINVAL },
	{ VM, S("pswpinx 1\npswpi 2\n"), 0 },			/* near misses */
	/* PSI */
	{ PSI, S("some avg10=0.00 avg60=0.00 avg300=0.00 total=0\n"), 0 },
	{ PSI, S("some avg10=1.00 avg60=0.00 avg300=0.00 total=5\n"
	    "full avg10=0.00 avg60=0.00 avg300=0.00 total=1\n"), 0 },
	{ PSI, S("some avg10=100.00 avg60=0.00 avg300=0.00 total=0\n"), 0 },
	{ PSI, S("some avg10=100.01 avg60=0.00 avg300=0.00 total=0\n"),
	    -ERANGE },
	{ PSI, S("some avg10=1000.00 avg60=0.00 avg300=0.00 total=0\n"),
	    -EINVAL },
	{ PSI, S("some avg10=1.5 avg60=0.00 avg300=0.00 total=0\n"), -EINVAL },
	{ PSI, S("some avg10=.50 avg60=0.00 avg300=0.00 total=0\n"), -EINVAL },
	{ PSI, S("some avg10=-1.00 avg60=0.00 avg300=0.00 total=0\n"),
	    -EINVAL },
	{ PSI, S("some avg10=0.00 avg60=0.00 avg300=0.00 total=\n"), -EINVAL },
	{ PSI, S("some avg10=0.00 avg60=0.00 avg300=0.00 total=1 \n"),
	    -EINVAL },
	{ PSI, S("some avg10=0.00 avg60=0.00 avg300=0.00 total=1"), -EINVAL },
	{ PSI, S("full avg10=0.00 avg60=0.00 avg300=0.00 total=0\n"), -EINVAL },
	{ PSI, S("some avg10=0.00 avg60=0.00 avg300=0.00 total=0\n"
	    "some avg10=0.00 avg60=0.00 avg300=0.00 total=0\n"), -EINVAL },
	{ PSI, S("some avg10=0.00 avg60=0.00 avg300=0.00 total=0\nx\n"),
	    -EINVAL },
	{ PSI, S("some avg10=0.00 avg300=0.00 total=0\n"), -EINVAL },
	{ PSI, S(""), -EINVAL },
	{ PSI, S("some avg10=0.00 avg60=0.00 avg300=0.00 total=1\0\n"),
	    -EINVAL },
};

static void
test_row(void **state)
{
	const struct row *r = *state;
	struct procfs_meminfo m, m0;
	struct procfs_vmstat v, v0;
	struct procfs_psi p, p0;
	int rc = 0;

	memset(&m, 0xa5, sizeof(m));
	memset(&v, 0xa5, sizeof(v));
	memset(&p, 0xa5, sizeof(p));
	m0 = m, v0 = v, p0 = p;
	if (r->which == MEM)
		rc = procfs_parse_meminfo(r->in, r->len, &m);
	else if (r->which == VM)
		rc = procfs_parse_vmstat(r->in, r->len, &v);
	else
		rc = procfs_parse_psi(r->in, r->len, &p);
	assert_int_equal(rc, r->rc);
	if (rc != 0) {	/* outputs untouched on failure */
		assert_memory_equal(&m, &m0, sizeof(m));
		assert_memory_equal(&v, &v0, sizeof(v));
		assert_memory_equal(&p, &p0, sizeof(p));
	}
}

static void
test_meminfo_values(void **state)
{
	static const char in[] = MEM_OK "Buffers:   7 kB\nCached:   290112 kB\n"
	    "SwapTotal: 524284 kB\nSwapFree:   311000 kB\nHugePages_Total: 0\n";
	struct procfs_meminfo m;

	(void)state;
	assert_int_equal(procfs_parse_meminfo(in, sizeof(in) - 1, &m), 0);
	assert_int_equal(m.kb[PROCFS_MEM_TOTAL], 2013456);
	assert_int_equal(m.kb[PROCFS_MEM_FREE], 81234);
	assert_int_equal(m.kb[PROCFS_MEM_AVAIL], 402112);
	assert_int_equal(m.kb[PROCFS_MEM_CACHED], 290112);
	assert_int_equal(m.kb[PROCFS_MEM_SWAP_TOTAL], 524284);
	assert_int_equal(m.kb[PROCFS_MEM_SWAP_FREE], 311000);
	assert_int_equal(m.present, (1U << PROCFS_MEM_COUNT) - 1);
	/* Only len bytes are read: a cut in the middle of a line fails. */
	assert_int_equal(procfs_parse_meminfo(in, sizeof(in) - 5, &m),
	    -EINVAL);
}

static void
test_vmstat_refault(void **state)
{
	static const char v6[] = "workingset_refault_anon 10\n"
	    "workingset_refault_file 32\npgmajfault 7\n";
	static const char v5[] = "workingset_refault 99\npgmajfault 7\n";
	static const char v0[] = "pgmajfault 7\n";
	static const char vsat[] = "workingset_refault_anon "
	    "18446744073709551615\nworkingset_refault_file 5\n";
	struct procfs_vmstat vm;
	uint64_t r = 12345;

	(void)state;
	assert_int_equal(procfs_parse_vmstat(v6, sizeof(v6) - 1, &vm), 0);
	assert_int_equal(procfs_vmstat_refault(&vm, &r), 0);
	assert_int_equal(r, 42);
	assert_int_equal(vm.val[PROCFS_VM_PGMAJFAULT], 7);
	assert_int_equal(procfs_parse_vmstat(v5, sizeof(v5) - 1, &vm), 0);
	assert_int_equal(procfs_vmstat_refault(&vm, &r), 0);
	assert_int_equal(r, 99);
	assert_int_equal(procfs_parse_vmstat(v0, sizeof(v0) - 1, &vm), 0);
	r = 12345;
	assert_int_equal(procfs_vmstat_refault(&vm, &r), -ENOENT);
	assert_int_equal(r, 12345);
	assert_int_equal(procfs_parse_vmstat(vsat, sizeof(vsat) - 1, &vm), 0);
	assert_int_equal(procfs_vmstat_refault(&vm, &r), 0);
	assert_true(r == UINT64_MAX);
}

/* allocstall: one counter before 4.10, per zone after; saturating sum. */
static void
test_vmstat_allocstall(void **state)
{
	static const char v6[] = "allocstall_dma 1\nallocstall_dma32 2\n"
	    "allocstall_normal 30\nallocstall_movable 400\n"
	    "allocstall_device 5000\npgscan_direct 77\noom_kill 3\n";
	static const char v4[] = "allocstall 9\npgscan_direct 1\n";
	static const char v0[] = "pgmajfault 7\n";
	static const char vsat[] = "allocstall_dma 18446744073709551615\n"
	    "allocstall_normal 5\n";
	static const char dup[] = "allocstall_normal 1\nallocstall_normal 2\n";
	struct procfs_vmstat vm;
	uint64_t r = 12345;

	(void)state;
	assert_int_equal(procfs_parse_vmstat(v6, sizeof(v6) - 1, &vm), 0);
	assert_int_equal(procfs_vmstat_allocstall(&vm, &r), 0);
	assert_int_equal(r, 5433);
	assert_int_equal(vm.val[PROCFS_VM_PGSCAN_DIRECT], 77);
	assert_int_equal(vm.val[PROCFS_VM_OOM_KILL], 3);
	assert_int_equal(procfs_parse_vmstat(v4, sizeof(v4) - 1, &vm), 0);
	assert_int_equal(procfs_vmstat_allocstall(&vm, &r), 0);
	assert_int_equal(r, 9);
	assert_int_equal(procfs_parse_vmstat(v0, sizeof(v0) - 1, &vm), 0);
	r = 12345;
	assert_int_equal(procfs_vmstat_allocstall(&vm, &r), -ENOENT);
	assert_int_equal(r, 12345);
	assert_int_equal(procfs_parse_vmstat(vsat, sizeof(vsat) - 1, &vm), 0);
	assert_int_equal(procfs_vmstat_allocstall(&vm, &r), 0);
	assert_true(r == UINT64_MAX);
	assert_int_equal(procfs_parse_vmstat(dup, sizeof(dup) - 1, &vm),
	    -EINVAL);
}

static void
test_psi_values(void **state)
{
	static const char in[] =
	    "some avg10=12.34 avg60=5.00 avg300=1.20 total=8812345\n"
	    "full avg10=3.10 avg60=1.00 avg300=0.25 total=2203344\n";
	static const char some[] =
	    "some avg10=100.00 avg60=0.50 avg300=0.01 total=42\n";
	struct procfs_psi p;

	(void)state;
	assert_int_equal(procfs_parse_psi(in, sizeof(in) - 1, &p), 0);
	assert_int_equal(p.some.avg10_pct100, 1234);
	assert_int_equal(p.some.avg60_pct100, 500);
	assert_int_equal(p.some.avg300_pct100, 120);
	assert_int_equal(p.some.total_us, 8812345);
	assert_int_equal(p.has_full, 1);
	assert_int_equal(p.full.avg10_pct100, 310);
	assert_int_equal(p.full.avg300_pct100, 25);
	assert_int_equal(p.full.total_us, 2203344);
	assert_int_equal(procfs_parse_psi(some, sizeof(some) - 1, &p), 0);
	assert_int_equal(p.has_full, 0);
	assert_int_equal(p.some.avg10_pct100, 10000);
	assert_int_equal(p.some.avg300_pct100, 1);
	assert_int_equal(p.some.total_us, 42);
}

static ssize_t
read_file(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, size);
	close(fd);
	return n;
}

/* Every fixture tree parses; its values are checked in test_agent_loop. */
static void
test_fixtures_parse(void **state)
{
	static const char *const dirs[] = { "linux-6.1-swap",
	    "linux-6.1-noswap", "linux-5.4-nopsi", "linux-4.19-minimal" };
	char path[256], buf[16384];
	struct procfs_meminfo m;
	struct procfs_vmstat v;
	struct procfs_psi p;
	ssize_t n;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		snprintf(path, sizeof(path), "tests/fixtures/%s/meminfo",
		    dirs[i]);
		n = read_file(path, buf, sizeof(buf));
		assert_true(n > 0);
		assert_int_equal(procfs_parse_meminfo(buf, (size_t)n, &m), 0);
		snprintf(path, sizeof(path), "tests/fixtures/%s/vmstat",
		    dirs[i]);
		n = read_file(path, buf, sizeof(buf));
		assert_true(n > 0);
		assert_int_equal(procfs_parse_vmstat(buf, (size_t)n, &v), 0);
		snprintf(path, sizeof(path), "tests/fixtures/%s/pressure/"
		    "memory", dirs[i]);
		n = read_file(path, buf, sizeof(buf));
		if (strcmp(dirs[i], "linux-5.4-nopsi") == 0)
			assert_int_equal(n, -ENOENT);
		else
			assert_int_equal(procfs_parse_psi(buf, (size_t)n, &p),
			    0);
	}
}

int
main(void)
{
	static char names[sizeof(rows) / sizeof(rows[0])][32];
	struct CMUnitTest t[sizeof(rows) / sizeof(rows[0]) + 5];
	size_t i, n = 0;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		t[n] = (struct CMUnitTest)cmocka_unit_test(test_row);
		snprintf(names[i], sizeof(names[i]), "%s row %zu",
		    rows[i].which == MEM ? "meminfo" :
		    rows[i].which == VM ? "vmstat" : "psi", i);
		t[n].name = names[i];
		t[n++].initial_state = (void *)(uintptr_t)&rows[i];
	}
	t[n++] = (struct CMUnitTest)cmocka_unit_test(test_meminfo_values);
	t[n++] = (struct CMUnitTest)cmocka_unit_test(test_vmstat_refault);
	t[n++] = (struct CMUnitTest)cmocka_unit_test(test_vmstat_allocstall);
	t[n++] = (struct CMUnitTest)cmocka_unit_test(test_psi_values);
	t[n++] = (struct CMUnitTest)cmocka_unit_test(test_fixtures_parse);
	return _cmocka_run_group_tests("procfs", t, n, NULL, NULL);
}
