/*
 * latency.c - cagma-lat: emergency latency through the real xenstored.
 *
 *   cagma-lat urgent --dir D --domids A[-B] [--events N] [--csv FILE]
 *                    [--bound-ms MS] [--timeout-ms MS] [--no-floor]
 *   cagma-lat flood  --dir D --domid N [--writes N]
 *   cagma-lat vflood --dir D --domids A[-B] [--rate-hz R] [--seconds S]
 *   cagma-lat publish --dir D --domids A[-B] [--period-ms P] [--seconds S]
 *
 * urgent: for each event, acting as a guest through its fake-guest socket
 * ($D/guest-<N>.sock), write an urgent stats record (MemTotal = the target in
 * force, almost nothing available, swap-ins growing) and measure, on a dom0
 * watch, the time until cagmad writes a new /local/domain/N/memory/target.
 * Beside each event it measures the raw watch round trip on the same path
 * (guest write of data/lat-probe -> dom0 watch event): the physical floor.
 * A domain whose target approaches its static-max is left for the next one
 * in A..B (and, with --release, released and removed as the toolstack
 * does on destroy, so the simulated host gets its memory back).  Prints median/p90/p99/max of both and their ratio; --csv writes
 * "event,domid,kind,latency_us" rows.  Exit 0 when every event got a new
 * target within --timeout-ms (default 1000) and under --bound-ms (if set).
 *
 * flood: one guest connection writes --writes (default 10000) hostile
 * records (garbage, oversized, negative, overflowing, duplicate fields) to
 * data/cagma/stats as fast as xenstored accepts them; prints the rate.
 *
 * vflood: every domain of A..B floods VALID urgent records (seq, counters
 * and PSI growing, as a guest under real pressure would write them), each
 * at --rate-hz (default 200/s: cagmad's per-domain urgent budget) for
 * --seconds (default 5), one guest connection per domain, paced together;
 * prints writes, refusals and the rate achieved.
 *
 * publish: every domain of A..B writes one calm, valid record (20 % of
 * MemTotal available, no swap-in, not urgent) per --period-ms (default
 * 5000: the agent's heartbeat, what a calm guest writes), spread evenly
 * over the period, for --seconds (default 5).
 *
 * dom0 is $XENSTORED_PATH.  Test/bench tool: not part of the product.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xenstore.h>

#include "mtime.h"
#include "num.h"
#include "record.h"

#define LAT_MAX_EVENTS		100000
#define LAT_MAX_DOMAINS		1024
#define LAT_GROW_HEADROOM_PCT	140	/* next grant must fit under max */
#define LAT_PROBE		"data/lat-probe"

struct lat_opts {
	const char *dir;
	uint32_t first, last;
	uint64_t events;
	uint64_t bound_ms;
	uint64_t timeout_ms;
	uint64_t writes;
	uint64_t rate_hz;
	uint64_t seconds;
	uint64_t period_ms;
	const char *csv;
	bool floor;
	bool release;
};

struct lat_dom {
	uint32_t domid;
	struct xs_handle *guest;
	uint64_t seq;
	uint64_t pswpin;
	char target_path[64];
	char probe_path[64];
};

struct lat_sample {
	uint32_t domid;
	uint64_t urgent_us;	/* UINT64_MAX: no new target in time */
	uint64_t floor_us;
};

static struct xs_handle *
open_sock(const char *path)
{
	struct xs_handle *xsh;

	if (path != NULL)
		setenv("XENSTORED_PATH", path, 1);
	xsh = xs_open(0);
	if (xsh == NULL)
		fprintf(stderr, "cagma-lat: xs_open(%s): %s\n",
		    path != NULL ? path : "$XENSTORED_PATH", strerror(errno));
	return xsh;
}

static struct xs_handle *
open_guest(const char *dir, uint32_t domid)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/guest-%u.sock", dir, domid);
	return open_sock(path);
}

