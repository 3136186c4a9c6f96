/*
 * plan.c - one planning round over the domain table (see plan.h).
 */
#include <stddef.h>
#include <stdint.h>

#include "plan.h"
#include "policy_int.h"
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

/*
 * A domain is being built: keep the shrinks, the emergencies' grows and
 * the grows toward their need of the domains whose urgent records called
 * this round, drop every other grow, a surplus share always (it would
 * spend free memory the new domain is about to allocate: guests squeezed
 * for a start send act-now records, and their emergency rounds handed
 * them 260 MiB of surplus each in the lab's vmstart job).  Returns the
 * new count, order kept.
 */
static size_t
plan_drop_grows(struct dom_table *t, const struct plan_in *in,
    struct vm_target *tgt, size_t nt)
{
	struct dom *d;
	size_t i, k = 0;

	for (i = 0; i < in->nurgent; i++) {
		d = dom_find(t, in->urgent[i]);
		if (d != NULL)
			d->emerg_granted = true;	/* scratch: urgent */
	}
	for (i = 0; i < nt; i++) {
		d = dom_find(t, tgt[i].domid);
		if (d != NULL && tgt[i].target_kb > d->vm.target_kb &&
		    (tgt[i].reason == POLICY_R_SURPLUS ||
		    (tgt[i].reason != POLICY_R_EMERGENCY && !d->emerg_granted)))
			continue;
		tgt[k++] = tgt[i];
	}
	for (i = 0; i < in->nurgent; i++) {
		d = dom_find(t, in->urgent[i]);
		if (d != NULL)
			d->emerg_granted = false;
	}
	return k;
}

/*
 * While reservations hold memory, grows (above a domain's current target,
 * emergencies aside) may spend only what is really free above the reserve,
 * the reservations and the grows in flight: budget_kb.  The policy saw
 * pending reservations net of the shrinks in flight (so that it does not
 * reclaim the same shortfall every round); without this cap it could hand
 * those shrinks' memory to other guests, or cancel the shrinks, while the
 * new domain is about to take it.  A grow that does not fit is dropped
 * (the domain keeps its target), in the policy's order.  Returns the new
 * count, order kept.
 */
static size_t
plan_cap_grows(struct dom_table *t, struct vm_target *tgt, size_t nt,
    uint64_t budget_kb)
{
	struct dom *d;
	uint64_t grow;
	size_t i, k = 0;

	for (i = 0; i < nt; i++) {
		d = dom_find(t, tgt[i].domid);
		if (d != NULL && tgt[i].target_kb > d->vm.target_kb &&
		    tgt[i].reason != POLICY_R_EMERGENCY) {
			grow = tgt[i].target_kb - d->vm.target_kb;
			if (grow > budget_kb)
				continue;
			budget_kb -= grow;
		}
		tgt[k++] = tgt[i];
	}
	return k;
}

/* See plan.h. */
bool
plan_building(const struct dom_table *t, uint64_t now_ms, uint64_t grace_ms)
{
	size_t i;

	if (grace_ms == 0)
		return false;
	for (i = 0; i < t->n; i++) {
		const struct dom *d = t->list[i];

		if (d->added_ms != 0 && !d->vm.has_rec && d->records == 0 &&
		    now_ms - d->added_ms < grace_ms)
			return true;
	}
	return false;
}

/* See plan.h. */
uint64_t
plan_freeable_kb(const struct dom_table *t, const struct policy_cfg *pcfg,
    const struct policy_host *host, const struct resv_table *resv,
    struct policy_vm *vms)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		vms[i] = t->list[i]->vm;
	return resv_freeable_kb(pcfg, host, vms, t->n, resv);
}

/* Free memory above the reserve, net of the grows in flight, KiB. */
static int64_t
plan_above_kb(const struct dom_table *t, const struct policy_host *host)
{
	int64_t above = (int64_t)host->free_kb - (int64_t)host->reserve_kb;
	size_t i;

	for (i = 0; i < t->n; i++)
		above -= (int64_t)pol_sub(t->list[i]->vm.target_kb,
		    t->list[i]->vm.current_kb);
	return above;
}

/* See plan.h. */
int
plan_resv_request(struct dom_table *t, const struct policy_cfg *pcfg,
    const struct policy_host *host, struct resv_table *resv,
    struct policy_vm *vms, uint64_t size_kb, uint64_t timeout_ms,
    uint32_t *id_out, uint64_t *freeable_kb_out)
{
	uint64_t freeable = plan_freeable_kb(t, pcfg, host, resv, vms);
	int rc;

	*freeable_kb_out = freeable;
	rc = resv_add(resv, size_kb, timeout_ms, freeable, host->now_ms,
	    id_out);
	if (rc == 0)
		resv_update(resv, plan_above_kb(t, host), host->now_ms);
	return rc;
}

/* See plan.h. */
void
plan_resv_refresh(const struct dom_table *t, const struct policy_host *host,
    struct resv_table *resv)
{
	resv_update(resv, plan_above_kb(t, host), host->now_ms);
}

/* See plan.h. */
int
plan_round(struct dom_table *t, const struct plan_in *in,
    struct policy_vm *vms, struct vm_target *tgt,
    struct sched_etarget *escratch, struct plan_out *out)
{
	struct policy_host hv = in->host, *host = &hv;
	uint64_t inflight = 0, shrinking = 0, held = 0, pending, avail;
	int64_t above;
	size_t i, n = t->n, nt = 0, ordered;
	struct dom *d;
	int rc;

	for (i = 0; i < n; i++) {
		d = t->list[i];
		if (d->vm.target_kb > d->vm.current_kb)
			inflight += d->vm.target_kb - d->vm.current_kb;
		dom_update_state(d, host->now_ms, in->stale_ms);
		if (d->vm.current_kb > d->vm.target_kb && pol_follows(&d->vm))
			shrinking += d->vm.current_kb - d->vm.target_kb;
		vms[i] = d->vm;
	}
	out->inflight_kb = inflight;
	out->deferred = 0;
	above = (int64_t)host->free_kb - (int64_t)host->reserve_kb -
	    (int64_t)inflight;
	if (in->resv != NULL) {
		/*
		 * Ready only on memory really free; but the policy is asked
		 * to free only what balloons already deflating toward their
		 * targets will not bring (else every round would reclaim
		 * the same shortfall again while they move).
		 */
		resv_update(in->resv, above, host->now_ms);
		held = resv_held_kb(in->resv);
		pending = resv_pending_kb(in->resv);
		hv.resv_kb = held - pending + pol_sub(pending, shrinking);
	}
	rc = policy_decide(in->ops, in->pcfg, host, vms, n, tgt, &nt);
	if (rc != 0) {
		out->nt = 0;
		return rc;
	}
	if (in->unbuilt || plan_building(t, host->now_ms, in->build_grace_ms))
		nt = plan_drop_grows(t, in, tgt, nt);
	else if (held > 0)
		nt = plan_cap_grows(t, tgt, nt, above > (int64_t)held ?
		    (uint64_t)(above - (int64_t)held) : 0);
	if (in->nurgent > 0) {
		avail = host->free_kb > host->reserve_kb + host->resv_kb +
		    inflight ? host->free_kb - host->reserve_kb -
		    host->resv_kb - inflight : 0;
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
