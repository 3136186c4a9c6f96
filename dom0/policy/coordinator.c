/*
 * coordinator.c - the seed memory_coordinator policy (issue #5: "FREE /
 * LOADED thresholds, host-low reclaim").  Unused memory (MemFree, the
 * libvirt "unused" stat the seed read) as a share of the allocation:
 *   - LOADED (unused < 15 %): grow by 20 % of the allocation, from the host,
 *     unless the host is low;
 *   - FREE (unused > 40 %): give back a quarter of the unused memory when
 *     the host is low (host-low reclaim), else an eighth (slow return).
 * The host is low when its free memory, less the reserve, is < 256 MiB.
 */
#include <stddef.h>
#include <stdint.h>

#include "policy.h"
#include "policy_int.h"

#define COORD_LOADED_PCT	15	/* unused below this % of current */
#define COORD_FREE_PCT		40	/* unused above this % of current */
#define COORD_GROW_PCT		20	/* loaded: grow by this % */
#define COORD_HOST_LOW_KB	(256 * POL_MIB_KB)
#define COORD_RECLAIM_DIV	4	/* host low: take unused / 4 */
#define COORD_RETURN_DIV	8	/* otherwise: unused / 8 */

static int
coordinator_decide(const struct policy_cfg *cfg,
    const struct policy_host *host, struct policy_vm *vms, size_t n)
{
	int64_t avail = pol_host_avail_kb(host, vms, n);
	bool low = avail < (int64_t)COORD_HOST_LOW_KB;
	size_t i;

	(void)cfg;
	for (i = 0; i < n; i++) {
		struct policy_vm *vm = &vms[i];
		uint64_t cur = vm->current_kb, unused = vm->est.free_kb;

		if (!pol_movable(vm) || cur == 0)
			continue;
		if (unused * 100 < cur * COORD_LOADED_PCT) {
			if (!low)
				pol_plan(vm, vm->target_kb + cur *
				    COORD_GROW_PCT / 100, POLICY_R_GROW);
		} else if (unused * 100 > cur * COORD_FREE_PCT) {
			uint64_t give = unused / (low ? COORD_RECLAIM_DIV :
			    COORD_RETURN_DIV);

			pol_plan(vm, pol_sub(vm->target_kb, give), low ?
			    POLICY_R_RECLAIM : POLICY_R_SHRINK);
		}
	}
	return 0;
}

const struct policy_ops policy_coordinator = {
	.name = "coordinator",
	.summary = "seed memory_coordinator: LOADED < 15 %, FREE > 40 %, host-low",
	.observe = NULL,
	.decide = coordinator_decide,
};