/* Wait for a watch event on path; 0, -ETIMEDOUT or -errno. */
static int
wait_watch(struct xs_handle *xsh, const char *path, uint64_t deadline_ms)
{
	struct pollfd p = { .fd = xs_fileno(xsh), .events = POLLIN };
	uint64_t now;
	char **vec;
	int hit;

	for (;;) {
		while ((vec = xs_check_watch(xsh)) != NULL) {
			hit = strcmp(vec[XS_WATCH_PATH], path) == 0;
			free(vec);
			if (hit)
				return 0;
		}
		if (errno != EAGAIN)
			return -errno;
		now = mtime_ms();
		if (now >= deadline_ms)
			return -ETIMEDOUT;
		if (poll(&p, 1, (int)(deadline_ms - now)) < 0 && errno != EINTR)
			return -errno;
	}
}

static int
read_u64(struct xs_handle *xsh, const char *path, uint64_t *out)
{
	unsigned int len;
	char *v;
	int rc;

	v = xs_read(xsh, XBT_NULL, path, &len);
	if (v == NULL)
		return -errno;
	rc = num_parse_u64(v, len, 0, UINT64_MAX, out);
	free(v);
	return rc;
}

/* An urgent record claiming the whole target is in use. */
static int
urgent_record(struct lat_dom *d, uint64_t target_kb, char *buf, size_t size)
{
	struct cg_record rec;
	uint64_t avail = target_kb / 100;

	memset(&rec, 0, sizeof(rec));
	d->seq++;
	d->pswpin += 4096;
	record_set(&rec, CG_F_V, CG_RECORD_VERSION);
	record_set(&rec, CG_F_SEQ, d->seq);
	record_set(&rec, CG_F_MEM_TOTAL, target_kb);
	record_set(&rec, CG_F_MEM_FREE, avail / 2);
	record_set(&rec, CG_F_MEM_AVAIL, avail);
	record_set(&rec, CG_F_SWAP_TOTAL, 1024 * 1024);
	record_set(&rec, CG_F_SWAP_FREE, 1024 * 1024);	/* grow ~10 %, not x2 */
	record_set(&rec, CG_F_PSWPIN, d->pswpin);
	record_set(&rec, CG_F_PSWPOUT, d->pswpin);
	record_set(&rec, CG_F_PGSCAN_KSWAPD, d->pswpin * 8);
	record_set(&rec, CG_F_PGMAJFAULT, d->pswpin);
	record_set(&rec, CG_F_REFAULT, d->pswpin);
	record_set(&rec, CG_F_PSI_SOME_US, d->seq * 100000);
	record_set(&rec, CG_F_PSI_FULL_US, d->seq * 50000);
	record_set(&rec, CG_F_URGENT, 1);
	return record_encode(&rec, buf, size);
}

/* A calm record: 20 % available, nothing swapped in, not urgent. */
static int
calm_record(struct lat_dom *d, uint64_t target_kb, char *buf, size_t size)
{
	struct cg_record rec;

	memset(&rec, 0, sizeof(rec));
	d->seq++;
	record_set(&rec, CG_F_V, CG_RECORD_VERSION);
	record_set(&rec, CG_F_SEQ, d->seq);
	record_set(&rec, CG_F_MEM_TOTAL, target_kb);
	record_set(&rec, CG_F_MEM_FREE, target_kb / 10);
	record_set(&rec, CG_F_MEM_AVAIL, target_kb / 5);
	record_set(&rec, CG_F_SWAP_TOTAL, 1024 * 1024);
	record_set(&rec, CG_F_SWAP_FREE, 1024 * 1024);
	record_set(&rec, CG_F_PSWPIN, 0);
	record_set(&rec, CG_F_PSWPOUT, 0);
	record_set(&rec, CG_F_PGSCAN_KSWAPD, 0);
	record_set(&rec, CG_F_PGMAJFAULT, 0);
	record_set(&rec, CG_F_REFAULT, 0);
	record_set(&rec, CG_F_PSI_SOME_US, 0);
	record_set(&rec, CG_F_PSI_FULL_US, 0);
	record_set(&rec, CG_F_URGENT, 0);
	return record_encode(&rec, buf, size);
}

