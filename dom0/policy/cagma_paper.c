/*
 * cagma_paper.c - the rule of Wu & Sun 2017 (CAGMA), as its prototype ran
 * in dom0 (../shared/docs/paper.md; Eklipsorz/CAGMA):
 *
 *   every 3 s, for each VM: if AVM < CMA then target += CMA - AVM,
 *   with target in [256 MiB, 1500 MiB]; memory is never released.
 *
 * AVM is MemFree.  The paper's CMA is 1.1 x max over processes of
 * (RSS + swap); the record carries no per-process data, so the largest
 * process is approximated by the guest's whole footprint, used + swap in
 * use.  This is exact for a one-process guest and an over-estimate
 * otherwise, i.e. it makes the baseline grow faster than the paper's and
 * can only flatter it.
 *
 * Kept from the paper because they change results: the 3 s poll and "no
 * release" (its release branch never ran).  Not kept: the guest writing its
 * own target (a security hole; so the in-guest kswapd emergency path is not
 * modelled: dom0 acts on its 3 s poll only) and its clamping/overflow bugs.
 */
#include <stddef.h>
#include <stdint.h>

#include "policy.h"
#include "policy_int.h"

#define PAPER_PERIOD_MS	3000		/* ms, dom0 poll (pol_period_due) */
#define PAPER_CMA_PCT	110		/* CMA = 1.1 x (RSS + swap) */
#define PAPER_MIN_KB	(256 * POL_MIB_KB)
#define PAPER_MAX_KB	(1500 * POL_MIB_KB)

static void
paper_observe(const struct policy_cfg *cfg, struct policy_vm *vm,
    uint64_t now_ms)
{
	struct policy_est *est = &vm->est;

	(void)cfg;
	(void)now_ms;
	est->cma_kb = (est->used_kb + est->swap_used_kb) * PAPER_CMA_PCT / 100;
	est->need_kb = est->cma_kb;
}

static int
paper_decide(const struct policy_cfg *cfg, const struct policy_host *host,
    struct policy_vm *vms, size_t n)
{
	size_t i;

	(void)cfg;
	if (!pol_period_due(host, vms, n, PAPER_PERIOD_MS))
		return 0;
	for (i = 0; i < n; i++) {
		struct policy_vm *vm = &vms[i];
		struct policy_est *est = &vm->est;
		uint64_t t;

		if (!pol_movable(vm))
			continue;
		if (est->free_kb >= est->cma_kb)
			continue;	/* the release branch: never ran */
		t = vm->target_kb + (est->cma_kb - est->free_kb);
		t = pol_max(pol_min(t, pol_min(PAPER_MAX_KB, vm->max_kb)),
		    PAPER_MIN_KB);
		if (t > vm->target_kb)
			pol_plan(vm, t, POLICY_R_GROW);
	}
	return 0;
}

const struct policy_ops policy_cagma_paper = {
	.name = "cagma-paper",
	.summary = "Wu & Sun 2017: every 3 s target += CMA - AVM, no release",
	.observe = paper_observe,
	.decide = paper_decide,
};
