/*
 * plan.c - one planning round over the domain table (see plan.h).
 */
#include <stddef.h>
#include <stdint.h>

#include "plan.h"
#include "sched.h"

/* Whether the round takes memory back for someone (served later). */
static bool
plan_reclaims(const struct vm_target *tgt, size_t nt)
{
	size_t i;

	for (i = 0; i < nt; i++)
		if (tgt[i].reason == POLICY_R_RECLAIM)
			return true;
	return false;
}

/*
 * After an emergency round: each urgent domain that got a larger target,
 * or for which the round reclaims memory (granted once it lands), was
 * served; one that got neither backs off (dom_emergency_done()).
 * O(nt + nurgent).
 */
static void
plan_emergency_done(struct dom_table *t, const struct plan_in *in,
    const struct vm_target *tgt, size_t nt)
{
	bool reclaims = plan_reclaims(tgt, nt);
	struct dom *d;
	size_t i;

	for (i = 0; i < nt; i++) {
		d = dom_find(t, tgt[i].domid);
		if (d != NULL && tgt[i].target_kb > d->vm.target_kb)
			d->emerg_granted = true;
	}
	for (i = 0; i < in->nurgent; i++) {
		d = dom_find(t, in->urgent[i]);
		if (d == NULL)
			continue;
		dom_emergency_done(d, reclaims || d->emerg_granted,
		    in->host.now_ms);
	}
	for (i = 0; i < nt; i++) {
		d = dom_find(t, tgt[i].domid);
		if (d != NULL)
			d->emerg_granted = false;
	}
}

/*
 * The emergency order of tgt[0..nt): mark the round's urgent domains
 * (O(1) each), describe each target, unmark, order; then mark the domains
 * whose grows it deferred (plan_round() keeps their estimator state).
 * Returns the number of targets kept.
 */
static size_t
plan_order_emergency(struct dom_table *t, const struct plan_in *in,
    struct vm_target *tgt, size_t nt, struct sched_etarget *e,
    uint64_t avail_kb)
{
	struct dom *d;
	size_t i, n;

	for (i = 0; i < in->nurgent; i++) {
		d = dom_find(t, in->urgent[i]);
		if (d != NULL)
			d->emerg_mark = true;
	}
	for (i = 0; i < nt; i++) {
		d = dom_find(t, tgt[i].domid);
		e[i].t = tgt[i];
		e[i].from_kb = d != NULL ? d->vm.target_kb : tgt[i].target_kb;
		e[i].urgent = d != NULL && d->emerg_mark;
	}
	for (i = 0; i < in->nurgent; i++) {
		d = dom_find(t, in->urgent[i]);
		if (d != NULL)
			d->emerg_mark = false;
	}
	n = sched_order_emergency(e, nt, avail_kb, tgt);
	/* deferred grows: their domains keep the estimator state of before */
	for (i = 0; i < nt; i++) {
		if (e[i].urgent || e[i].t.target_kb <= e[i].from_kb)
			continue;
		d = dom_find(t, e[i].t.domid);
		if (d != NULL)
			d->emerg_mark = true;
	}
	return n;
}

/* See plan.h. */
int
plan_round(struct dom_table *t, const struct plan_in *in,
    struct policy_vm *vms, struct vm_target *tgt,
    struct sched_etarget *escratch, struct plan_out *out)
{
	const struct policy_host *host = &in->host;
	uint64_t inflight = 0, avail;
	size_t i, n = t->n, nt = 0, ordered;
	struct dom *d;
	int rc;

	for (i = 0; i < n; i++) {
		d = t->list[i];
		if (d->vm.target_kb > d->vm.current_kb)
			inflight += d->vm.target_kb - d->vm.current_kb;
		dom_update_state(d, host->now_ms, in->stale_ms);
		vms[i] = d->vm;
	}
	out->inflight_kb = inflight;
	out->deferred = 0;
	rc = policy_decide(in->ops, in->pcfg, host, vms, n, tgt, &nt);
	if (rc != 0) {
		out->nt = 0;
		return rc;
	}
	if (in->nurgent > 0) {
		avail = host->free_kb > host->reserve_kb + inflight ?
		    host->free_kb - host->reserve_kb - inflight : 0;
		ordered = plan_order_emergency(t, in, tgt, nt, escratch,
		    avail);
		out->deferred = nt - ordered;
		nt = ordered;
		plan_emergency_done(t, in, tgt, nt);
	}
	/* the estimator's updates, but not for a grow that was deferred */
	for (i = 0; i < n; i++) {
		d = t->list[i];
		if (!d->emerg_mark)
			d->vm.est = vms[i].est;
		d->emerg_mark = false;
	}
	out->nt = nt;
	return 0;
}