static bool
guest_write(struct lat_dom *d, const char *path, const char *val)
{
	return xs_write(d->guest, XBT_NULL, path, val,
	    (unsigned int)strlen(val));
}

/* Raw floor: guest write of the probe key -> dom0 watch event, in us. */
static int
floor_event(struct xs_handle *dom0, struct lat_dom *d, uint64_t i,
    uint64_t timeout_ms, uint64_t *us_out)
{
	char val[NUM_U64_MAX_DIGITS + 1];
	uint64_t t0;
	int rc;

	val[num_fmt_u64(val, i)] = '\0';
	t0 = mtime_us();
	if (!guest_write(d, LAT_PROBE, val))
		return -errno;
	rc = wait_watch(dom0, d->probe_path, mtime_ms() + timeout_ms);
	if (rc == 0)
		*us_out = mtime_us() - t0;
	return rc;
}

/*
 * One emergency: returns 0 and the latency, -ETIMEDOUT if cagmad set no new
 * target in time, -ENOSPC if the domain is too close to its max.
 */
static int
urgent_event(struct xs_handle *dom0, struct lat_dom *d, uint64_t max_kb,
    uint64_t timeout_ms, uint64_t *us_out)
{
	char rec[CG_RECORD_MAX_LEN + 1];
	uint64_t target, now_target, t0, deadline;
	int rc;

	rc = read_u64(dom0, d->target_path, &target);
	if (rc < 0)
		return rc;
	if (target / 100 * LAT_GROW_HEADROOM_PCT > max_kb)
		return -ENOSPC;
	rc = urgent_record(d, target, rec, sizeof(rec));
	if (rc < 0)
		return rc;
	t0 = mtime_us();
	deadline = mtime_ms() + timeout_ms;
	if (!guest_write(d, CG_PATH_STATS, rec))
		return -errno;
	for (;;) {
		rc = wait_watch(dom0, d->target_path, deadline);
		if (rc < 0)
			return rc;
		if (read_u64(dom0, d->target_path, &now_target) == 0 &&
		    now_target != target)
			break;
	}
	*us_out = mtime_us() - t0;
	return 0;
}

/* Switch to domain domid: guest connection and dom0 watches. */
static int
dom_enter(struct xs_handle *dom0, const char *dir, struct lat_dom *d,
    uint32_t domid, uint64_t *max_kb_out)
{
	char path[64];
	int rc;

	memset(d, 0, sizeof(*d));
	d->domid = domid;
	d->seq = mtime_ms();	/* above anything an earlier run used */
	snprintf(d->target_path, sizeof(d->target_path),
	    "/local/domain/%u/memory/target", domid);
	snprintf(d->probe_path, sizeof(d->probe_path), "/local/domain/%u/%s",
	    domid, LAT_PROBE);
	snprintf(path, sizeof(path), "/local/domain/%u/memory/static-max",
	    domid);
	rc = read_u64(dom0, path, max_kb_out);
	if (rc < 0)
		return rc;
	d->guest = open_guest(dir, domid);
	if (d->guest == NULL)
		return -ENOTCONN;
	if (!xs_watch(dom0, d->target_path, "t") ||
	    !xs_watch(dom0, d->probe_path, "p"))
		return -errno;
	/* each watch fires once when set */
	(void)wait_watch(dom0, d->target_path, mtime_ms() + 200);
	(void)wait_watch(dom0, d->probe_path, mtime_ms() + 200);
	return 0;
}

static void
dom_leave(struct xs_handle *dom0, struct lat_dom *d)
{
	if (d->guest == NULL)
		return;
	xs_unwatch(dom0, d->target_path, "t");
	xs_unwatch(dom0, d->probe_path, "p");
	xs_close(d->guest);
	d->guest = NULL;
}

