/*
 * cagma-latwatch - the dom0 half of the real-Xen emergency latency
 * benchmark (bench/lab/share/job-latency.sh): every event on one clock,
 * dom0's CLOCK_MONOTONIC, so guest and dom0 times are never compared.
 *
 * usage: cagma-latwatch DOMID SECONDS
 * Watches, under /local/domain/DOMID: data/lab/probe/swapin and
 * data/lab/probe/memtotal (cagma-latprobe in the guest), data/cagma/stats
 * (the agent's record) and memory/target (cagmad), reading each value
 * right after its watch event; and the domain's balloon current
 * (tot_pages through one getinfolist hypercall), polled every 2 ms from
 * a target change until the current is within 2 MiB of it (at most 20 s),
 * otherwise on every watch event.  One line per change:
 *   T_US swapin|memtotal|stats|target|current VALUE
 * (stats: "urgent=U seq=S" only); the event each watch fires as it is
 * registered is not printed (the current balloon is, at start).  Exits
 * after SECONDS.
 */
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xenctrl.h>
#include <xenstore.h>

#include "mtime.h"
#include "wl.h"

#define NKEYS		4
#define POLL_ARMED_MS	2
#define ARMED_MAX_US	20000000ull
#define NEAR_KB		2048

static const char *const keys[NKEYS][2] = {
	{ "data/lab/probe/swapin", "swapin" },
	{ "data/lab/probe/memtotal", "memtotal" },
	{ "data/cagma/stats", "stats" },
	{ "memory/target", "target" },
};

struct lw {
	struct xs_handle *xsh;
	xc_interface *xch;
	uint32_t domid;
	char path[NKEYS][96];
	uint64_t target_kb, cur_kb, armed_us;
	int seen[NKEYS];	/* the first event of a watch: registration */
};

/* "urgent=U seq=S" of a record, from its own fields. */
static void
stats_brief(const char *v, char *out, size_t cap)
{
	const char *u = strstr(v, " urgent="), *s = strstr(v, " seq=");

	(void)snprintf(out, cap, "urgent=%c seq=%llu",
	    u != NULL ? u[8] : '?',
	    s != NULL ? (unsigned long long)strtoull(s + 5, NULL, 10) : 0ull);
}

static void
check_current(struct lw *w, uint64_t now)
{
	xc_domaininfo_t info;
	uint64_t kb;

	if (xc_domain_getinfolist(w->xch, w->domid, 1, &info) != 1 ||
	    info.domain != w->domid)
		return;
	kb = info.tot_pages * (XC_PAGE_SIZE / 1024);
	if (kb != w->cur_kb) {
		printf("%llu current %llu\n", (unsigned long long)now,
		    (unsigned long long)kb);
		w->cur_kb = kb;
	}
	if (w->armed_us != 0 && ((kb + NEAR_KB >= w->target_kb &&
	    kb <= w->target_kb + NEAR_KB) || now - w->armed_us > ARMED_MAX_US))
		w->armed_us = 0;
}

static void
on_event(struct lw *w, const char *path, uint64_t now)
{
	char brief[64];
	unsigned int len;
	char *v;
	int k;

	for (k = 0; k < NKEYS && strcmp(path, w->path[k]) != 0; k++)
		;
	if (k == NKEYS)
		return;
	v = xs_read(w->xsh, XBT_NULL, path, &len);
	if (v == NULL)
		return;
	if (!w->seen[k]++) {	/* fired by xs_watch itself: state, no event */
		if (k == 3)
			w->target_kb = strtoull(v, NULL, 10);
		free(v);
		return;
	}
	if (k == 2) {
		stats_brief(v, brief, sizeof(brief));
		printf("%llu stats %s\n", (unsigned long long)now, brief);
	} else {
		printf("%llu %s %.*s\n", (unsigned long long)now, keys[k][1],
		    (int)len, v);
	}
	if (k == 3) {
		w->target_kb = strtoull(v, NULL, 10);
		w->armed_us = now;
	}
	free(v);
}

static int
lw_open(struct lw *w, const char *domid_s)
{
	uint64_t d;
	int k;

	if (wl_arg_u64("cagma-latwatch", "DOMID", domid_s, 1, 0x7fef, &d))
		return -1;
	w->domid = (uint32_t)d;
	w->xsh = xs_open(0);
	w->xch = xc_interface_open(NULL, NULL, 0);
	if (w->xsh == NULL || w->xch == NULL) {
		perror("cagma-latwatch: xs_open/xc_interface_open");
		return -1;
	}
	for (k = 0; k < NKEYS; k++) {
		(void)snprintf(w->path[k], sizeof(w->path[k]),
		    "/local/domain/%u/%s", w->domid, keys[k][0]);
		if (!xs_watch(w->xsh, w->path[k], keys[k][1])) {
			perror("cagma-latwatch: xs_watch");
			return -1;
		}
	}
	return 0;
}

int
main(int argc, char **argv)
{
	static struct lw w;
	struct pollfd pfd;
	uint64_t seconds, t0, now;
	unsigned int n;
	char **ev;

	if (argc != 3 || wl_arg_u64("cagma-latwatch", "SECONDS", argv[2], 1,
	    86400, &seconds) || lw_open(&w, argv[1]) != 0) {
		fprintf(stderr, "usage: cagma-latwatch DOMID SECONDS\n");
		return 1;
	}
	pfd.fd = xs_fileno(w.xsh);
	pfd.events = POLLIN;
	t0 = mtime_us();
	while ((now = mtime_us()) - t0 < seconds * 1000000ull) {
		if (poll(&pfd, 1, w.armed_us != 0 ? POLL_ARMED_MS : 500) > 0) {
			now = mtime_us();
			ev = xs_read_watch(w.xsh, &n);
			if (ev != NULL) {
				on_event(&w, ev[XS_WATCH_PATH], now);
				free(ev);
			}
		}
		check_current(&w, mtime_us());
		fflush(stdout);
	}
	xs_close(w.xsh);
	xc_interface_close(w.xch);
	return 0;
}
