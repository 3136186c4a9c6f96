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

	if ((st->present & LVREC_NEED) != LVREC_NEED)
		return -ENODATA;
	if (lvrec_has(st, LVREC_ACTUAL) && st->val[LVREC_ACTUAL] > max_kb)
		return -EINVAL;
	memset(&rec, 0, sizeof(rec));
	record_set(&rec, CG_F_V, CG_RECORD_VERSION);
	record_set(&rec, CG_F_SEQ, seq);
	record_set(&rec, CG_F_MEM_TOTAL, st->val[LVREC_AVAILABLE]);
	if (autodeflate && (!lvrec_has(st, LVREC_ACTUAL) ||
	    lvrec_deflate(&rec, max_kb, st->val[LVREC_ACTUAL]) != 0))
		return -EINVAL;
	if (st->val[LVREC_UNUSED] > rec.val[CG_F_MEM_TOTAL] ||
	    st->val[LVREC_USABLE] > rec.val[CG_F_MEM_TOTAL])
		return -EINVAL;
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
int
lvrec_deflate(struct cg_record *rec, uint64_t max_kb, uint64_t actual_kb)
{
	uint64_t balloon;

	if (actual_kb > max_kb || !record_has(rec, CG_F_MEM_TOTAL))
		return -EINVAL;
	balloon = max_kb - actual_kb;
	if (balloon > rec->val[CG_F_MEM_TOTAL])
		return -EINVAL;
	rec->val[CG_F_MEM_TOTAL] -= balloon;
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

/*
 * The value of attribute name in the element text [p, end): copied into
 * out (cap bytes).  0, or -ENOENT (absent, unquoted, too long).
 */
static int
lvrec_attr(const char *p, const char *end, const char *name, char *out,
    size_t cap)
{
	size_t n = strlen(name);
	const char *q, *v;

	for (q = p; q + n + 2 < end; q++) {
		if (memcmp(q, name, n) != 0 || q[n] != '=' ||
		    (q > p && q[-1] != ' ' && q[-1] != '\t' && q[-1] != '\n'))
			continue;
		if (q[n + 1] != '\'' && q[n + 1] != '"')
			return -ENOENT;
		v = memchr(q + n + 2, q[n + 1], (size_t)(end - (q + n + 2)));
		if (v == NULL || (size_t)(v - (q + n + 2)) >= cap)
			return -ENOENT;
		memcpy(out, q + n + 2, (size_t)(v - (q + n + 2)));
		out[v - (q + n + 2)] = '\0';
		return 0;
	}
	return -ENOENT;
}

/* The first <tag ...> element start in [p, end): its attributes' end. */
static const char *
lvrec_elem(const char *p, const char *end, const char *tag,
    const char **attrs_out)
{
	size_t n = strlen(tag);
	const char *q, *gt;

	for (q = p; q + n + 1 < end; q++) {
		if (q[0] != '<' || memcmp(q + 1, tag, n) != 0 ||
		    (q[n + 1] != ' ' && q[n + 1] != '\t' && q[n + 1] != '\n'))
			continue;
		gt = memchr(q, '>', (size_t)(end - q));
		if (gt == NULL)
			return NULL;
		*attrs_out = q + n + 1;
		return gt;
	}
	return NULL;
}

/* See lvrec.h. */
int
lvrec_xml_channel(const char *xml, char *path_out, size_t cap)
{
	const char *p = xml, *end, *close, *a, *gt, *ca, *cgt;
	char v[128], path[256];
	size_t i;

	end = xml + strlen(xml);
	while ((cgt = lvrec_elem(p, end, "channel", &ca)) != NULL) {
		close = strstr(cgt, "</channel>");
		if (close == NULL)
			return -ENOENT;
		p = close + 1;
		if (lvrec_attr(ca, cgt, "type", v, sizeof(v)) != 0 ||
		    strcmp(v, "unix") != 0)
			continue;
		gt = lvrec_elem(cgt, close, "target", &a);
		if (gt == NULL || lvrec_attr(a, gt, "type", v, sizeof(v)) != 0 ||
		    strcmp(v, "virtio") != 0 ||
		    lvrec_attr(a, gt, "name", v, sizeof(v)) != 0 ||
		    strcmp(v, "org.cagma.agent.0") != 0)
			continue;
		gt = lvrec_elem(cgt, close, "source", &a);
		if (gt == NULL || lvrec_attr(a, gt, "path", path,
		    sizeof(path)) != 0 || path[0] != '/' ||
		    strlen(path) >= cap)
			continue;
		for (i = 0; path[i] != '\0'; i++)
			if (path[i] < ' ' || path[i] > '~')
				break;
		if (path[i] != '\0')
			continue;
		memcpy(path_out, path, strlen(path) + 1);
		return 0;
	}
	return -ENOENT;
}
