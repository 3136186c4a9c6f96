/*
 * lab.c - a parsed scenario as the Xen lab's paper job (lab.h).  The
 * checks are what the lab can run: three guest slots vm1..vm3, one
 * instance each, sizes in MiB (xl's memory= / maxmem=), and memory tasks
 * per phase; every phase runs LAB_PHASE_S seconds in the lab, so the
 * durations give only the proportions (units of their gcd).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "lab.h"

struct lab_buf {
	char *p;
	size_t len, used;
	bool full;
};

static void __attribute__((format(printf, 2, 3)))
put(struct lab_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (b->full)
		return;
	va_start(ap, fmt);
	n = vsnprintf(b->p + b->used, b->len - b->used, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= b->len - b->used)
		b->full = true;
	else
		b->used += (size_t)n;
}

/* One "file:line: message" (line 0: "file: message"); returns -EINVAL. */
static int __attribute__((format(printf, 5, 6)))
lab_err(char *err, size_t errlen, const char *file, unsigned line,
    const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (line > 0)
		snprintf(err, errlen, "%s:%u: %s", file, line, msg);
	else
		snprintf(err, errlen, "%s: %s", file, msg);
	return -EINVAL;
}

static int
parse_2digits(const char *s, size_t len, unsigned *out)
{
	unsigned v = 0;
	size_t i;

	if (len < 1 || len > 2)
		return -EINVAL;
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -EINVAL;
		v = v * 10 + (unsigned)(s[i] - '0');
	}
	*out = v;
	return 0;
}

/* See lab.h. */
int
lab_parse_range(const char *s, struct lab_range *range_out)
{
	const char *dash = strchr(s, '-');
	unsigned first, last;

	if (s[0] == '\0') {
		range_out->all = true;
		range_out->first = range_out->last = 0;
		return 0;
	}
	if (dash == NULL || parse_2digits(s, (size_t)(dash - s), &first) ||
	    parse_2digits(dash + 1, strlen(dash + 1), &last))
		return -EINVAL;
	range_out->all = false;
	range_out->first = first;
	range_out->last = last;
	return 0;
}

static bool
safe_value(const char *s)
{
	return s[0] != '\0' && strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789_,.-") == strlen(s);
}

/* What the lab cannot run, at the guest's or the phase's line. */
static int
check_guest(const struct sim_guest_cfg *g, size_t i, const char *file,
    char *err, size_t errlen)
{
	char want[SIM_NAME_MAX];
	size_t k;

	snprintf(want, sizeof(want), "vm%zu", i + 1);
	if (i >= LAB_GUESTS || strcmp(g->name, want) != 0)
		return lab_err(err, errlen, file, g->line, "the lab has guests "
		    "vm1, vm2, vm3, in that order (got %s)", g->name);
	if (g->count != 1)
		return lab_err(err, errlen, file, g->line, "%s: count= is not "
		    "supported by the lab", g->name);
	if (g->start_kb % 1024 != 0 || g->max_kb % 1024 != 0)
		return lab_err(err, errlen, file, g->line, "%s: %s= is %llu "
		    "KiB, not a whole MiB", g->name, g->start_kb % 1024 ?
		    "start" : "max", (unsigned long long)(g->start_kb % 1024 ?
		    g->start_kb : g->max_kb));
	for (k = 0; k < g->nphases; k++)
		if (!g->phases[k].has_tasks)
			return lab_err(err, errlen, file, g->phases[k].line,
			    "%s: phase without tasks= (the lab's memory tasks)",
			    g->name);
	return 0;
}

static uint64_t
gcd_u64(uint64_t a, uint64_t b)
{
	uint64_t t;

	while (b != 0) {
		t = a % b;
		a = b;
		b = t;
	}
	return a;
}

/* The phase that runs in unit u (the last one holds after the end). */
static const struct sim_phase *
phase_at(const struct sim_guest_cfg *g, uint64_t unit_ms, uint64_t u)
{
	uint64_t end = 0;
	size_t k;

	for (k = 0; k < g->nphases; k++) {
		end += g->phases[k].dur_ms / unit_ms;
		if (u < end)
			return &g->phases[k];
	}
	return &g->phases[g->nphases - 1];
}

