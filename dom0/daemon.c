/*
 * daemon.c - cagmad's core: discovery (the backend's listing), record
 * intake, timers, reload; the planning rounds and the actuator are in
 * round.c.  Events and records come from the backend's side (struct
 * backend_side: daemon_xs.c for xenstore, backend_libvirt.c).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon.h"
#include "log.h"
#include "mtime.h"
#include "num.h"
#include "plan.h"


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

/* Per-domain settings from the config, by the toolstack-written name. */
static void
daemon_apply_settings(struct cagmad *c, struct dom *d)
{
	struct cfg_dom_settings s;

	cfg_match(&c->cfg, d->name, &s);
	dom_set_floor(d, s.floor_kb, d->safe_floor_kb);
	d->vm.max_kb = d->static_max_kb;
	if (s.max_kb != 0 && s.max_kb < d->vm.max_kb)
		d->vm.max_kb = s.max_kb;
	d->vm.weight = s.weight;
	d->vm.enabled = s.enabled;
	d->ops = s.policy[0] != '\0' ? policy_find(s.policy) : NULL;
}

/* Track a listed domain.  -EAGAIN: its side has no facts yet. */
static int
daemon_add(struct cagmad *c, const struct be_dom *b)
{
	struct be_facts f;
	struct dom *d;
	int rc;

	memset(&f, 0, sizeof(f));
	rc = c->be.side->facts(c, b, &f);
	if (rc != 0)
		return rc;
	d = dom_add(c->tbl, b->domid, b->current_kb, f.target_kb, f.max_kb);
	if (d == NULL)
		fatalx("out of memory adding domain %u", b->domid);
	memcpy(d->name, f.name, sizeof(d->name));
	d->name[sizeof(d->name) - 1] = '\0';
	daemon_apply_settings(c, d);
	/* plan_building(): a domain that appears while cagmad runs is new */
	d->added_ms = c->rounds > 0 ? mtime_ms() : 0;
	/*
	 * The stall clock starts now: from 0 (dom_add), a balloon found away
	 * from its target (a KVM guest still inflating to libvirt's
	 * currentMemory at boot) was uncooperative at the first round.
	 */
	d->progress_ms = mtime_ms();
	c->be.side->track(c, d, true);
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
	c->be.side->track(c, d, false);
	readq_remove(&c->rq, d);
	log_info("domid %u: gone", d->domid);
	dom_remove(c->tbl, d);
}

/* See daemon.h. */
bool
daemon_up(struct cagmad *c, uint64_t now_ms)
{
	return c->be.side == NULL || c->be.side->up(c, now_ms);
}

