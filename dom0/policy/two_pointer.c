/*
 * two_pointer.c - the seed two-pointer policy (issue #5: "required /
 * surplus 50 MB steps, rotating offset, host gives 50 MB while it keeps
 * > 200 MB").  A domain with unused memory (MemFree) below REQUIRED needs
 * memory; above SURPLUS it has some to spare.  One pointer walks the
 * needy, one the spare, both starting at an offset that rotates every round
 * (so equal domains take turns); each pair moves STEP.  Needy domains left
 * over get STEP from the host while the host keeps more than HOST_KEEP.
 */
#include <stddef.h>
#include <stdint.h>

#include "policy.h"
#include "policy_int.h"

#define TP_REQUIRED_KB	(100 * POL_MB_KB)	/* unused below: needy */
#define TP_SURPLUS_KB	(200 * POL_MB_KB)	/* unused above: spare */
#define TP_STEP_KB	(50 * POL_MB_KB)	/* one transfer */
#define TP_HOST_KEEP_KB	(200 * POL_MB_KB)	/* host keeps more than */
#define TP_ROUND_MS	1000			/* offset rotates per round */

static bool
tp_needy(const struct policy_vm *vm)
{
	return pol_movable(vm) && vm->est.free_kb < TP_REQUIRED_KB &&
	    vm->plan_reason == POLICY_R_NONE;
}

static bool
tp_spare(const struct policy_vm *vm)
{
	return pol_movable(vm) && vm->est.free_kb > TP_SURPLUS_KB &&
	    vm->plan_reason == POLICY_R_NONE;
}

static int
two_pointer_decide(const struct policy_cfg *cfg,
    const struct policy_host *host, struct policy_vm *vms, size_t n)
{
	int64_t avail = pol_host_avail_kb(host, vms, n) +
	    (int64_t)host->reserve_kb;	/* the seed's own 200 MB rule */
	size_t off, i = 0, j = 0, k;

	(void)cfg;
	if (n == 0)
		return 0;
	off = (size_t)(host->now_ms / TP_ROUND_MS % n);
	for (;;) {
		while (i < n && !tp_needy(&vms[(off + i) % n]))
			i++;
		while (j < n && !tp_spare(&vms[(off + j) % n]))
			j++;
		if (i >= n || j >= n)
			break;
		pol_plan(&vms[(off + j) % n], pol_sub(vms[(off + j) %
		    n].target_kb, TP_STEP_KB), POLICY_R_SHRINK);
		pol_plan(&vms[(off + i) % n], vms[(off + i) % n].target_kb +
		    TP_STEP_KB, POLICY_R_GROW);
	}
	for (k = 0; k < n; k++) {
		struct policy_vm *vm = &vms[(off + k) % n];

		if (!tp_needy(vm) ||
		    avail - (int64_t)TP_STEP_KB <= (int64_t)TP_HOST_KEEP_KB)
			continue;
		pol_plan(vm, vm->target_kb + TP_STEP_KB, POLICY_R_GROW);
		avail -= (int64_t)TP_STEP_KB;
	}
	return 0;
}

const struct policy_ops policy_two_pointer = {
	.name = "two-pointer",
	.summary = "seed two-pointer: 50 MB steps needy<-spare, host keeps 200 MB",
	.observe = NULL,
	.decide = two_pointer_decide,
};
