/*
 * lvrec.c - libvirt balloon statistics as cagma records (see lvrec.h).
 * Pure.
 */
#include <errno.h>
#include <string.h>

#include "lvrec.h"

const uint32_t lvrec_required = CG_BIT(CG_F_MEM_TOTAL) |
    CG_BIT(CG_F_MEM_FREE) | CG_BIT(CG_F_MEM_AVAIL);

#define LVREC_NEED	((1U << LVREC_AVAILABLE) | (1U << LVREC_UNUSED) | \
			 (1U << LVREC_USABLE))

static bool
lvrec_has(const struct lvrec_stats *st, enum lvrec_tag t)
{
	return (st->present & (1U << t)) != 0;
}

/* See lvrec.h. */
int
lvrec_from_stats(const struct lvrec_stats *st, uint64_t seq, uint64_t max_kb,
    bool autodeflate, struct cg_record *rec_out)
{
	struct cg_record rec;
	uint64_t total, balloon = 0;

	if ((st->present & LVREC_NEED) != LVREC_NEED)
		return -ENODATA;
	total = st->val[LVREC_AVAILABLE];
	if (autodeflate) {
		if (!lvrec_has(st, LVREC_ACTUAL) ||
		    st->val[LVREC_ACTUAL] > max_kb)
			return -EINVAL;
		balloon = max_kb - st->val[LVREC_ACTUAL];
		if (balloon > total)
			return -EINVAL;
		total -= balloon;
	}
	if (st->val[LVREC_UNUSED] > total || st->val[LVREC_USABLE] > total)
		return -EINVAL;
	if (lvrec_has(st, LVREC_ACTUAL) && st->val[LVREC_ACTUAL] > max_kb)
		return -EINVAL;
	memset(&rec, 0, sizeof(rec));
	record_set(&rec, CG_F_V, CG_RECORD_VERSION);
	record_set(&rec, CG_F_SEQ, seq);
	record_set(&rec, CG_F_MEM_TOTAL, total);
	record_set(&rec, CG_F_MEM_FREE, st->val[LVREC_UNUSED]);
	record_set(&rec, CG_F_MEM_AVAIL, st->val[LVREC_USABLE]);
	if (lvrec_has(st, LVREC_DISK_CACHES))
		record_set(&rec, CG_F_CACHED, st->val[LVREC_DISK_CACHES]);
	if (lvrec_has(st, LVREC_SWAP_IN))
		record_set(&rec, CG_F_PSWPIN, st->val[LVREC_SWAP_IN] /
		    LVREC_PAGE_KB);
	if (lvrec_has(st, LVREC_SWAP_OUT))
		record_set(&rec, CG_F_PSWPOUT, st->val[LVREC_SWAP_OUT] /
		    LVREC_PAGE_KB);
	if (lvrec_has(st, LVREC_MAJOR_FAULT))
		record_set(&rec, CG_F_PGMAJFAULT, st->val[LVREC_MAJOR_FAULT]);
	*rec_out = rec;
	return 0;
}

/* See lvrec.h. */
uint64_t
lvrec_safe_floor_kb(const struct cg_record *rec, uint64_t actual_kb)
{
	uint64_t total, avail, used, overhead = 0, margin, cap, floor_kb;

	if (!record_has(rec, CG_F_MEM_TOTAL) || !record_has(rec, CG_F_MEM_AVAIL))
		return 0;
	total = rec->val[CG_F_MEM_TOTAL];
	avail = rec->val[CG_F_MEM_AVAIL];
	used = total > avail ? total - avail : 0;
	if (actual_kb > total) {
		cap = actual_kb / 8 > LVREC_OVERHEAD_MAX_KB ? actual_kb / 8 :
		    LVREC_OVERHEAD_MAX_KB;
		overhead = actual_kb - total < cap ? actual_kb - total : cap;
	}
	margin = used / 100 * LVREC_MARGIN_PCT;
	if (margin < LVREC_MARGIN_MIN_KB)
		margin = LVREC_MARGIN_MIN_KB;
	floor_kb = used + overhead + margin;	/* each <= 2^30: no overflow */
	return floor_kb < actual_kb ? floor_kb : actual_kb;
}

/* "autodeflate" attribute with value on, quoted either way, in [p, end). */
static bool
lvrec_attr_on(const char *p, const char *end)
{
	static const char name[] = "autodeflate";
	const char *q;

	for (q = p; q + sizeof(name) - 1 < end; q++) {
		if (memcmp(q, name, sizeof(name) - 1) != 0 ||
		    (q > p && q[-1] != ' ' && q[-1] != '\t' && q[-1] != '\n'))
			continue;
		q += sizeof(name) - 1;
		while (q < end && (*q == ' ' || *q == '\t' || *q == '\n'))
			q++;
		if (q >= end || *q != '=')
			return false;
		q++;
		while (q < end && (*q == ' ' || *q == '\t' || *q == '\n'))
			q++;
		return end - q >= 4 && (q[0] == '\'' || q[0] == '"') &&
		    memcmp(q + 1, "on", 2) == 0 && q[3] == q[0];
	}
	return false;
}

/* See lvrec.h. */
bool
lvrec_xml_autodeflate(const char *xml)
{
	const char *p = xml, *end;

	while ((p = strstr(p, "<memballoon")) != NULL) {
		p += sizeof("<memballoon") - 1;
		if (*p != ' ' && *p != '\t' && *p != '\n')
			continue;	/* another element's name */
		end = strchr(p, '>');
		if (end == NULL)
			return false;
		return lvrec_attr_on(p, end);
	}
	return false;
}
