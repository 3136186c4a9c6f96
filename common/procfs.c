/*
 * procfs.c - strict parsers for meminfo, vmstat and memory PSI (procfs.h).
 *
 * Line oriented: every line must end in '\n'.  Known keys are looked up by
 * first byte, length and memcmp; their values go through num_parse_u64().
 * Unknown lines are only checked for their separator, which keeps a sample
 * of the ~180 vmstat lines cheap.
 */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "num.h"
#include "procfs.h"

#define PROCFS_MAX_KB		(1ULL << 54)	/* KiB; 16 EiB, sanity bound */
#define PROCFS_MAX_COUNT	UINT64_MAX
#define PROCFS_PSI_MAX_PCT100	10000		/* 100.00 % */

struct procfs_key {
	const char *name;
	size_t len;
};

#define K(s)	{ s, sizeof(s) - 1 }
static const struct procfs_key mem_keys[PROCFS_MEM_COUNT] = {
	[PROCFS_MEM_TOTAL] = K("MemTotal"),
	[PROCFS_MEM_FREE] = K("MemFree"),
	[PROCFS_MEM_AVAIL] = K("MemAvailable"),
	[PROCFS_MEM_CACHED] = K("Cached"),
	[PROCFS_MEM_SWAP_TOTAL] = K("SwapTotal"),
	[PROCFS_MEM_SWAP_FREE] = K("SwapFree"),
};

static const struct procfs_key vm_keys[PROCFS_VM_COUNT] = {
	[PROCFS_VM_PSWPIN] = K("pswpin"),
	[PROCFS_VM_PSWPOUT] = K("pswpout"),
	[PROCFS_VM_PGSCAN_KSWAPD] = K("pgscan_kswapd"),
	[PROCFS_VM_PGSTEAL_KSWAPD] = K("pgsteal_kswapd"),
	[PROCFS_VM_PGMAJFAULT] = K("pgmajfault"),
	[PROCFS_VM_REFAULT] = K("workingset_refault"),
	[PROCFS_VM_REFAULT_ANON] = K("workingset_refault_anon"),
	[PROCFS_VM_REFAULT_FILE] = K("workingset_refault_file"),
	[PROCFS_VM_OOM_KILL] = K("oom_kill"),
	[PROCFS_VM_PGSCAN_DIRECT] = K("pgscan_direct"),
	[PROCFS_VM_ALLOCSTALL] = K("allocstall"),
	[PROCFS_VM_ALLOCSTALL_DMA] = K("allocstall_dma"),
	[PROCFS_VM_ALLOCSTALL_DMA32] = K("allocstall_dma32"),
	[PROCFS_VM_ALLOCSTALL_NORMAL] = K("allocstall_normal"),
	[PROCFS_VM_ALLOCSTALL_MOVABLE] = K("allocstall_movable"),
	[PROCFS_VM_ALLOCSTALL_DEVICE] = K("allocstall_device"),
};
#undef K

const char *
procfs_meminfo_name(int id)
{
	return id >= 0 && id < PROCFS_MEM_COUNT ? mem_keys[id].name : "?";
}

const char *
procfs_vmstat_name(int id)
{
	return id >= 0 && id < PROCFS_VM_COUNT ? vm_keys[id].name : "?";
}

/* Index of key in table (n entries), or -1.  Cheap reject on first byte. */
static int
procfs_lookup(const struct procfs_key *tab, int n, const char *first,
    const char *key, size_t len)
{
	int i;

	if (len == 0 || strchr(first, key[0]) == NULL || key[0] == '\0')
		return -1;
	for (i = 0; i < n; i++)
		if (tab[i].len == len && memcmp(tab[i].name, key, len) == 0)
			return i;
	return -1;
}

/* One meminfo value: " +digits( kB)?" up to end. */
static int
procfs_mem_value(const char *p, const char *end, uint64_t *out)
{
	const char *q = p;

	while (q < end && *q == ' ')
		q++;
	if (q == p)
		return -EINVAL;
	if (end - q > 3 && memcmp(end - 3, " kB", 3) == 0)
		end -= 3;
	return num_parse_u64(q, (size_t)(end - q), 0, PROCFS_MAX_KB, out);
}

