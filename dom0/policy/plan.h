/*
 * plan.h - one planning round over the domain table, pure: the states,
 * the policy's decision, the emergency order.  cagmad (dom0/round.c) and
 * cagma-sim (bench/sim/sim.c) both call it between reading the balloon
 * facts (dom_progress() per domain) and applying the targets
 * (dom_target_ok(), then the actuator, then dom_target_set()).
 */
#ifndef CAGMA_POLICY_PLAN_H
#define CAGMA_POLICY_PLAN_H

#include <stddef.h>
#include <stdint.h>

#include "domains.h"
#include "policy.h"

/* No emergency: a periodic or coalesced round. */
#define PLAN_NO_URGENT	UINT32_MAX

struct plan_in {
	const struct policy_ops *ops;	/* the global policy */
	const struct policy_cfg *pcfg;
	struct policy_host host;	/* free_kb raw, reserve, now */
	uint64_t stale_ms;		/* records older than this: stale */
	uint32_t urgent_domid;		/* PLAN_NO_URGENT or the emergency */
};

/*
 * Plan one round at in->host.now_ms over the n domains of t (their
 * vm.current_kb already fresh): recompute each state, copy the views into
 * vms[0..n) (scratch, n entries), run policy_decide(), keep the
 * estimator's updates, and for an emergency order the targets so that its
 * grow comes first when the host's free memory (net of the reserve and of
 * in-flight grows) covers it, else right after the donors' shrinks.
 * Writes the targets to tgt[0..*nt_out) (room for n) and the sum of the
 * grows in flight to *inflight_kb_out.  Returns 0 or the -errno of
 * policy_decide() (then *nt_out = 0).
 */
int plan_round(struct dom_table *t, const struct plan_in *in,
    struct policy_vm *vms, struct vm_target *tgt, size_t *nt_out,
    uint64_t *inflight_kb_out);

#endif
