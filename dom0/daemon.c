/*
 * daemon.c - cagmad's core: discovery, records, the xenstore link, timers,
 * reload; the planning rounds and the actuator are in round.c.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon.h"
#include "log.h"
#include "mtime.h"
#include "num.h"

#define DAEMON_TOK_INTRO	"intro"
#define DAEMON_TOK_RELEASE	"release"

int
daemon_policy_check(const char *name)
{
	return policy_find(name) != NULL ? 0 : -ENOENT;
}

int
daemon_set_policy(struct cagmad *c)
{
	const struct policy_ops *ops;

	ops = c->cfg.policy[0] != '\0' ? policy_find(c->cfg.policy) :
	    policy_all[0];
	if (ops == NULL)
		return -ENOENT;
	c->ops = ops;
	cfg_policy_cfg(&c->cfg, &c->pcfg);
	return 0;
}

static void
daemon_stats_path(uint32_t domid, char *buf, size_t len)
{
	snprintf(buf, len, "/local/domain/%u/%s", domid, CG_PATH_STATS);
}

/* Per-domain settings from the config, by the toolstack-written name. */
static void
daemon_apply_settings(struct cagmad *c, struct dom *d)
{
	struct cfg_dom_settings s;

	cfg_match(&c->cfg, d->name, &s);
	d->vm.floor_kb = s.floor_kb;
	d->vm.max_kb = d->static_max_kb;
	if (s.max_kb != 0 && s.max_kb < d->vm.max_kb)
		d->vm.max_kb = s.max_kb;
	d->vm.weight = s.weight;
	d->vm.enabled = s.enabled;
	d->ops = s.policy[0] != '\0' ? policy_find(s.policy) : NULL;
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
 * Track a listed domain.  -EAGAIN (not tracked yet) while it has no
 * memory/target: libxl writes target and static-max only after it has
 * populated the domain's memory, so a domain listed while xl create
 * builds it has a partial allocation, and taking that as its target and
 * ceiling made the next round shrink a booting guest to it (seen in the
 * lab's systemd job, where cagmad runs before the guests start: the
 * guest died of OOM in its initramfs).  The next rescan adds it.
 */
static int
daemon_add(struct cagmad *c, const struct be_dom *b)
{
	char path[XSIO_PATH_MAX], raw[DOM_NAME_MAX];
	uint64_t max_kb = 0, target_kb = b->current_kb;
	struct dom *d;
	size_t len = 0;
	int rc;

	snprintf(path, sizeof(path), "/local/domain/%u/memory/static-max",
	    b->domid);
	if (xsio_read_u64(c->xs, path, CG_MAX_KB, &max_kb) != 0)
		max_kb = b->current_kb;	/* unknown ceiling: never grow */
	snprintf(path, sizeof(path), "/local/domain/%u/memory/target",
	    b->domid);
	if (xsio_read_u64(c->xs, path, CG_MAX_KB, &target_kb) != 0) {
		log_debug("domid %u: no memory/target yet (being built?)",
		    b->domid);
		return -EAGAIN;
	}
	d = dom_add(c->tbl, b->domid, b->current_kb, target_kb, max_kb);
	if (d == NULL)
		fatalx("out of memory adding domain %u", b->domid);
	snprintf(path, sizeof(path), "/local/domain/%u/name", b->domid);
	rc = xsio_read(c->xs, path, raw, sizeof(raw), &len);
	if (rc == 0)
		log_escape(d->name, sizeof(d->name), raw, len);
	else
		snprintf(d->name, sizeof(d->name), "domain-%u", b->domid);
	daemon_apply_settings(c, d);
	(void)daemon_watch_dom(c, d);
	log_info("domid %u: tracking '%s' (current %llu KiB, target %llu KiB, "
	    "max %llu KiB)", d->domid, d->name,
	    (unsigned long long)d->vm.current_kb,
	    (unsigned long long)d->vm.target_kb,
	    (unsigned long long)d->vm.max_kb);
	return 0;
}

static void
daemon_drop(struct cagmad *c, struct dom *d)
{
	char path[XSIO_PATH_MAX], tok[XSIO_TOKEN_MAX];

	daemon_stats_path(d->domid, path, sizeof(path));
	snprintf(tok, sizeof(tok), "s%u", d->domid);
	(void)xsio_unwatch(c->xs, path, tok);	/* may already be gone */
	log_info("domid %u: gone", d->domid);
	dom_remove(c->tbl, d);
}

/* List domains and diff against the table (@releaseDomain has no domid). */
static int
daemon_rescan(struct cagmad *c, uint64_t now_ms)
{
	struct dom *d;
	size_t i, n = 0;
	int rc;

	c->rescan = false;
	c->rescan_ms = now_ms;
	rc = c->be.ops->list(&c->be, c->listing, DOM_ID_MAX, &n);
	if (rc != 0) {
		if (xsio_lost(c->xs) == 0)	/* else: logged once, on loss */
			log_warnx("listing domains: %s", strerror(-rc));
		return rc;
	}
	for (i = 0; i < c->tbl->n; i++)
		c->tbl->list[i]->seen = false;
	for (i = 0; i < n && xsio_lost(c->xs) == 0; i++) {
		if (c->listing[i].domid >= DOM_ID_MAX || c->listing[i].dying)
			continue;
		if (c->listing[i].domid == 0 && !c->cfg.balloon_dom0)
			continue;
		d = dom_find(c->tbl, c->listing[i].domid);
		if (d == NULL && daemon_add(c, &c->listing[i]) != 0)
			continue;
		d = dom_find(c->tbl, c->listing[i].domid);
		d->seen = true;
	}
	if (xsio_lost(c->xs) != 0)
		return xsio_lost(c->xs);	/* partial view: drop nothing */
	for (i = 0; i < c->tbl->n;) {
		d = c->tbl->list[i];
		if (!d->seen)
			daemon_drop(c, d);	/* list[i] now holds another */
		else
			i++;
	}
	return 0;
}

static void
daemon_log_reject(struct dom *d, const struct dom_reject *why,
    uint64_t now_ms)
{
	uint32_t sup = 0;

	if (!log_ratelimit(&d->rl, now_ms, &sup))
		return;
	log_warnx("domid %u: rejected record: %s%s%s (%u similar "
	    "suppressed)", d->domid, why->what,
	    why->field >= 0 ? " in field " : "",
	    why->field >= 0 ? cg_fields[why->field].name : "", sup);
}

/* Read one domain's record once; returns true if it is urgent. */
static bool
daemon_read(struct cagmad *c, struct dom *d, uint64_t now_ms)
{
	char path[XSIO_PATH_MAX], untrusted[CG_RECORD_MAX_LEN + 1];
	struct dom_reject why = { "", -1 };
	size_t len = 0;
	int rc;

	d->dirty = false;
	daemon_stats_path(d->domid, path, sizeof(path));
	rc = xsio_read(c->xs, path, untrusted, sizeof(untrusted), &len);
	if (rc == -E2BIG) {
		dom_reject_oversize(d, now_ms, c->cfg.stale_ms, &why);
		daemon_log_reject(d, &why, now_ms);
		return false;
	}
	if (rc != 0)
		return false;	/* no agent yet, or the domain is going */
	switch (dom_intake(d, d->ops != NULL ? d->ops : c->ops, &c->pcfg,
	    untrusted, len, now_ms, c->cfg.stale_ms, &why)) {
	case DOM_INTAKE_URGENT:
		return true;
	case DOM_INTAKE_NORMAL:
		sched_note_record(&c->sched);
		return false;
	case DOM_INTAKE_REJECTED:
		daemon_log_reject(d, &why, now_ms);
		return false;
	case DOM_INTAKE_SAME:
		break;
	}
	return false;
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
			if (d != NULL && !d->dirty) {
				d->dirty = true;
				c->dirty[c->n_dirty++] = d->domid;
			}
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
	struct dom *d;
	size_t i;

	if (c->xs_down)
		return;
	log_warnx("xenstore connection lost (%s): reconnecting, %zu domains "
	    "and their targets kept", strerror(rc < 0 ? -rc : EIO),
	    c->tbl->n);
	xsio_disconnect(c->xs);
	c->xs_down = true;
	sched_backoff_start(&c->xs_bo, now_ms);
	/* queued events died with the handle; the new watches fire again */
	for (i = 0; i < c->n_dirty; i++) {
		d = dom_find(c->tbl, c->dirty[i]);
		if (d != NULL)
			d->dirty = false;
	}
	c->n_dirty = 0;
}

/* After xenstore calls: true if the link is still up. */
static bool
daemon_xs_check(struct cagmad *c, uint64_t now_ms)
{
	if (!c->xs_down && xsio_lost(c->xs) != 0)
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

int
daemon_xs_ready(struct cagmad *c, uint64_t now_ms)
{
	uint32_t urgent[64];
	size_t i, nu = 0;
	uint64_t t0_us = mtime_us();
	struct dom *d;
	int rc;

	if (c->xs_down)
		return 0;
	c->xs_probe_ms = now_ms;
	rc = daemon_drain(c);
	if (!daemon_xs_check(c, now_ms))
		return 0;
	if (c->rescan)
		(void)daemon_rescan(c, now_ms);
	for (i = 0; i < c->n_dirty && daemon_xs_check(c, now_ms); i++) {
		d = dom_find(c->tbl, c->dirty[i]);
		if (d == NULL || !d->dirty)
			continue;	/* dropped by the rescan */
		if (daemon_read(c, d, now_ms) && nu < 64)
			urgent[nu++] = d->domid;
	}
	c->n_dirty = 0;
	/* emergencies now, before going back to poll */
	for (i = 0; i < nu && daemon_xs_check(c, now_ms); i++) {
		d = dom_find(c->tbl, urgent[i]);
		if (d == NULL)
			continue;
		d->urgent = false;
		c->emergencies++;
		log_debug("domid %u: urgent record: emergency round", d->domid);
		daemon_round(c, now_ms, d->domid);
		c->last_urgent_us = mtime_us() - t0_us;
	}
	return daemon_xs_check(c, now_ms) ? rc : 0;
}

void
daemon_tick(struct cagmad *c, uint64_t now_ms)
{
	if (c->xs_down && sched_backoff_due(&c->xs_bo, now_ms))
		daemon_reconnect(c, now_ms);
	if (c->xs_down)
		return;
	/*
	 * libxenstore's reader thread closes a dead watch connection without
	 * waking the watch fd: a drain now and then notices.
	 */
	if (mtime_since_ms(now_ms, c->xs_probe_ms) >= DAEMON_PROBE_MS)
		(void)daemon_xs_ready(c, now_ms);
	if (!c->xs_down && (c->rescan || mtime_since_ms(now_ms,
	    c->rescan_ms) >= DAEMON_RESCAN_MS))
		(void)daemon_rescan(c, now_ms);
	if (daemon_xs_check(c, now_ms) && sched_due(&c->sched, now_ms))
		daemon_round(c, now_ms, UINT32_MAX);
	(void)daemon_xs_check(c, now_ms);
}

uint64_t
daemon_timeout_ms(const struct cagmad *c, uint64_t now_ms)
{
	uint64_t t, since;

	if (c->xs_down)
		return sched_backoff_timeout_ms(&c->xs_bo, now_ms);
	t = sched_timeout_ms(&c->sched, now_ms);
	since = mtime_since_ms(now_ms, c->xs_probe_ms);
	if (since >= DAEMON_PROBE_MS)
		return 0;
	return t < DAEMON_PROBE_MS - since ? t : DAEMON_PROBE_MS - since;
}

int
daemon_reload(struct cagmad *c)
{
	struct cagmad_cfg *n;
	char err[CONFIG_ERR_MAX];
	size_t i;
	int rc;

	n = malloc(sizeof(*n));
	if (n == NULL)
		return -ENOMEM;
	rc = cfg_load(c->cfg_path, !c->cfg_explicit, c->cfg.sim_allowed,
	    daemon_policy_check, n, err, sizeof(err));
	if (rc != 0) {
		log_warnx("reload: %s; keeping the old configuration", err);
		free(n);
		return -EINVAL;
	}
	c->cfg = *n;
	free(n);
	(void)daemon_set_policy(c);	/* name checked by the parser */
	sched_init(&c->sched, c->cfg.period_ms, c->cfg.coalesce_ms);
	for (i = 0; i < c->tbl->n; i++)
		daemon_apply_settings(c, c->tbl->list[i]);
	c->rescan = true;
	log_info("reloaded %s (policy %s)", c->cfg_path, c->ops->name);
	return 0;
}

int
daemon_xs_fd(const struct cagmad *c)
{
	int fd;

	if (c->xs_down)
		return -1;
	fd = xsio_fd(c->xs);
	return fd >= 0 ? fd : -1;
}

int
daemon_init(struct cagmad *c)
{
	int rc;

	c->tbl = malloc(sizeof(*c->tbl));
	c->vms = calloc(DOM_ID_MAX, sizeof(*c->vms));
	c->tgt = calloc(DOM_ID_MAX, sizeof(*c->tgt));
	c->dirty = calloc(DOM_ID_MAX, sizeof(*c->dirty));
	c->listing = calloc(DOM_ID_MAX, sizeof(*c->listing));
	if (c->tbl == NULL || c->vms == NULL || c->tgt == NULL ||
	    c->dirty == NULL || c->listing == NULL)
		fatalx("out of memory");
	dom_table_init(c->tbl);
	rc = daemon_set_policy(c);
	if (rc != 0) {
		log_warnx("unknown policy '%s'", c->cfg.policy);
		return rc;
	}
	sched_init(&c->sched, c->cfg.period_ms, c->cfg.coalesce_ms);
	rc = xsio_open(&c->xs);
	if (rc != 0) {
		log_warnx("connecting to xenstore: %s", strerror(-rc));
		return rc;
	}
	rc = backend_open(&c->be, c->backend_name, c->xs, &c->cfg);
	if (rc != 0) {
		log_warnx("backend %s: %s", c->backend_name, strerror(-rc));
		return rc;
	}
	rc = daemon_watch_all(c);
	if (rc != 0)
		return rc;
	c->xs_probe_ms = mtime_ms();
	return daemon_rescan(c, c->xs_probe_ms);
}

void
daemon_fini(struct cagmad *c)
{
	if (c->be.ops != NULL)
		c->be.ops->close(&c->be);
	xsio_close(c->xs);
	if (c->tbl != NULL)
		dom_table_free(c->tbl);
	free(c->tbl);
	free(c->vms);
	free(c->tgt);
	free(c->dirty);
	free(c->listing);
	c->tbl = NULL;
	c->xs = NULL;
}