_Static_assert(PROCFS_MEM_COUNT <= 32 && PROCFS_VM_COUNT <= 32,
    "procfs_parse_keyed keeps a 32-bit mask");

/* A file of "key<sep>value" lines, as meminfo and vmstat are. */
struct procfs_fmt {
	char sep;			/* ':' (meminfo) or ' ' (vmstat) */
	const struct procfs_key *keys;
	int n;
	const char *first;		/* first letters of the known keys */
	bool kb;			/* value is " +digits( kB)?" */
};

/*
 * Known keys are parsed once each (a duplicate fails), unknown lines are
 * skipped, every line must be "key<sep>...\n".  vals[] is scratch (the
 * callers' local record, copied out only on success); *present_out is
 * written on success only.
 */
static int
procfs_parse_keyed(const char *buf, size_t len, const struct procfs_fmt *f,
    uint64_t *vals, uint32_t *present_out)
{
	const char *p = buf, *end = buf + len, *nl, *sep;
	uint32_t present = 0;
	int id, rc;

	if (len == 0 || buf[len - 1] != '\n')
		return -EINVAL;
	for (; p < end; p = nl + 1) {
		nl = memchr(p, '\n', (size_t)(end - p));
		sep = memchr(p, f->sep, (size_t)(nl - p));
		if (sep == NULL || sep == p)
			return -EINVAL;
		id = procfs_lookup(f->keys, f->n, f->first, p,
		    (size_t)(sep - p));
		if (id < 0)
			continue;
		if (present & PROCFS_BIT(id))
			return -EINVAL;
		rc = f->kb ? procfs_mem_value(sep + 1, nl, &vals[id]) :
		    num_parse_u64(sep + 1, (size_t)(nl - sep - 1), 0,
		    PROCFS_MAX_COUNT, &vals[id]);
		if (rc != 0)
			return rc;
		present |= PROCFS_BIT(id);
	}
	*present_out = present;
	return 0;
}

int
procfs_parse_meminfo(const char *buf, size_t len, struct procfs_meminfo *out)
{
	static const struct procfs_fmt fmt = { ':', mem_keys,
	    PROCFS_MEM_COUNT, "MCS", true };
	struct procfs_meminfo m = { .present = 0 };
	int rc;

	rc = procfs_parse_keyed(buf, len, &fmt, m.kb, &m.present);
	if (rc != 0)
		return rc;
	if ((m.present & PROCFS_MEM_REQUIRED) != PROCFS_MEM_REQUIRED)
		return -EINVAL;
	*out = m;
	return 0;
}

int
procfs_parse_vmstat(const char *buf, size_t len, struct procfs_vmstat *out)
{
	static const struct procfs_fmt fmt = { ' ', vm_keys,
	    PROCFS_VM_COUNT, "pwoa", false };
	struct procfs_vmstat vm = { .present = 0 };
	int rc;

	rc = procfs_parse_keyed(buf, len, &fmt, vm.val, &vm.present);
	if (rc != 0)
		return rc;
	*out = vm;
	return 0;
}

int
procfs_vmstat_refault(const struct procfs_vmstat *vm, uint64_t *out)
{
	uint64_t sum = 0;
	int found = 0;

	if (vm->present & PROCFS_BIT(PROCFS_VM_REFAULT)) {
		*out = vm->val[PROCFS_VM_REFAULT];
		return 0;
	}
	if (vm->present & PROCFS_BIT(PROCFS_VM_REFAULT_ANON)) {
		sum += vm->val[PROCFS_VM_REFAULT_ANON];
		found = 1;
	}
	if (vm->present & PROCFS_BIT(PROCFS_VM_REFAULT_FILE)) {
		/* Saturate: two counters near UINT64_MAX are not real. */
		if (sum > UINT64_MAX - vm->val[PROCFS_VM_REFAULT_FILE])
			sum = UINT64_MAX;
		else
			sum += vm->val[PROCFS_VM_REFAULT_FILE];
		found = 1;
	}
	if (!found)
		return -ENOENT;
	*out = sum;
	return 0;
}

