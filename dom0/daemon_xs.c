/*
 * daemon_xs.c - the xenstore side of cagmad (struct backend_side "xs"),
 * for the xen and sim backends: the link to xenstored (two handles,
 * xsio.c), the watches on domain introduce/release and on each tracked
 * domain's record, reading each changed record once, quiet guests first,
 * a bounded pass at a time (readq.h, DAEMON_PASS_US), the
 * toolstack's facts of a domain (name, static-max, target), and the
 * reconnect with backoff after xenstored went away.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "daemon.h"
#include "log.h"
#include "mtime.h"
#include "num.h"
#include "xsio.h"

#define DAEMON_TOK_INTRO	"intro"
#define DAEMON_TOK_RELEASE	"release"

static void
daemon_stats_path(uint32_t domid, char *buf, size_t len)
{
	snprintf(buf, len, "/local/domain/%u/%s", domid, CG_PATH_STATS);
}

/* Watch d's stats record.  0 or -errno (logged unless the link is gone). */
static int
daemon_watch_dom(struct cagmad *c, const struct dom *d)
{
	char path[XSIO_PATH_MAX], tok[XSIO_TOKEN_MAX];
	int rc;

	daemon_stats_path(d->domid, path, sizeof(path));
	snprintf(tok, sizeof(tok), "s%u", d->domid);
	rc = xsio_watch(c->xs, path, tok);
	if (rc != 0 && xsio_lost(c->xs) == 0)
		log_warnx("domid %u: watch %s: %s", d->domid, path,
		    strerror(-rc));
	return rc;
}

/*
 * Every watch cagmad needs: domain introduce/release and each tracked
 * domain's record.  0, or the -errno of a lost link.
 */
static int
daemon_watch_all(struct cagmad *c)
{
	size_t i;
	int rc;

	rc = xsio_watch(c->xs, "@introduceDomain", DAEMON_TOK_INTRO);
	if (rc == 0)
		rc = xsio_watch(c->xs, "@releaseDomain", DAEMON_TOK_RELEASE);
	if (rc != 0) {
		if (xsio_lost(c->xs) == 0)
			log_warnx("watching domain events: %s",
			    strerror(-rc));
		return rc;
	}
	for (i = 0; i < c->tbl->n && xsio_lost(c->xs) == 0; i++)
		(void)daemon_watch_dom(c, c->tbl->list[i]);
	return xsio_lost(c->xs);
}

/*
 * Facts of a listed domain from the toolstack's xenstore nodes.  -EAGAIN
 * (not tracked yet) while it has no memory/target: libxl writes target
 * and static-max only after it has populated the domain's memory, so a
 * domain listed while xl create builds it has a partial allocation, and
 * taking that as its target and ceiling made the next round shrink a
 * booting guest to it (seen in the lab's systemd job, where cagmad runs
 * before the guests start: the guest died of OOM in its initramfs).  The
 * next rescan adds it.
 */
static int
daemon_xs_facts(struct cagmad *c, const struct be_dom *b,
    struct be_facts *out)
{
	char path[XSIO_PATH_MAX], raw[DOM_NAME_MAX];
	size_t len = 0;

	snprintf(path, sizeof(path), "/local/domain/%u/memory/static-max",
	    b->domid);
	if (xsio_read_u64(c->xs, path, CG_MAX_KB, &out->max_kb) != 0)
		out->max_kb = b->current_kb;	/* unknown ceiling: never grow */
	snprintf(path, sizeof(path), "/local/domain/%u/memory/target",
	    b->domid);
	if (xsio_read_u64(c->xs, path, CG_MAX_KB, &out->target_kb) != 0) {
		log_debug("domid %u: no memory/target yet (being built?)",
		    b->domid);
		return -EAGAIN;
	}
	snprintf(path, sizeof(path), "/local/domain/%u/name", b->domid);
	if (xsio_read(c->xs, path, raw, sizeof(raw), &len) == 0)
		log_escape(out->name, sizeof(out->name), raw, len);
	else
		snprintf(out->name, sizeof(out->name), "domain-%u", b->domid);
	return 0;
}

static void
daemon_xs_track(struct cagmad *c, const struct dom *d, bool on)
{
	char path[XSIO_PATH_MAX], tok[XSIO_TOKEN_MAX];

	if (on) {
		(void)daemon_watch_dom(c, d);
		return;
	}
	daemon_stats_path(d->domid, path, sizeof(path));
	snprintf(tok, sizeof(tok), "s%u", d->domid);
	(void)xsio_unwatch(c->xs, path, tok);	/* may already be gone */
}

