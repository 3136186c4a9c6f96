/*
 * round.c - one planning round of cagmad: balloon facts from the backend,
 * the shared pure round (plan_round(): states, the policy's decision, the
 * emergency order), a last check of every target (dom_target_ok()), then
 * the actuator (the backend's set_target; cagmad is the only writer of
 * memory/target) and the retries for uncooperative balloons.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "daemon.h"
#include "log.h"
#include "metrics.h"
#include "plan.h"

/* --verbose: what the estimator saw when a target changed (the "why"). */
static void
daemon_explain(const struct dom *d)
{
	const struct policy_est *e = &d->vm.est;

	if (log_getverbose() == 0)
		return;
	log_debug("domid %u: cma %llu need %llu used %llu avail %llu "
	    "swap %llu overhead %llu KiB; pressure %d (swapin %llu/s "
	    "stall %llu/s psi some %llu full %llu /10000 refault %llu/s "
	    "lowmem %d oom %llu) dropped %d current %llu KiB", d->domid,
	    (unsigned long long)e->cma_kb, (unsigned long long)e->need_kb,
	    (unsigned long long)e->used_kb, (unsigned long long)e->avail_kb,
	    (unsigned long long)e->swap_used_kb,
	    (unsigned long long)e->overhead_kb, e->pressure,
	    (unsigned long long)e->swapin_rate,
	    (unsigned long long)e->stall_rate,
	    (unsigned long long)e->psi_some_pct100,
	    (unsigned long long)e->psi_full_pct100,
	    (unsigned long long)e->refault_rate, e->lowmem,
	    (unsigned long long)e->oom_kills, e->dropped,
	    (unsigned long long)d->vm.current_kb);
}

static void
daemon_apply(struct cagmad *c, const struct vm_target *t, uint64_t now_ms)
{
	struct dom *d = dom_find(c->tbl, t->domid);
	uint64_t old;
	int rc;

	if (d == NULL || t->target_kb == d->vm.target_kb)
		return;
	if (!dom_target_ok(d, t->target_kb)) {
		log_warnx("domid %u: policy %s asked for %llu KiB outside "
		    "[%llu, %llu]: ignored", d->domid, c->ops->name,
		    (unsigned long long)t->target_kb,
		    (unsigned long long)d->vm.floor_kb,
		    (unsigned long long)d->vm.max_kb);
		return;
	}
	old = d->vm.target_kb;
	if (c->dry_run) {
		if (d->dry_kb != t->target_kb)
			log_info("domid %u: dry-run: would set target %llu -> "
			    "%llu KiB (%s)", d->domid,
			    (unsigned long long)old,
			    (unsigned long long)t->target_kb,
			    policy_reason_str(t->reason));
		d->dry_kb = t->target_kb;
		return;
	}
	rc = c->be.ops->set_target(&c->be, d->domid, t->target_kb);
	if (rc == -ENOENT) {
		c->rescan = true;	/* vanished mid-cycle: no noise */
		return;
	}
	if (rc != 0 && !daemon_up(c, now_ms))
		return;		/* the link is gone: logged once */
	if (rc != 0) {
		log_warnx("domid %u: setting target %llu KiB: %s", d->domid,
		    (unsigned long long)t->target_kb, strerror(-rc));
		return;
	}
	dom_target_set(d, t->target_kb, now_ms, t->reason);
	c->targets_set++;
	log_info("domid %u: target %llu -> %llu KiB (%s)", d->domid,
	    (unsigned long long)old, (unsigned long long)t->target_kb,
	    policy_reason_str(t->reason));
	daemon_explain(d);
}

static void
daemon_collect_one(struct cagmad *c, struct dom *d, uint64_t now_ms)
{
	uint64_t cur;

	if (c->be.ops->current(&c->be, d->domid, &cur) == 0)
		dom_progress(d, cur, now_ms, c->cfg.stuck_ms, c->cfg.uncoop_ms);
	else
		c->rescan = true;	/* going away */
}

/*
 * Balloon facts from the backend: of every domain (urgent == NULL) or of
 * the urgent ones only, and the host's free memory.
 */