int
procfs_vmstat_allocstall(const struct procfs_vmstat *vm, uint64_t *out)
{
	static const enum procfs_vm_id zones[] = { PROCFS_VM_ALLOCSTALL_DMA,
	    PROCFS_VM_ALLOCSTALL_DMA32, PROCFS_VM_ALLOCSTALL_NORMAL,
	    PROCFS_VM_ALLOCSTALL_MOVABLE, PROCFS_VM_ALLOCSTALL_DEVICE };
	uint64_t sum = 0, v;
	int found = 0;
	size_t i;

	if (vm->present & PROCFS_BIT(PROCFS_VM_ALLOCSTALL)) {
		*out = vm->val[PROCFS_VM_ALLOCSTALL];
		return 0;
	}
	for (i = 0; i < sizeof(zones) / sizeof(zones[0]); i++) {
		if (!(vm->present & PROCFS_BIT(zones[i])))
			continue;
		v = vm->val[zones[i]];
		sum = sum > UINT64_MAX - v ? UINT64_MAX : sum + v;
		found = 1;
	}
	if (!found)
		return -ENOENT;
	*out = sum;
	return 0;
}

/* Expect the literal lit at *pp; advance past it. */
static int
procfs_expect(const char **pp, const char *end, const char *lit)
{
	size_t n = strlen(lit);

	if ((size_t)(end - *pp) < n || memcmp(*pp, lit, n) != 0)
		return -EINVAL;
	*pp += n;
	return 0;
}

/* "I.FF" (I 1..3 digits, exactly two decimals) up to a space: pct100. */
static int
procfs_psi_avg(const char **pp, const char *end, uint32_t *out)
{
	const char *p = *pp, *dot, *sp;
	uint64_t ip, fp;
	int rc;

	sp = memchr(p, ' ', (size_t)(end - p));
	if (sp == NULL)
		return -EINVAL;
	dot = memchr(p, '.', (size_t)(sp - p));
	if (dot == NULL || dot - p > 3 || sp - dot != 3)
		return -EINVAL;
	rc = num_parse_u64(p, (size_t)(dot - p), 0, 100, &ip);
	if (rc != 0)
		return rc;
	rc = num_parse_u64(dot + 1, 2, 0, 99, &fp);
	if (rc != 0)
		return rc;
	if (ip * 100 + fp > PROCFS_PSI_MAX_PCT100)
		return -ERANGE;
	*out = (uint32_t)(ip * 100 + fp);
	*pp = sp;
	return 0;
}

/* One line: "<kind> avg10=.. avg60=.. avg300=.. total=N\n". */
static int
procfs_psi_line(const char **pp, const char *end, const char *kind,
    struct procfs_psi_line *out)
{
	struct procfs_psi_line l;
	const char *p = *pp, *nl;
	int rc;

	nl = memchr(p, '\n', (size_t)(end - p));
	if (nl == NULL)
		return -EINVAL;
	if ((rc = procfs_expect(&p, nl, kind)) != 0 ||
	    (rc = procfs_expect(&p, nl, " avg10=")) != 0 ||
	    (rc = procfs_psi_avg(&p, nl, &l.avg10_pct100)) != 0 ||
	    (rc = procfs_expect(&p, nl, " avg60=")) != 0 ||
	    (rc = procfs_psi_avg(&p, nl, &l.avg60_pct100)) != 0 ||
	    (rc = procfs_expect(&p, nl, " avg300=")) != 0 ||
	    (rc = procfs_psi_avg(&p, nl, &l.avg300_pct100)) != 0 ||
	    (rc = procfs_expect(&p, nl, " total=")) != 0)
		return rc;
	rc = num_parse_u64(p, (size_t)(nl - p), 0, UINT64_MAX, &l.total_us);
	if (rc != 0)
		return rc;
	*out = l;
	*pp = nl + 1;
	return 0;
}

int
procfs_parse_psi(const char *buf, size_t len, struct procfs_psi *out)
{
	struct procfs_psi psi = { .has_full = 0 };
	const char *p = buf, *end = buf + len;
	int rc;

	rc = procfs_psi_line(&p, end, "some", &psi.some);
	if (rc != 0)
		return rc;
	if (p < end) {
		rc = procfs_psi_line(&p, end, "full", &psi.full);
		if (rc != 0)
			return rc;
		psi.has_full = 1;
	}
	if (p != end)
		return -EINVAL;
	*out = psi;
	return 0;
}