/*
 * Read one domain's record once; an accepted urgent one joins the
 * emergency queue, another accepted one asks for a coalesced round.
 */
static void
daemon_read(struct cagmad *c, struct dom *d, uint64_t now_ms)
{
	char path[XSIO_PATH_MAX], untrusted[CG_RECORD_MAX_LEN + 1];
	struct dom_reject why = { "", -1 };
	enum dom_intake verdict;
	size_t len = 0;
	int rc;

	daemon_stats_path(d->domid, path, sizeof(path));
	rc = xsio_read(c->xs, path, untrusted, sizeof(untrusted), &len);
	if (rc == -E2BIG) {
		dom_reject_oversize(d, now_ms, c->cfg.stale_ms, &why);
		daemon_intake_done(c, d, DOM_INTAKE_REJECTED, &why, now_ms);
		return;
	}
	if (rc != 0)
		return;		/* no agent yet, or the domain is going */
	verdict = dom_intake(d, d->ops != NULL ? d->ops : c->ops, &c->pcfg,
	    untrusted, len, now_ms, c->cfg.stale_ms, &why);
	daemon_intake_done(c, d, verdict, &why, now_ms);
}

/* Drain every queued watch event: O(1) work each. */
static int
daemon_drain(struct cagmad *c)
{
	char path[XSIO_PATH_MAX], tok[XSIO_TOKEN_MAX];
	uint64_t id;
	struct dom *d;
	int i, rc;

	for (i = 0; i < DAEMON_DRAIN_MAX; i++) {
		rc = xsio_next_event(c->xs, path, sizeof(path), tok,
		    sizeof(tok));
		if (rc <= 0)
			return rc;
		if (tok[0] == 's' && num_parse_u64(tok + 1, strlen(tok + 1),
		    0, DOM_ID_MAX - 1, &id) == 0) {
			d = dom_find(c->tbl, (uint32_t)id);
			if (d != NULL)
				readq_note(&c->rq, d);
		} else if (strcmp(tok, DAEMON_TOK_INTRO) == 0 ||
		    strcmp(tok, DAEMON_TOK_RELEASE) == 0) {
			c->rescan = true;
		}
	}
	return 0;
}

void
daemon_xs_lost(struct cagmad *c, uint64_t now_ms, int rc)
{
	if (c->xs_down)
		return;
	log_warnx("xenstore connection lost (%s): reconnecting, %zu domains "
	    "and their targets kept", strerror(rc < 0 ? -rc : EIO),
	    c->tbl->n);
	xsio_disconnect(c->xs);
	c->xs_down = true;
	sched_backoff_start(&c->xs_bo, now_ms);
	/* queued events died with the handle; the new watches fire again */
	readq_clear(&c->rq);
}

static void
daemon_xs_hangup(struct cagmad *c, uint64_t now_ms)
{
	daemon_xs_lost(c, now_ms, -EPIPE);
}

/* After xenstore calls: true if the link is still up. */
static bool
daemon_xs_check(struct cagmad *c, uint64_t now_ms)
{
	if (!c->xs_down && c->xs != NULL && xsio_lost(c->xs) != 0)
		daemon_xs_lost(c, now_ms, xsio_lost(c->xs));
	return !c->xs_down;
}

/*
 * One reconnect attempt: two new handles, every watch again (each fires
 * once at once, so every domain's record is read again), the backend's
 * own xenstore state (the xen backend's libxl context), then a rescan.
 * The table is kept, so the next round compares against the targets
 * already set and the policy's hysteresis holds.
 */
static void
daemon_reconnect(struct cagmad *c, uint64_t now_ms)
{
	int rc;

	rc = xsio_reconnect(c->xs);
	if (rc == 0)
		rc = daemon_watch_all(c);
	if (rc == 0 && c->be.ops->reconnect != NULL)
		rc = c->be.ops->reconnect(&c->be);
	if (rc != 0) {
		xsio_disconnect(c->xs);
		sched_backoff_fail(&c->xs_bo, now_ms);
		log_debug("xenstore: reconnect attempt %u: %s; next in %llu ms",
		    c->xs_bo.attempts, strerror(-rc),
		    (unsigned long long)c->xs_bo.delay_ms);
		return;
	}
	c->xs_down = false;
	c->xs_reconnects++;
	c->xs_probe_ms = now_ms;
	c->rescan = true;
	log_info("xenstore: reconnected after %llu ms (%u failed attempts), "
	    "watches registered again, rescanning",
	    (unsigned long long)mtime_since_ms(now_ms, c->xs_bo.since_ms),
	    c->xs_bo.attempts);
}