static void
daemon_collect(struct cagmad *c, uint64_t now_ms, const uint32_t *urgent,
    size_t nurgent, struct policy_host *host)
{
	struct dom *d;
	uint64_t free_kb = 0;
	size_t i;

	if (c->be.ops->tick != NULL)
		c->be.ops->tick(&c->be, now_ms);
	if (urgent == NULL) {
		for (i = 0; i < c->tbl->n; i++)
			daemon_collect_one(c, c->tbl->list[i], now_ms);
	}
	for (i = 0; urgent != NULL && i < nurgent; i++) {
		d = dom_find(c->tbl, urgent[i]);
		if (d != NULL)
			daemon_collect_one(c, d, now_ms);
	}
	if (c->be.ops->free_memory(&c->be, &free_kb) != 0)
		free_kb = 0;	/* unknown: hand nothing out */
	c->free_kb = free_kb;
	host->free_kb = free_kb;	/* raw: the planner nets in-flight grows */
	host->reserve_kb = c->cfg.reserve_kb;
	host->resv_kb = 0;	/* plan_round(): the reservations' hold */
	host->now_ms = now_ms;
}

/* Uncooperative balloons get their target again now and then. */
static void
daemon_retry(struct cagmad *c, uint64_t now_ms)
{
	struct dom *d;
	size_t i;

	for (i = 0; i < c->tbl->n; i++) {
		d = c->tbl->list[i];
		if (c->dry_run || !dom_retry_due(d, now_ms, c->cfg.retry_ms))
			continue;
		if (c->be.ops->set_target(&c->be, d->domid,
		    d->vm.target_kb) == 0)
			log_info("domid %u: uncooperative, target %llu KiB "
			    "sent again", d->domid,
			    (unsigned long long)d->vm.target_kb);
	}
}

/* One line per reservation state change (ready, expired). */
static void
daemon_resv_log(struct cagmad *c)
{
	struct resv *r;
	size_t i;

	for (i = 0; i < RESV_MAX; i++) {
		r = &c->resv.r[i];
		if (r->state == r->logged || r->state == RESV_UNUSED)
			continue;
		r->logged = r->state;
		if (r->state == RESV_READY)
			log_info("reservation %u: %llu KiB ready after %llu ms",
			    r->id, (unsigned long long)r->size_kb,
			    (unsigned long long)(r->ready_ms - r->created_ms));
		else if (r->state == RESV_EXPIRED)
			log_warnx("reservation %u: %llu KiB expired (%s)",
			    r->id, (unsigned long long)r->size_kb,
			    r->ready_ms != 0 ? "not used in time" :
			    "not freed in time");
	}
}

/* See daemon.h. */
void
daemon_round(struct cagmad *c, uint64_t now_ms, const uint32_t *urgent,
    size_t nurgent)
{
	struct plan_out out = { 0, 0, 0 };
	struct plan_in in;
	size_t i;
	int rc;

	if (nurgent == 0)
		urgent = NULL;
	daemon_collect(c, now_ms, urgent, nurgent, &in.host);
	in.ops = c->ops;
	in.pcfg = &c->pcfg;
	in.stale_ms = c->cfg.stale_ms;
	in.urgent = urgent;
	in.nurgent = nurgent;
	in.resv = &c->resv;
	in.build_grace_ms = c->build_grace_ms;
	in.unbuilt = c->unbuilt_ms != 0 && c->build_grace_ms != 0 &&
	    now_ms - c->unbuilt_ms < c->build_grace_ms;
	rc = plan_round(c->tbl, &in, c->vms, c->tgt, c->escratch, &out);
	if (rc != 0)
		log_warnx("policy %s: decide failed: %s", c->ops->name,
		    strerror(-rc));
	c->inflight_kb = out.inflight_kb;
	c->building = in.unbuilt || plan_building(c->tbl, now_ms,
	    c->build_grace_ms);
	daemon_resv_log(c);
	for (i = 0; i < out.nt; i++)
		daemon_apply(c, &c->tgt[i], now_ms);
	c->rounds++;
	if (out.deferred > 0)
		sched_note_record(&c->sched);	/* their grows: soon */
	if (urgent != NULL)
		return;		/* emergency: no O(n) extras */
	daemon_retry(c, now_ms);
	sched_done(&c->sched, now_ms);
	if (c->metrics_path != NULL)
		(void)metrics_write(c, c->metrics_path);
}