static void
put_list(struct lab_buf *b, const struct sim_guest_cfg *g, uint64_t unit_ms,
    unsigned first, unsigned last, bool disk)
{
	const struct sim_phase *p;
	unsigned u;

	for (u = first; u <= last; u++) {
		p = phase_at(g, unit_ms, u);
		put(b, "%s%u", u > first ? "," : "",
		    disk ? p->disk_tasks : p->tasks);
	}
	put(b, "\n");
}

/* The number of units of the longest guest, at most LAB_UNITS_MAX + 1. */
static uint64_t
count_units(const struct sim_scenario *sc, uint64_t unit_ms)
{
	uint64_t n, total = 0;
	size_t i, k;

	for (i = 0; i < sc->nguests; i++) {
		n = 0;
		for (k = 0; k < sc->guests[i].nphases && n <= LAB_UNITS_MAX;
		    k++)
			n += sc->guests[i].phases[k].dur_ms / unit_ms;
		if (n > total)
			total = n;
	}
	return total > LAB_UNITS_MAX ? LAB_UNITS_MAX + 1 : total;
}

static int
check_all(const struct sim_scenario *sc, const char *file, char *err,
    size_t errlen)
{
	size_t i;
	int rc;

	for (i = 0; i < sc->nguests; i++) {
		rc = check_guest(&sc->guests[i], i, file, err, errlen);
		if (rc != 0)
			return rc;
	}
	if (sc->nguests != LAB_GUESTS)
		return lab_err(err, errlen, file, 0, "the lab needs guests "
		    "vm1, vm2, vm3");
	for (i = 0; i < sc->nguests; i++)
		if (sc->guests[i].nphases == 0)
			return lab_err(err, errlen, file, sc->guests[i].line,
			    "%s has no phase", sc->guests[i].name);
	if (!safe_value(sc->name))
		return lab_err(err, errlen, file, 0, "the lab takes a name of "
		    "[A-Za-z0-9_,.-] only");
	return 0;
}

/* See lab.h. */
int
lab_format(const struct sim_scenario *sc, const char *file,
    const struct lab_range *range, char *out, size_t outlen, char *err,
    size_t errlen)
{
	struct lab_buf b = { out, outlen, 0, outlen == 0 };
	uint64_t unit_ms = 0, total;
	unsigned first, last;
	size_t i, k;
	int rc;

	rc = check_all(sc, file, err, errlen);
	if (rc != 0)
		return rc;
	for (i = 0; i < sc->nguests; i++)
		for (k = 0; k < sc->guests[i].nphases; k++)
			unit_ms = gcd_u64(unit_ms,
			    sc->guests[i].phases[k].dur_ms);
	total = count_units(sc, unit_ms);
	first = range->all ? 0 : range->first;
	last = range->all ? (unsigned)total - 1 : range->last;
	if (total > LAB_UNITS_MAX)
		return lab_err(err, errlen, file, 0, "more than %d phase units "
		    "of %llu ms (the durations' gcd)", LAB_UNITS_MAX,
		    (unsigned long long)unit_ms);
	if (first > last || last >= total)
		return lab_err(err, errlen, file, 0, "%llu phase units; range "
		    "%u-%u does not fit", (unsigned long long)total, first,
		    last);
	put(&b, "LAB_SCN_NAME=%s\nLAB_SCN_PHASES=%u\n", sc->name,
	    last - first + 1);
	for (i = 0; i < LAB_GUESTS; i++) {
		const struct sim_guest_cfg *g = &sc->guests[i];

		put(&b, "LAB_VM%zu_START=%llu\nLAB_VM%zu_MAX=%llu\n", i + 1,
		    (unsigned long long)(g->start_kb / 1024), i + 1,
		    (unsigned long long)(g->max_kb / 1024));
		put(&b, "LAB_VM%zu_TASKS=", i + 1);
		put_list(&b, g, unit_ms, first, last, false);
		put(&b, "LAB_VM%zu_DISK=", i + 1);
		put_list(&b, g, unit_ms, first, last, true);
	}
	if (b.full)
		return snprintf(err, errlen, "%s: lab settings longer than %zu "
		    "bytes", file, outlen), -ENOSPC;
	return 0;
}
