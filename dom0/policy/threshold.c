/*
 * threshold.c - the seed mem_coord policy (issue #5: "waste/starve
 * thresholds, three cases").  A domain whose unused memory (MemFree, as
 * libvirt's "unused" stat the seed read) is below STARVE is starving, above
 * WASTE is wasting.  Each round:
 *   1. starving domains and the host can give: each gets STEP from the host;
 *   2. starving domains and the host cannot: each wasting domain gives STEP
 *      and the starving ones share it, STEP each while it lasts;
 *   3. nobody starving: each wasting domain returns STEP to the host.
 */
#include <stddef.h>
#include <stdint.h>

#include "policy.h"
#include "policy_int.h"

#define THR_STARVE_KB	(100 * POL_MIB_KB)	/* unused below: starving */
#define THR_WASTE_KB	(300 * POL_MIB_KB)	/* unused above: wasting */
#define THR_STEP_KB	(100 * POL_MIB_KB)	/* moved per domain per round */

static int
threshold_decide(const struct policy_cfg *cfg, const struct policy_host *host,
    struct policy_vm *vms, size_t n)
{
	int64_t avail = pol_host_avail_kb(host, vms, n);
	uint64_t pool = 0, starving = 0;
	size_t i;

	(void)cfg;
	for (i = 0; i < n; i++)
		if (pol_movable(&vms[i]) && vms[i].est.free_kb < THR_STARVE_KB)
			starving++;
	if (starving > 0 && avail >= (int64_t)THR_STEP_KB) {
		/* case 1: from the host (the wrapper caps at the budget) */
		for (i = 0; i < n; i++)
			if (pol_movable(&vms[i]) &&
			    vms[i].est.free_kb < THR_STARVE_KB)
				pol_plan(&vms[i], vms[i].target_kb +
				    THR_STEP_KB, POLICY_R_GROW);
		return 0;
	}
	for (i = 0; i < n; i++) {
		struct policy_vm *vm = &vms[i];

		if (!pol_movable(vm) || vm->est.free_kb <= THR_WASTE_KB)
			continue;
		/* case 2 (for the starving) or case 3 (to the host) */
		pol_plan(vm, pol_sub(vm->target_kb, THR_STEP_KB),
		    starving ? POLICY_R_RECLAIM : POLICY_R_SHRINK);
		pool += THR_STEP_KB;
	}
	for (i = 0; i < n && starving > 0 && pool >= THR_STEP_KB; i++) {
		struct policy_vm *vm = &vms[i];

		if (!pol_movable(vm) || vm->est.free_kb >= THR_STARVE_KB)
			continue;
		pol_plan(vm, vm->target_kb + THR_STEP_KB, POLICY_R_GROW);
		pool -= THR_STEP_KB;
	}
	return 0;
}

const struct policy_ops policy_threshold = {
	.name = "threshold",
	.summary = "seed mem_coord: starve < 100 MiB / waste > 300 MiB, 3 cases",
	.observe = NULL,
	.decide = threshold_decide,
};