/* See daemon.h. */
int
daemon_rescan(struct cagmad *c, uint64_t now_ms)
{
	struct dom *d;
	size_t i, n = 0;
	int rc;

	c->rescan = false;
	c->rescan_ms = now_ms;
	rc = c->be.ops->list(&c->be, c->listing, DOM_ID_MAX, &n);
	if (rc != 0) {
		if (daemon_up(c, now_ms))	/* else: logged once, on loss */
			log_warnx("listing domains: %s", strerror(-rc));
		return rc;
	}
	for (i = 0; i < c->tbl->n; i++)
		c->tbl->list[i]->seen = false;
	for (i = 0; i < n && daemon_up(c, now_ms); i++) {
		if (c->listing[i].domid >= DOM_ID_MAX || c->listing[i].dying)
			continue;
		if (c->listing[i].domid == 0 && !c->cfg.balloon_dom0)
			continue;
		d = dom_find(c->tbl, c->listing[i].domid);
		if (d == NULL && (rc = daemon_add(c, &c->listing[i])) != 0) {
			if (rc == -EAGAIN)	/* being built (plan_in) */
				c->unbuilt_ms = now_ms ? now_ms : 1;
			continue;
		}
		d = dom_find(c->tbl, c->listing[i].domid);
		d->seen = true;
	}
	if (!daemon_up(c, now_ms))
		return -ENOTCONN;	/* partial view: drop nothing */
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

/* See daemon.h. */
void
daemon_intake_done(struct cagmad *c, struct dom *d, enum dom_intake verdict,
    const struct dom_reject *why, uint64_t now_ms)
{
	if (verdict == DOM_INTAKE_REJECTED)
		daemon_log_reject(d, why, now_ms);
	if (emerg_intake(&c->emerg, &c->sched, d, verdict))
		c->records++;
}

/*
 * At most one emergency round, for every queued domain, if the host-wide
 * budget has a token (emerg_take()).  t0_us: when the work that led here
 * began (watch drained), for last_urgent_us.
 */
void
daemon_emergency(struct cagmad *c, uint64_t now_ms, uint64_t t0_us)
{
	size_t nu;

	nu = emerg_take(&c->emerg, c->tbl, now_ms, c->urgent, DOM_ID_MAX);
	if (nu == 0)
		return;
	c->emergencies++;
	c->emergency_doms += nu;
	log_debug("emergency round for %zu domain(s), first domid %u", nu,
	    c->urgent[0]);
	daemon_round(c, now_ms, c->urgent, nu);
	c->last_urgent_us = mtime_us() - t0_us;
}

void
daemon_tick(struct cagmad *c, uint64_t now_ms)
{
	if (c->be.side != NULL)
		c->be.side->tick(c, now_ms);
	if (!daemon_up(c, now_ms))
		return;
	if (c->rescan || mtime_since_ms(now_ms, c->rescan_ms) >=
	    DAEMON_RESCAN_MS)
		(void)daemon_rescan(c, now_ms);
	if (daemon_up(c, now_ms) && emerg_due(&c->emerg, now_ms))
		daemon_emergency(c, now_ms, mtime_us());	/* had no token */
	if (daemon_up(c, now_ms) && sched_due(&c->sched, now_ms))
		daemon_round(c, now_ms, NULL, 0);
	(void)daemon_up(c, now_ms);
}

uint64_t
daemon_timeout_ms(const struct cagmad *c, uint64_t now_ms)
{
	uint64_t t, e;

	t = sched_timeout_ms(&c->sched, now_ms);
	e = emerg_timeout_ms(&c->emerg, now_ms);
	if (e < t)
		t = e;
	return c->be.side != NULL ? c->be.side->timeout_ms(c, now_ms, t) : t;
}

int
daemon_fd(const struct cagmad *c)
{
	return c->be.side != NULL ? c->be.side->fd(c) : -1;
}

int
daemon_ready(struct cagmad *c, uint64_t now_ms)
{
	return c->be.side != NULL ? c->be.side->ready(c, now_ms) : 0;
}

void
daemon_hangup(struct cagmad *c, uint64_t now_ms)
{
	if (c->be.side != NULL)
		c->be.side->hangup(c, now_ms);
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
daemon_init(struct cagmad *c)
{
	int rc;

	c->tbl = malloc(sizeof(*c->tbl));
	c->vms = calloc(DOM_ID_MAX, sizeof(*c->vms));
	c->tgt = calloc(DOM_ID_MAX, sizeof(*c->tgt));
	c->listing = calloc(DOM_ID_MAX, sizeof(*c->listing));
	c->emerg_ids = calloc(DOM_ID_MAX, sizeof(*c->emerg_ids));
	c->urgent = calloc(DOM_ID_MAX, sizeof(*c->urgent));
	c->escratch = calloc(DOM_ID_MAX, sizeof(*c->escratch));
	if (c->tbl == NULL || c->vms == NULL || c->tgt == NULL ||
	    c->listing == NULL || c->emerg_ids == NULL ||
	    c->urgent == NULL || c->escratch == NULL)
		fatalx("out of memory");
	dom_table_init(c->tbl);
	readq_init(&c->rq);
	emerg_init(&c->emerg, c->emerg_ids, DOM_ID_MAX);
	resv_init(&c->resv);
	c->build_grace_ms = PLAN_BUILD_GRACE_MS;
	rc = daemon_set_policy(c);
	if (rc != 0) {
		log_warnx("unknown policy '%s'", c->cfg.policy);
		return rc;
	}
	sched_init(&c->sched, c->cfg.period_ms, c->cfg.coalesce_ms);
	rc = backend_open(&c->be, c->backend_name, c, &c->cfg);
	if (rc != 0) {
		log_warnx("backend %s: %s", c->backend_name, strerror(-rc));
		return rc;
	}
	rc = c->be.side->start(c);
	if (rc != 0)
		return rc;
	return daemon_rescan(c, mtime_ms());
}

void
daemon_fini(struct cagmad *c)
{
	if (c->be.ops != NULL)
		c->be.ops->close(&c->be);
	if (c->be.side != NULL)
		c->be.side->stop(c);
	if (c->tbl != NULL)
		dom_table_free(c->tbl);
	free(c->tbl);
	free(c->vms);
	free(c->tgt);
	free(c->listing);
	free(c->emerg_ids);
	free(c->urgent);
	free(c->escratch);
	c->tbl = NULL;
	c->xs = NULL;
}
