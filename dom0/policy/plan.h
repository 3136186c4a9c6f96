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
#include "sched.h"

struct plan_in {
	const struct policy_ops *ops;	/* the global policy */
	const struct policy_cfg *pcfg;
	struct policy_host host;	/* free_kb raw, reserve, now */
	uint64_t stale_ms;		/* records older than this: stale */
	/* an emergency round: the domains it serves (emerg_take()) */
	const uint32_t *urgent;		/* NULL/0: periodic or coalesced */
	size_t nurgent;
};

/* What plan_round() produced besides the targets. */
struct plan_out {
	size_t nt;			/* targets written */
	uint64_t inflight_kb;		/* grows in flight before the round */
	size_t deferred;		/* emergency round: grows of other
					 * domains left to the next full round */
};

/*
 * Plan one round at in->host.now_ms over the n domains of t (their
 * vm.current_kb already fresh): recompute each state, copy the views into
 * vms[0..n) (scratch, n entries), run policy_decide(), keep the
 * estimator's updates, and for an emergency round over the set
 * in->urgent[0..nurgent) order the targets (sched_order_emergency()): the
 * urgent grows the host's free memory (net of the reserve and of in-flight
 * grows) covers first, the others right after the donors' shrinks, every
 * group in the planner's order; grows of other domains (whose balloon
 * facts an emergency round did not read) are deferred to the next full
 * round (out->deferred; the caller asks for a coalesced one).  Writes the
 * targets to tgt[0..out->nt) (room for n); escratch: n entries, used by
 * emergency rounds only.  O(n + nurgent).  Returns 0 or the -errno of
 * policy_decide() (then out->nt = 0).
 */
int plan_round(struct dom_table *t, const struct plan_in *in,
    struct policy_vm *vms, struct vm_target *tgt,
    struct sched_etarget *escratch, struct plan_out *out);

#endif
