/*
 * sample.h - the agent's procfs sampler: fds opened once, pread at offset 0
 * on every sample, parsed by common/procfs.c.  No allocation after
 * sample_open().
 */
#ifndef CAGMA_AGENT_SAMPLE_H
#define CAGMA_AGENT_SAMPLE_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>

#include "procfs.h"

#define SAMPLE_MEMINFO_BUF	8192	/* bytes; meminfo is ~1.5 KiB */
#define SAMPLE_VMSTAT_BUF	16384	/* bytes; vmstat is ~4-5 KiB */
#define SAMPLE_PSI_BUF		256	/* bytes; two lines of ~60 */

/* One parsed sample of the guest's memory state. */
struct sample {
	struct procfs_meminfo mem;
	struct procfs_vmstat vm;
	struct procfs_psi psi;	/* valid if has_psi */
	bool has_psi;
	uint64_t refault;	/* pages; 0 if the kernel has no counter */
	bool has_allocstall;
	uint64_t allocstall;	/* direct-reclaim stalls, cumulative */
	uint64_t wmark_low_kb;	/* the zones' low watermarks; 0: unknown */
};

/* PSI trigger settings (written to pressure/memory on a real procfs). */
struct sample_psi_cfg {
	bool enable;		/* try to arm a trigger */
	uint32_t stall_us;	/* "some <stall_us> <window_us>" */
	uint32_t window_us;
};

struct sampler {
	int meminfo_fd;
	int vmstat_fd;
	int psi_fd;		/* -1 when the kernel has no memory PSI */
	bool psi_trigger;	/* psi_fd has an armed trigger: poll POLLPRI */
	uint32_t warned;	/* log-once bits (sample.c) */
	uint64_t min_free_kb;	/* sys/vm/min_free_kbytes; 0: unknown */
	uint64_t wmark_scale;	/* sys/vm/watermark_scale_factor, 1/10000 */
	char root[PATH_MAX];	/* procfs root, e.g. "/proc" */
	char meminfo_buf[SAMPLE_MEMINFO_BUF];
	char vmstat_buf[SAMPLE_VMSTAT_BUF];
	char psi_buf[SAMPLE_PSI_BUF];
};

/*
 * Open root/meminfo, root/vmstat and root/pressure/memory (the latter is
 * optional: a kernel without PSI is logged once).  root is trusted (admin
 * option).  If psi->enable and root/pressure/memory is on a real procfs
 * (statfs magic), arm a PSI trigger; fixture files are never written.
 * Returns 0, or -errno with a logged message (meminfo or vmstat missing).
 */
int sample_open(struct sampler *s, const char *root,
    const struct sample_psi_cfg *psi);

/*
 * The zones' low watermarks summed, KiB, from min_free_kbytes (the min
 * watermarks) and watermark_scale_factor as Linux sets them
 * (mm/page_alloc.c: low = min + max(min / 4, managed x scale / 10000)),
 * for a guest of mem_total_kb; 0 when min_free_kb is 0 (unknown).  Pure.
 */
uint64_t sample_wmark_low_kb(uint64_t min_free_kb, uint64_t scale,
    uint64_t mem_total_kb);

/*
 * Read and parse all files into *out (written only on success).  Missing
 * optional fields are logged once each and reported as 0.  Returns 0, or
 * -errno (read error) / -EINVAL (unparsable meminfo or vmstat).
 */
int sample_read(struct sampler *s, struct sample *out);

/*
 * After poll() reported POLLERR/POLLNVAL on the trigger fd: stop polling it
 * (the trigger is gone; sampling continues).  Cannot fail.
 */
void sample_trigger_lost(struct sampler *s);

/* Close every fd (safe to call twice).  Cannot fail. */
void sample_close(struct sampler *s);

#endif
