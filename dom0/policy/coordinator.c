/*
 * coordinator.c - the seed memory_coordinator, after its README
 * (shared/docs/seeds/001_c6ea2d044dd72504.txt, cited as 001:LINE).  Where
 * the README's policy summary (001:12-25) and its step-by-step algorithm
 * (001:34-52) differ in a comparison, the algorithm is followed.
 *
 * Rules, with the seed's words:
 *   round   001:52 "Sleep for the specified time interval `t` and then
 *           start again": one round per period (cagmad's period,
 *           cfg->shrink_interval_ms, through pol_period_due()).
 *   metric  001:41 "The tag `VIR_DOMAIN_MEMORY_STAT_UNUSED` and
 *           `VIR_DOMAIN_MEMORY_STAT_AVAILABLE` are extracted": unused =
 *           MemFree (est.free_kb); available = the allocation the domain
 *           has now (its balloon's current size: the guest's MemTotal
 *           hides the balloon's overhead), pol_plan_more/less().
 *   pick    001:42 "Find the domain D1 with least unused memory and D2 with
 *           most unused memory": only D1 and D2 move in steps 7-8
 *           (pol_unused_extremes()).
 *   7       001:43 "If D1 has less than or equal to `LOADED_THRESHOLD`
 *           amount of unused memory"
 *   7.1     001:44-46 "If D2 has more than or equal to `FREE_THRESHOLD`" /
 *           "Set the memory of D1 to `available memory` +
 *           `LOADED_THRESHOLD`" / "Set the memory of D2 to `available
 *           memory` - `LOADED_THRESHOLD`": D2 gives COORD_LOADED_KB to D1.
 *   7.2     001:47 "Else, Set the memory of D1 to `available memory` +
 *           `FREE_THRESHOLD`": D1 gets COORD_FREE_KB from the host.
 *   8       001:48-49 "Else, if D2 has more than or equal to
 *           `FREE_THRESHOLD`" / "Set the memory of D2 to `available
 *           memory` - `LOADED_THRESHOLD`": D2 returns COORD_LOADED_KB.
 *   9       001:50-51 "If the host has less than `LOADED_THRESHOLD` amount
 *           of unused memory" / "Go through all domains which have more
 *           than `FREE_THRESHOLD` amount of unused memory and set the
 *           memory to `available memory` - `LOADED_THRESHOLD`": host-low
 *           reclaim from every such domain (host unused: free less grows
 *           in flight, pol_host_unused_kb()).
 *   units   001:15-16 "amount of unused memory above which ..." / "below
 *           which ...": the thresholds are amounts, and 001:45-51 move
 *           memory by the same amounts.
 *
 * Not in the seed: the two values (cagma's choice; FREE > LOADED, as the
 * two definitions require).
 */
#include <stddef.h>
#include <stdint.h>

#include "policy.h"
#include "policy_int.h"

#define COORD_LOADED_KB	(100 * POL_MIB_KB)	/* KiB: LOADED_THRESHOLD */
#define COORD_FREE_KB	(300 * POL_MIB_KB)	/* KiB: FREE_THRESHOLD */

static int
coordinator_decide(const struct policy_cfg *cfg,
    const struct policy_host *host, struct policy_vm *vms, size_t n)
{
	size_t d1, d2, i;

	if (!pol_period_due(host, vms, n, cfg->shrink_interval_ms) ||
	    !pol_unused_extremes(vms, n, &d1, &d2))
		return 0;
	if (vms[d1].est.free_kb <= COORD_LOADED_KB) {
		if (vms[d2].est.free_kb >= COORD_FREE_KB) {	/* 7.1 */
			pol_plan_more(&vms[d1], COORD_LOADED_KB,
			    POLICY_R_GROW);
			pol_plan_less(&vms[d2], COORD_LOADED_KB,
			    POLICY_R_SHRINK);
		} else {					/* 7.2 */
			pol_plan_more(&vms[d1], COORD_FREE_KB, POLICY_R_GROW);
		}
	} else if (vms[d2].est.free_kb >= COORD_FREE_KB) {	/* 8 */
		pol_plan_less(&vms[d2], COORD_LOADED_KB, POLICY_R_SHRINK);
	}
	if (pol_host_unused_kb(host, vms, n) >= (int64_t)COORD_LOADED_KB)
		return 0;
	for (i = 0; i < n; i++) {				/* 9 */
		struct policy_vm *vm = &vms[i];

		if (pol_movable(vm) && vm->est.free_kb > COORD_FREE_KB)
			pol_plan_less(vm, COORD_LOADED_KB, POLICY_R_RECLAIM);
	}
	return 0;
}

const struct policy_ops policy_coordinator = {
	.name = "coordinator",
	.summary = "seed memory_coordinator: LOADED 100 MiB, FREE 300 MiB",
	.observe = NULL,
	.decide = coordinator_decide,
};
