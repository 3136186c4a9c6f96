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

/* See plan.h. */
int
plan_round(struct dom_table *t, const struct plan_in *in,
    struct policy_vm *vms, struct vm_target *tgt, size_t *nt_out,
    uint64_t *inflight_kb_out)
{
	const struct policy_host *host = &in->host;
	uint64_t inflight = 0, avail;
	size_t i, n = t->n, nt = 0;
	struct dom *d;
	int rc;

	for (i = 0; i < n; i++) {
		d = t->list[i];
		if (d->vm.target_kb > d->vm.current_kb)
			inflight += d->vm.target_kb - d->vm.current_kb;
		dom_update_state(d, host->now_ms, in->stale_ms);
		vms[i] = d->vm;
	}
	*inflight_kb_out = inflight;
	rc = policy_decide(in->ops, in->pcfg, host, vms, n, tgt, &nt);
	if (rc != 0) {
		*nt_out = 0;
		return rc;
	}
	for (i = 0; i < n; i++)
		t->list[i]->vm.est = vms[i].est;
	if (in->urgent_domid != PLAN_NO_URGENT) {
		avail = host->free_kb > host->reserve_kb + inflight ?
		    host->free_kb - host->reserve_kb - inflight : 0;
		i = (size_t)sched_order_emergency(tgt, nt, in->urgent_domid,
		    vms, n, avail);
		d = dom_find(t, in->urgent_domid);
		if (d != NULL)
			dom_emergency_done(d, (i < nt &&
			    tgt[i].target_kb > d->vm.target_kb) ||
			    plan_reclaims(tgt, nt), host->now_ms);
	}
	*nt_out = nt;
	return 0;
}
