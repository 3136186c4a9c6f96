/*
 * gt_rules.c - the seed course-project rules (issue #5: "starve 150 MB /
 * waste 300 MB with halving, domain keeps > 100 MB unused, host keeps
 * > 200 MB, gradual release").  Unused = MemFree.
 *   - starving (unused < 150 MB): grow by 150 MB, only while the host keeps
 *     more than 200 MB after the grant;
 *   - wasting (unused > 300 MB): release half of the unused memory above
 *     100 MB (halving each round: a gradual release that leaves the domain
 *     more than 100 MB unused).
 */
#include <stddef.h>
#include <stdint.h>

#include "policy.h"
#include "policy_int.h"

#define GT_STARVE_KB	(150 * POL_MB_KB)
#define GT_WASTE_KB	(300 * POL_MB_KB)
#define GT_KEEP_KB	(100 * POL_MB_KB)	/* domain keeps > this unused */
#define GT_HOST_KEEP_KB	(200 * POL_MB_KB)	/* host keeps > this free */

static int
gt_rules_decide(const struct policy_cfg *cfg, const struct policy_host *host,
    struct policy_vm *vms, size_t n)
{
	int64_t avail = pol_host_avail_kb(host, vms, n) +
	    (int64_t)host->reserve_kb;
	size_t i;

	(void)cfg;
	for (i = 0; i < n; i++) {
		struct policy_vm *vm = &vms[i];
		uint64_t unused = vm->est.free_kb;

		if (!pol_movable(vm) || unused <= GT_WASTE_KB)
			continue;
		pol_plan(vm, pol_sub(vm->target_kb, (unused - GT_KEEP_KB) / 2),
		    POLICY_R_SHRINK);
	}
	for (i = 0; i < n; i++) {
		struct policy_vm *vm = &vms[i];

		if (!pol_movable(vm) || vm->est.free_kb >= GT_STARVE_KB)
			continue;
		if (avail - (int64_t)GT_STARVE_KB <= (int64_t)GT_HOST_KEEP_KB)
			break;
		pol_plan(vm, vm->target_kb + GT_STARVE_KB, POLICY_R_GROW);
		avail -= (int64_t)GT_STARVE_KB;
	}
	return 0;
}

const struct policy_ops policy_gt_rules = {
	.name = "gt-rules",
	.summary = "seed rules: starve < 150 MB, waste > 300 MB halved, host 200 MB",
	.observe = NULL,
	.decide = gt_rules_decide,
};
