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
#include "reserve.h"
#include "sched.h"

struct plan_in {
	const struct policy_ops *ops;	/* the global policy */
	const struct policy_cfg *pcfg;
	struct policy_host host;	/* free_kb raw, reserve, now */
	uint64_t stale_ms;		/* records older than this: stale */
	/* an emergency round: the domains it serves (emerg_take()) */
	const uint32_t *urgent;		/* NULL/0: periodic or coalesced */
	size_t nurgent;
	struct resv_table *resv;	/* reservations, or NULL: none */
	/*
	 * A domain that appeared (dom.added_ms) less than this ago and has
	 * sent no record yet is being built or booting: no grows from free
	 * memory meanwhile (plan_building()).  0: rule off (the simulator,
	 * whose new domains are not in the table).  ms.
	 */
	uint64_t build_grace_ms;
	/*
	 * The caller lists a domain that is being built but is not in t yet
	 * (on Xen: no memory/target until libxl has populated its memory):
	 * no grows from free memory either, as for plan_building().  A start
	 * through cagmactl releases its reservation as soon as the domain
	 * exists, seconds before its builder allocates; grows in that window
	 * took the memory and the build failed (the lab's vmstart job).
	 */
	bool unbuilt;
};

/* What plan_round() produced besides the targets. */
/* Default build grace of cagmad (cagmad.8, "Starting VMs"), ms. */
#define PLAN_BUILD_GRACE_MS	30000

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
 * round (out->deferred; the caller asks for a coalesced one).
 * Before deciding, in->resv (if set) gets its round (resv_update() with
 * the free memory above the reserve, net of grows in flight) and the
 * policy sees resv_held_kb() less what cooperative balloons still have to
 * release toward their targets (shrinks in flight) as host.resv_kb, so a
 * shortfall is reclaimed once, not again every round while the balloons
 * move.  While plan_building(), every grow but an emergency's (reason
 * emergency, or an urgent domain of the round) is dropped from the
 * round's targets (no grows from free memory while a new domain is
 * built; a swapping guest is still served first).  Writes the
 * targets to tgt[0..out->nt) (room for n); escratch: n entries, used by
 * emergency rounds only.  O(n + nurgent).  Returns 0 or the -errno of
 * policy_decide() (then out->nt = 0).
 */
int plan_round(struct dom_table *t, const struct plan_in *in,
    struct policy_vm *vms, struct vm_target *tgt,
    struct sched_etarget *escratch, struct plan_out *out);

/*
 * Whether a domain of t appeared less than grace_ms before now_ms
 * (dom.added_ms, set by the owner; 0: there before the owner started)
 * and has sent no record yet: a new domain being built.  false when
 * grace_ms is 0.  Pure.
 */
bool plan_building(const struct dom_table *t, uint64_t now_ms,
    uint64_t grace_ms);

/*
 * What a new reservation could get now (resv_freeable_kb()) over the
 * domains of t as the last round left them, vms: scratch for t->n
 * entries.  KiB.  Pure.
 */
uint64_t plan_freeable_kb(const struct dom_table *t,
    const struct policy_cfg *pcfg, const struct policy_host *host,
    const struct resv_table *resv, struct policy_vm *vms);

/*
 * A client asks for size_kb within timeout_ms at host->now_ms:
 * plan_freeable_kb(), resv_add() (refused: -ENOSPC, -EBUSY, -EINVAL),
 * then resv_update() at once, so a request that free memory covers is
 * ready without waiting for a round.  Writes *freeable_kb_out (always)
 * and *id_out (on success).  Pure.
 */
int plan_resv_request(struct dom_table *t, const struct policy_cfg *pcfg,
    const struct policy_host *host, struct resv_table *resv,
    struct policy_vm *vms, uint64_t size_kb, uint64_t timeout_ms,
    uint32_t *id_out, uint64_t *freeable_kb_out);

/*
 * resv_update() between rounds with fresh host facts (host->free_kb, now)
 * over the domains of t as the last round left them, so a client polling
 * a reservation sees it ready as soon as the memory is free.  Pure.
 */
void plan_resv_refresh(const struct dom_table *t,
    const struct policy_host *host, struct resv_table *resv);

#endif
