/*
 * procfs.h - strict parsers for /proc/meminfo, /proc/vmstat and
 * /proc/pressure/memory, over buffers.
 *
 * No file I/O here: the caller (guest-agent/sample.c) preads the files and
 * hands the bytes over, so every parser can be unit tested and fuzzed.
 * Inputs are the kernel's text, treated as untrusted: known fields must be
 * well formed strict decimals, a known field given twice fails, lines must
 * end in '\n'.  Unknown lines are skipped (kernels add fields all the time).
 * All parsers are O(len) and allocation-free.
 */
#ifndef CAGMA_PROCFS_H
#define CAGMA_PROCFS_H

#include <stddef.h>
#include <stdint.h>

/* meminfo fields (values in KiB, as the kernel prints them). */
enum procfs_mem_id {
	PROCFS_MEM_TOTAL,	/* MemTotal (required) */
	PROCFS_MEM_FREE,	/* MemFree (required) */
	PROCFS_MEM_AVAIL,	/* MemAvailable (required; since Linux 3.14) */
	PROCFS_MEM_CACHED,	/* Cached */
	PROCFS_MEM_SWAP_TOTAL,	/* SwapTotal */
	PROCFS_MEM_SWAP_FREE,	/* SwapFree */
	PROCFS_MEM_COUNT
};

struct procfs_meminfo {
	uint64_t kb[PROCFS_MEM_COUNT];	/* indexed by enum procfs_mem_id */
	uint32_t present;		/* bit (1 << id) when kb[id] was read */
};

/* vmstat counters (cumulative event counts, pages or events). */
enum procfs_vm_id {
	PROCFS_VM_PSWPIN,
	PROCFS_VM_PSWPOUT,
	PROCFS_VM_PGSCAN_KSWAPD,
	PROCFS_VM_PGSTEAL_KSWAPD,
	PROCFS_VM_PGMAJFAULT,
	PROCFS_VM_REFAULT,	/* Linux <= 5.8: workingset_refault */
	PROCFS_VM_REFAULT_ANON,	/* Linux >= 5.9: workingset_refault_anon */
	PROCFS_VM_REFAULT_FILE,	/* Linux >= 5.9: workingset_refault_file */
	PROCFS_VM_OOM_KILL,
	PROCFS_VM_PGSCAN_DIRECT,
	PROCFS_VM_ALLOCSTALL,	/* Linux < 4.10: one counter */
	PROCFS_VM_ALLOCSTALL_DMA,	/* Linux >= 4.10: one per zone */
	PROCFS_VM_ALLOCSTALL_DMA32,
	PROCFS_VM_ALLOCSTALL_NORMAL,
	PROCFS_VM_ALLOCSTALL_MOVABLE,
	PROCFS_VM_ALLOCSTALL_DEVICE,
	PROCFS_VM_COUNT
};

struct procfs_vmstat {
	uint64_t val[PROCFS_VM_COUNT];	/* indexed by enum procfs_vm_id */
	uint32_t present;		/* bit (1 << id) when val[id] was read */
};

/* One memory pressure line ("some" or "full"). */
struct procfs_psi_line {
	uint32_t avg10_pct100;	/* 0..10000, hundredths of a percent */
	uint32_t avg60_pct100;
	uint32_t avg300_pct100;
	uint64_t total_us;	/* cumulative stall time, microseconds */
};

struct procfs_psi {
	struct procfs_psi_line some;	/* always present on success */
	struct procfs_psi_line full;	/* valid only if has_full */
	int has_full;			/* 0 or 1 ("full" since Linux 4.20) */
};

#define PROCFS_BIT(id)		(1U << (id))
#define PROCFS_MEM_REQUIRED	(PROCFS_BIT(PROCFS_MEM_TOTAL) | \
				 PROCFS_BIT(PROCFS_MEM_FREE) | \
				 PROCFS_BIT(PROCFS_MEM_AVAIL))

/*
 * Parse len bytes of /proc/meminfo ("Key:<spaces>N kB\n" lines).
 * Untrusted, need not be NUL-terminated.  MemTotal, MemFree and
 * MemAvailable are required; the others are optional (see present).
 * Values are bounded by 2^54 KiB.  Returns 0 and fills *out, or -EINVAL
 * (syntax, duplicate known key, missing required key) / -ERANGE (value too
 * large); *out is written only on success.
 */
int procfs_parse_meminfo(const char *buf, size_t len,
    struct procfs_meminfo *out);

/*
 * Parse len bytes of /proc/vmstat ("name N\n" lines).  Untrusted, need not
 * be NUL-terminated.  No field is required (kernels without swap or with
 * older names lack some); present says what was found.  Returns 0 and fills
 * *out, or -EINVAL (syntax, duplicate known key) / -ERANGE; *out is written
 * only on success.
 */
int procfs_parse_vmstat(const char *buf, size_t len,
    struct procfs_vmstat *out);

/*
 * Refault count of a parsed vmstat: workingset_refault if present, else the
 * sum of the _anon and _file counters that are present.  Returns 0 and sets
 * *out, or -ENOENT if the kernel reports none of them.
 */
int procfs_vmstat_refault(const struct procfs_vmstat *vm, uint64_t *out);

/*
 * Parse len bytes of /proc/pressure/memory:
 *   "some avg10=A.AA avg60=A.AA avg300=A.AA total=N\n"
 *   "full avg10=A.AA avg60=A.AA avg300=A.AA total=N\n"   (optional)
 * Averages must be <= 100.00 (exactly two decimals).  Returns 0 and fills
 * *out, or -EINVAL / -ERANGE; *out is written only on success.
 */
/*
 * Direct-reclaim stalls: "allocstall" (Linux < 4.10) or the sum of the
 * per-zone "allocstall_*" counters (saturating).  0, or -ENOENT if the
 * kernel has none.
 */
int procfs_vmstat_allocstall(const struct procfs_vmstat *vm, uint64_t *out);

int procfs_parse_psi(const char *buf, size_t len, struct procfs_psi *out);

/* Kernel name of a field ("SwapTotal", "pswpin"); "?" if out of range. */
const char *procfs_meminfo_name(int id);
const char *procfs_vmstat_name(int id);

#endif
