/*
 * lvrec.h - the libvirt backend's pure part: balloon statistics
 * (virDomainMemoryStats) as a cagma record, the safety floor they give,
 * and the memballoon autodeflate flag of a domain's XML.  No libvirt
 * header here (only the libvirt backend's own files, backend_libvirt*,
 * have one), so the unit tests run on any build.
 *
 * The statistics come from libvirt, on the host, but QEMU copies them
 * from the guest's virtio-balloon driver: every value is guest-written
 * and hostile, exactly like an agent's record.
 */
#ifndef CAGMA_DOM0_LVREC_H
#define CAGMA_DOM0_LVREC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "record.h"

/*
 * Tags, numbered as libvirt's VIR_DOMAIN_MEMORY_STAT_* (a stable ABI;
 * backend_libvirt_dom.c asserts that they match).  Units as libvirt gives
 * them: KiB, except the fault counters (events) and last_update (epoch
 * seconds).
 */
enum lvrec_tag {
	LVREC_SWAP_IN,		/* KiB read from swap, cumulative */
	LVREC_SWAP_OUT,		/* KiB written to swap, cumulative */
	LVREC_MAJOR_FAULT,
	LVREC_MINOR_FAULT,
	LVREC_UNUSED,		/* guest MemFree */
	LVREC_AVAILABLE,	/* guest MemTotal */
	LVREC_ACTUAL,		/* balloon size (host fact, QEMU) */
	LVREC_RSS,		/* QEMU's RSS on the host: not guest memory */
	LVREC_USABLE,		/* guest MemAvailable */
	LVREC_LAST_UPDATE,	/* when the guest last refreshed them */
	LVREC_DISK_CACHES,	/* guest Cached + Buffers */
	LVREC_HUGETLB_PGALLOC,
	LVREC_HUGETLB_PGFAIL,
	LVREC_TAG_COUNT
};

struct lvrec_stats {
	uint64_t val[LVREC_TAG_COUNT];
	uint32_t present;		/* 1 << tag when val[tag] was given */
};

/* Page size of the swap counters' conversion (x86, arm64 4 KiB pages). */
#define LVREC_PAGE_KB		4
/*
 * Safety floor margin: a target never goes below what the guest says it
 * uses (MemTotal - MemAvailable) plus its overhead (balloon size minus
 * MemTotal) plus max(LVREC_MARGIN_MIN_KB, LVREC_MARGIN_PCT % of used).
 * 64 MiB: one stats period of growth of the lab's hog under TCG is well
 * below it, and an over-squeezed TCG guest (150 MiB target for a 128 MiB
 * working set) was OOM-killed (shared/docs/libvirt-lab.md).
 */
#define LVREC_MARGIN_MIN_KB	(64 * 1024)
#define LVREC_MARGIN_PCT	10
#define LVREC_OVERHEAD_MAX_KB	(128 * 1024)	/* or actual / 8 */

/*
 * The fields a libvirt record must have (besides v and seq): mem_total,
 * mem_free, mem_avail.  Without them (no virtio-balloon driver in the
 * guest, stats period 0) there is no record: the domain stays no-agent.
 */
extern const uint32_t lvrec_required;

/*
 * Build the record of one stats sample.  seq: the caller's sequence
 * number (a new one per sample whose last_update moved).  max_kb: the
 * domain's maximum memory (virDomainGetMaxMemory, trusted).  autodeflate:
 * the guest's MemTotal stays at its full size while the balloon holds
 * pages (VIRTIO_BALLOON_F_DEFLATE_ON_OOM), so the balloon (max_kb -
 * actual) is taken off MemTotal; without actual such a sample has no
 * record.  Mapping: mem_total = available, mem_free = unused, mem_avail =
 * usable, cached = disk_caches, pswpin/pswpout = swap_in/swap_out in
 * pages, pgmajfault = major_fault.  Absent (never invented): swap_total,
 * swap_free, pgscan_kswapd, refault, PSI, urgent, oom_kill, allocstall,
 * pgscan_direct, wmark_low.  rss is never used.  Returns 0, -ENODATA for
 * a sample without available, unused and usable (no record: the guest has
 * no balloon driver yet), or -EINVAL for one that contradicts itself
 * (unused or usable above available, the balloon above max); the result
 * still goes through dom_record_built() (keys.def bounds).  Pure.
 */
int lvrec_from_stats(const struct lvrec_stats *st, uint64_t seq,
    uint64_t max_kb, bool autodeflate, struct cg_record *rec_out);

/*
 * An autodeflate guest's record (from the stats or its agent): take the
 * balloon, max_kb - actual_kb, off mem_total.  0, or -EINVAL if the
 * balloon is above max or above mem_total (rec untouched then).  Pure.
 */
int lvrec_deflate(struct cg_record *rec, uint64_t max_kb, uint64_t actual_kb);

/*
 * The safety floor of a domain whose latest accepted record is rec and
 * whose balloon is at actual_kb: used + overhead + margin (see
 * LVREC_MARGIN_*), but never above actual_kb (the floor stops shrinks, it
 * never asks for memory).  0 without a record's mem_total.  Pure.
 */
uint64_t lvrec_safe_floor_kb(const struct cg_record *rec, uint64_t actual_kb);

/*
 * Whether a domain's XML (virDomainGetXMLDesc, NUL-terminated) has
 * <memballoon ... autodeflate='on'> (or "on").  Only the memballoon
 * element's own attributes count.  Pure.
 */
bool lvrec_xml_autodeflate(const char *xml);

/*
 * The host-side socket path of the domain's agent channel: the first
 * <channel type='unix'> element (either quote style) whose <target> has
 * type='virtio' and name='org.cagma.agent.0' (CHAN_NAME), its <source
 * path='...'>.  Copied NUL-terminated into path_out (cap bytes) only if
 * it is absolute, printable and shorter than cap.  0, or -ENOENT.  xml is
 * libvirt's (NUL-terminated).  Pure.
 */
int lvrec_xml_channel(const char *xml, char *path_out, size_t cap);

#endif