/* Toolstack "destroy": the domain's memory goes back to the host. */
static void
dom_release(struct xs_handle *dom0, uint32_t domid)
{
	char path[32];

	snprintf(path, sizeof(path), "/local/domain/%u", domid);
	xs_release_domain(dom0, domid);
	xs_rm(dom0, XBT_NULL, path);
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Sort v[0..n) and print "median p90 p99 max" in ms; returns the median. */
static uint64_t
print_stats(const char *what, uint64_t *v, size_t n)
{
	if (n == 0) {
		printf("%-34s n=0\n", what);
		return 0;
	}
	qsort(v, n, sizeof(*v), cmp_u64);
	printf("%-34s n=%zu median=%.3f ms p90=%.3f ms p99=%.3f ms "
	    "max=%.3f ms\n", what, n, (double)v[n / 2] / 1000.0,
	    (double)v[n * 90 / 100] / 1000.0, (double)v[n * 99 / 100] / 1000.0,
	    (double)v[n - 1] / 1000.0);
	return v[n / 2];
}

static int
write_csv(const char *path, const struct lat_sample *s, size_t n, bool floor)
{
	FILE *f;
	size_t i;

	f = fopen(path, "w");
	if (f == NULL)
		return -errno;
	fprintf(f, "event,domid,kind,latency_us\n");
	for (i = 0; i < n; i++) {
		if (s[i].urgent_us == UINT64_MAX)
			fprintf(f, "%zu,%u,urgent,timeout\n", i, s[i].domid);
		else
			fprintf(f, "%zu,%u,urgent,%llu\n", i, s[i].domid,
			    (unsigned long long)s[i].urgent_us);
		if (floor)
			fprintf(f, "%zu,%u,floor,%llu\n", i, s[i].domid,
			    (unsigned long long)s[i].floor_us);
	}
	return fclose(f) == 0 ? 0 : -errno;
}

/* Summary and verdict; returns 0 when every event met the bounds. */
static int
report(const struct lat_opts *o, struct lat_sample *s, size_t n)
{
	uint64_t *u = calloc(n + 1, sizeof(*u)), *f = calloc(n + 1,
	    sizeof(*f));
	uint64_t med_u, med_f, over = 0;
	size_t i, nu = 0, miss = 0;
	int rc = 0;

	if (u == NULL || f == NULL) {
		free(u);
		free(f);
		return -ENOMEM;
	}
	for (i = 0; i < n; i++) {
		if (s[i].urgent_us == UINT64_MAX)
			miss++;
		else
			u[nu++] = s[i].urgent_us;
		if (o->bound_ms && s[i].urgent_us > o->bound_ms * 1000)
			over++;
		f[i] = s[i].floor_us;
	}
	med_u = print_stats("urgent record -> new target", u, nu);
	if (o->floor) {
		med_f = print_stats("raw watch round trip (floor)", f, n);
		if (med_f > 0)
			printf("ratio median urgent / floor = %.2f\n",
			    (double)med_u / (double)med_f);
	}
	printf("events=%zu timeouts=%zu over_bound=%llu\n", n, miss,
	    (unsigned long long)over);
	if (miss > 0 || over > 0 || n < o->events)
		rc = -ETIMEDOUT;
	if (o->csv != NULL && write_csv(o->csv, s, n, o->floor) < 0)
		rc = -EIO;
	free(u);
	free(f);
	return rc;
}

static int
cmd_urgent(const struct lat_opts *o)
{
	struct xs_handle *dom0 = NULL;
	struct lat_sample *s = NULL;
	struct lat_dom d = { .guest = NULL };
	uint64_t max_kb = 0;
	uint32_t domid = o->first;
	size_t n = 0;
	int rc;

	s = calloc(o->events, sizeof(*s));
	dom0 = open_sock(NULL);
	if (s == NULL || dom0 == NULL) {
		rc = -ENOMEM;
		goto out;
	}
	rc = dom_enter(dom0, o->dir, &d, domid, &max_kb);
	while (rc == 0 && n < o->events) {
		s[n].domid = domid;
		if (o->floor) {
			rc = floor_event(dom0, &d, n, o->timeout_ms,
			    &s[n].floor_us);
			if (rc < 0)
				break;
		}
		rc = urgent_event(dom0, &d, max_kb, o->timeout_ms,
		    &s[n].urgent_us);
		if (rc == -ENOSPC) {
			dom_leave(dom0, &d);
			if (o->release)
				dom_release(dom0, domid);
			if (domid >= o->last)
				break;
			rc = dom_enter(dom0, o->dir, &d, ++domid, &max_kb);
			continue;
		}
		if (rc == -ETIMEDOUT) {
			s[n].urgent_us = UINT64_MAX;
			rc = 0;
		}
		n += rc == 0;
	}
	if (rc < 0 && rc != -ENOSPC)
		fprintf(stderr, "cagma-lat: domid %u: %s\n", domid,
		    strerror(-rc));
	rc = report(o, s, n);
out:
	dom_leave(dom0, &d);
	if (dom0 != NULL)
		xs_close(dom0);
	free(s);
	return rc < 0 ? 1 : 0;
}

/* The i-th hostile record (len in *len_out), cycling through 6 kinds. */
static const char *
hostile_record(uint64_t i, char *buf, size_t size, size_t *len_out)
{
	struct lat_dom d = { .seq = i, .pswpin = i };
	char good[CG_RECORD_MAX_LEN + 1];
	int n = urgent_record(&d, 1024 * 1024, good, sizeof(good));

	switch (i % 6) {
	case 0:		/* binary garbage with an embedded NUL */
		n = snprintf(buf, size, "\x01garbage%c\xff\x7f=%llu", 0,
		    (unsigned long long)i);
		break;
	case 1:		/* oversized: more than CG_RECORD_MAX_LEN */
		memset(buf, 'a', CG_RECORD_MAX_LEN + 200);
		n = CG_RECORD_MAX_LEN + 200;
		break;
	case 2:		/* negative number */
		n = snprintf(buf, size, "v=1 seq=%llu mem_total=-1048576%s",
		    (unsigned long long)i, strstr(good, " mem_free"));
		break;
	case 3:		/* overflowing number */
		n = snprintf(buf, size, "v=1 seq=%llu mem_total="
		    "99999999999999999999999%s", (unsigned long long)i,
		    strstr(good, " mem_free"));
		break;
	case 4:		/* duplicate field */
		n = snprintf(buf, size, "%s mem_total=1", good);
		break;
	default:	/* mem_avail far above mem_total: inconsistent */
		n = snprintf(buf, size, "v=1 seq=%llu mem_total=1 mem_free=1 "
		    "mem_avail=1073741824%s", (unsigned long long)i,
		    strstr(good, " swap_total"));
		break;
	}
	*len_out = n > 0 ? (size_t)n : 0;
	return buf;
}

static int
cmd_flood(const struct lat_opts *o)
{
	struct xs_handle *g;
	char buf[2 * CG_RECORD_MAX_LEN];
	uint64_t i, t0, ok = 0, refused = 0;
	size_t len;

	g = open_guest(o->dir, o->first);
	if (g == NULL)
		return 1;
	t0 = mtime_us();
	for (i = 0; i < o->writes; i++) {
		hostile_record(i, buf, sizeof(buf), &len);
		if (xs_write(g, XBT_NULL, CG_PATH_STATS, buf,
		    (unsigned int)len))
			ok++;
		else
			refused++;
	}
	t0 = mtime_us() - t0;
	printf("flood domid %u: %llu writes (%llu refused by xenstored) in "
	    "%.3f s, %.0f writes/s\n", o->first,
	    (unsigned long long)o->writes, (unsigned long long)refused,
	    (double)t0 / 1e6, (double)o->writes * 1e6 / (double)(t0 + 1));
	xs_close(g);
	return ok > 0 ? 0 : 1;
}

/*
 * vflood and publish: one guest connection per domain of A..B; write one
 * record per domain every period_us (urgent or calm), the domains spread
 * evenly over the period, for o->seconds.
 */
static int
run_writers(const struct lat_opts *o, const char *what, bool urgent,
    uint64_t period_us)
{
	struct xs_handle *dom0 = NULL;
	struct lat_dom *d = NULL;
	char rec[CG_RECORD_MAX_LEN + 1];
	uint64_t *target = NULL, t0, end, next, now, ok = 0, refused = 0;
	uint64_t slot_us, j;
	size_t i, n = (size_t)(o->last - o->first) + 1;
	int rc = 1, len;

	if (period_us == 0 || o->seconds == 0 || n > LAT_MAX_DOMAINS)
		return 2;
	d = calloc(n, sizeof(*d));
	target = calloc(n, sizeof(*target));
	dom0 = open_sock(NULL);
	if (d == NULL || target == NULL || dom0 == NULL)
		goto out;
	for (i = 0; i < n; i++) {
		d[i].domid = o->first + (uint32_t)i;
		d[i].seq = mtime_ms();	/* above anything written before */
		snprintf(d[i].target_path, sizeof(d[i].target_path),
		    "/local/domain/%u/memory/target", d[i].domid);
		if (read_u64(dom0, d[i].target_path, &target[i]) < 0 ||
		    (d[i].guest = open_guest(o->dir, d[i].domid)) == NULL)
			goto out;
	}
	/* urgent: all domains back to back each period; calm: spread out */
	slot_us = urgent ? 0 : period_us / n;
	t0 = mtime_us();
	end = t0 + o->seconds * 1000000;
	for (j = 0, next = t0; next < end; j++) {
		now = mtime_us();
		if (now < next)
			(void)poll(NULL, 0, (int)((next - now + 999) / 1000));
		else if (now > next + 100000)
			next = now;	/* fell behind: no catch-up burst */
		for (i = urgent ? 0 : j % n; i < (urgent ? n : j % n + 1);
		    i++) {
			len = urgent ? urgent_record(&d[i], target[i], rec,
			    sizeof(rec)) : calm_record(&d[i], target[i], rec,
			    sizeof(rec));
			if (len > 0 && guest_write(&d[i], CG_PATH_STATS, rec))
				ok++;
			else
				refused++;
		}
		next += urgent ? period_us : slot_us;
	}
	t0 = mtime_us() - t0;
	printf("%s domids %u-%u: %llu %s writes (%llu refused) in %.3f s, "
	    "%.0f writes/s, %.1f per domain per s\n", what, o->first,
	    o->last, (unsigned long long)ok, urgent ? "valid urgent" : "calm",
	    (unsigned long long)refused, (double)t0 / 1e6,
	    (double)ok * 1e6 / (double)(t0 + 1),
	    (double)ok * 1e6 / (double)(t0 + 1) / (double)n);
	rc = ok > 0 ? 0 : 1;
out:
	for (i = 0; d != NULL && i < n; i++)
		if (d[i].guest != NULL)
			xs_close(d[i].guest);
	if (dom0 != NULL)
		xs_close(dom0);
	free(d);
	free(target);
	return rc;
}

static int
cmd_vflood(const struct lat_opts *o)
{
	if (o->rate_hz == 0)
		return 2;
	return run_writers(o, "vflood", true, 1000000 / o->rate_hz);
}

static int
cmd_publish(const struct lat_opts *o)
{
	size_t n = (size_t)(o->last - o->first) + 1;

	if (o->period_ms * 1000 < n)
		return 2;	/* under 1 us per domain */
	return run_writers(o, "publish", false, o->period_ms * 1000);
}

static int
parse_range(const char *s, uint32_t *first, uint32_t *last)
{
	const char *dash = strchr(s, '-');
	uint64_t a, b;

	if (num_parse_u64(s, dash ? (size_t)(dash - s) : strlen(s), 1,
	    0x7fef, &a) < 0)
		return -EINVAL;
	b = a;
	if (dash && num_parse_u64(dash + 1, strlen(dash + 1), a, 0x7fef,
	    &b) < 0)
		return -EINVAL;
	*first = (uint32_t)a;
	*last = (uint32_t)b;
	return 0;
}

static int
parse_opts(int argc, char **argv, struct lat_opts *o)
{
	static const struct option longopts[] = {
		{ "dir", required_argument, NULL, 'D' },
		{ "domids", required_argument, NULL, 'd' },
		{ "domid", required_argument, NULL, 'd' },
		{ "events", required_argument, NULL, 'n' },
		{ "writes", required_argument, NULL, 'w' },
		{ "rate-hz", required_argument, NULL, 'r' },
		{ "seconds", required_argument, NULL, 's' },
		{ "period-ms", required_argument, NULL, 'p' },
		{ "csv", required_argument, NULL, 'c' },
		{ "bound-ms", required_argument, NULL, 'b' },
		{ "timeout-ms", required_argument, NULL, 't' },
		{ "no-floor", no_argument, NULL, 'F' },
		{ "release", no_argument, NULL, 'R' },
		{ NULL, 0, NULL, 0 },
	};
	uint64_t *num;
	int c;

	o->dir = getenv("FAKEXEN_DIR");
	o->events = 10;
	o->writes = 10000;
	o->rate_hz = 200;
	o->seconds = 5;
	o->period_ms = 5000;
	o->timeout_ms = 1000;
	o->floor = true;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		num = c == 'n' ? &o->events : c == 'w' ? &o->writes :
		    c == 'b' ? &o->bound_ms : c == 't' ? &o->timeout_ms :
		    c == 'r' ? &o->rate_hz : c == 's' ? &o->seconds :
		    c == 'p' ? &o->period_ms : NULL;
		if (num != NULL) {
			if (num_parse_u64(optarg, strlen(optarg), 0,
			    LAT_MAX_EVENTS * 100ULL, num) < 0)
				return -EINVAL;
		} else if (c == 'D') {
			o->dir = optarg;
		} else if (c == 'd') {
			if (parse_range(optarg, &o->first, &o->last) < 0)
				return -EINVAL;
		} else if (c == 'c') {
			o->csv = optarg;
		} else if (c == 'F') {
			o->floor = false;
		} else if (c == 'R') {
			o->release = true;
		} else {
			return -EINVAL;
		}
	}
	if (o->dir == NULL || o->first == 0 || o->events == 0 ||
	    o->events > LAT_MAX_EVENTS || o->timeout_ms == 0)
		return -EINVAL;
	return 0;
}

int
main(int argc, char **argv)
{
	struct lat_opts o;
	const char *cmd = argc > 1 ? argv[1] : "";

	memset(&o, 0, sizeof(o));
	if (parse_opts(argc - 1, argv + 1, &o) < 0 ||
	    (strcmp(cmd, "urgent") != 0 && strcmp(cmd, "flood") != 0 &&
	    strcmp(cmd, "vflood") != 0 && strcmp(cmd, "publish") != 0)) {
		fprintf(stderr, "usage: cagma-lat urgent|flood|vflood|publish "
		    "--dir D --domids A[-B] [--events N] [--writes N]\n"
		    "       [--csv FILE] [--bound-ms MS] [--timeout-ms MS] "
		    "[--no-floor] [--release]\n"
		    "       [--rate-hz R] [--seconds S] [--period-ms P]\n");
		return 2;
	}
	if (strcmp(cmd, "vflood") == 0)
		return cmd_vflood(&o);
	if (strcmp(cmd, "publish") == 0)
		return cmd_publish(&o);
	return strcmp(cmd, "urgent") == 0 ? cmd_urgent(&o) : cmd_flood(&o);
}