/*
 * Read queued records in readq order until DAEMON_PASS_US have gone (at
 * least one); the rest stay queued for the next pass.
 */
static void
daemon_read_pass(struct cagmad *c, uint64_t now_ms, uint64_t t0_us)
{
	struct dom *d;

	while (daemon_xs_check(c, now_ms) && (d = readq_pop(&c->rq)) != NULL) {
		daemon_read(c, d, now_ms);
		if (mtime_us() - t0_us >= DAEMON_PASS_US)
			break;
	}
}

/*
 * Watch events: drain them, read a pass of records, run the emergency
 * round for it; again while records are left, for at most
 * DAEMON_READY_MAX_US (then the loop's timer brings cagmad back here at
 * once, after the control socket and signals had their turn).  New events
 * are drained between passes, so a quiet guest's record that arrives
 * behind a backlog is the next one read.
 */
int
daemon_xs_ready(struct cagmad *c, uint64_t now_ms)
{
	uint64_t start_us = mtime_us(), t0_us = start_us;
	int rc;

	if (c->xs_down)
		return 0;
	c->xs_probe_ms = now_ms;
	for (;;) {
		rc = daemon_drain(c);
		if (!daemon_xs_check(c, now_ms))
			return 0;
		if (c->rescan)
			(void)daemon_rescan(c, now_ms);
		daemon_read_pass(c, now_ms, mtime_us());
		if (daemon_xs_check(c, now_ms))
			daemon_emergency(c, now_ms, t0_us);
		if (rc != 0 || readq_len(&c->rq) == 0 || !daemon_xs_check(c, now_ms))
			break;
		t0_us = mtime_us();
		if (t0_us - start_us >= DAEMON_READY_MAX_US)
			break;
		now_ms = mtime_ms();
	}
	return daemon_xs_check(c, now_ms) ? rc : 0;
}

/*
 * Reconnect when due; libxenstore's reader thread closes a dead watch
 * connection without waking the watch fd: a drain now and then notices.
 */
static void
daemon_xs_tick(struct cagmad *c, uint64_t now_ms)
{
	if (c->xs_down && sched_backoff_due(&c->xs_bo, now_ms))
		daemon_reconnect(c, now_ms);
	if (!c->xs_down && (readq_len(&c->rq) > 0 ||
	    mtime_since_ms(now_ms, c->xs_probe_ms) >= DAEMON_PROBE_MS))
		(void)daemon_xs_ready(c, now_ms);
}

static uint64_t
daemon_xs_timeout(const struct cagmad *c, uint64_t now_ms, uint64_t core_ms)
{
	uint64_t since;

	if (c->xs_down)
		return sched_backoff_timeout_ms(&c->xs_bo, now_ms);
	if (readq_len(&c->rq) > 0)
		return 0;	/* records left by the last pass */
	since = mtime_since_ms(now_ms, c->xs_probe_ms);
	if (since >= DAEMON_PROBE_MS)
		return 0;
	return core_ms < DAEMON_PROBE_MS - since ? core_ms :
	    DAEMON_PROBE_MS - since;
}

int
daemon_xs_fd(const struct cagmad *c)
{
	int fd;

	if (c->xs_down || c->xs == NULL)
		return -1;
	fd = xsio_fd(c->xs);
	return fd >= 0 ? fd : -1;
}

static int
daemon_xs_start(struct cagmad *c)
{
	int rc = daemon_watch_all(c);

	c->xs_probe_ms = mtime_ms();
	return rc;
}

static void
daemon_xs_stop(struct cagmad *c)
{
	xsio_close(c->xs);
	c->xs = NULL;
	c->be.xs = NULL;
}

/* See daemon.h. */
int
daemon_xs_attach(struct backend *be)
{
	struct cagmad *c = be->c;
	int rc;

	rc = xsio_open(&c->xs);
	if (rc != 0) {
		log_warnx("connecting to xenstore: %s", strerror(-rc));
		return rc;
	}
	be->xs = c->xs;
	be->side = &daemon_side_xs;
	return 0;
}

const struct backend_side daemon_side_xs = {
	.name = "xenstore",
	.start = daemon_xs_start,
	.fd = daemon_xs_fd,
	.ready = daemon_xs_ready,
	.hangup = daemon_xs_hangup,
	.tick = daemon_xs_tick,
	.up = daemon_xs_check,
	.timeout_ms = daemon_xs_timeout,
	.facts = daemon_xs_facts,
	.track = daemon_xs_track,
	.stop = daemon_xs_stop,
};
