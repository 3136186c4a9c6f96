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

/* No emergency: a periodic or coalesced round. */
#define PLAN_NO_URGENT	UINT32_MAX

struct plan_in {
	const struct policy_ops *ops;	/* the global policy */
	const struct policy_cfg *pcfg;
	struct policy_host host;	/* free_kb raw, reserve, now */
	uint64_t stale_ms;		/* records older than this: stale */
	uint32_t urgent_domid;		/* PLAN_NO_URGENT or the emergency */
	struct resv_table *resv;	/* reservations, or NULL: none */
	/*
	 * A domain that appeared (dom.added_ms) less than this ago and has
	 * sent no record yet is being built or booting: no grows from free
	 * memory meanwhile (plan_building()).  0: rule off (the simulator,
	 * whose new domains are not in the table).  ms.
	 */
	uint64_t build_grace_ms;
};

/* Default build grace of cagmad (cagmad.8, "Starting VMs"), ms. */
#define PLAN_BUILD_GRACE_MS	30000

/*
 * Plan one round at in->host.now_ms over the n domains of t (their
 * vm.current_kb already fresh): recompute each state, copy the views into
 * vms[0..n) (scratch, n entries), run policy_decide(), keep the
 * estimator's updates, and for an emergency order the targets so that its
 * grow comes first when the host's free memory (net of the reserve and of
 * in-flight grows) covers it, else right after the donors' shrinks.
 * Before deciding, in->resv (if set) gets its round (resv_update() with
 * the free memory above the reserve, net of grows in flight) and the
 * policy sees resv_held_kb() less what cooperative balloons still have to
 * release toward their targets (shrinks in flight) as host.resv_kb, so a
 * shortfall is reclaimed once, not again every round while the balloons
 * move.  While plan_building(), every grow but an emergency's (reason
 * emergency, or the domain of in->urgent_domid) is dropped from the
 * round's targets (no grows from free memory while a new domain is built;
 * a swapping guest is still served first).
 * Writes the targets to tgt[0..*nt_out) (room for n) and the sum of the
 * grows in flight to *inflight_kb_out.  Returns 0 or the -errno of
 * policy_decide() (then *nt_out = 0).
 */
int plan_round(struct dom_table *t, const struct plan_in *in,
    struct policy_vm *vms, struct vm_target *tgt, size_t *nt_out,
    uint64_t *inflight_kb_out);

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
