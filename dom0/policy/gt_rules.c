/*
 * gt_rules.c - the course project's memory coordinator with the course's
 * rules (shared/docs/seeds/003_6fd57e23387ab5c0.txt, cited as 003:LINE).
 * The course's notes (003:9-15) are the requirement where the project's
 * algorithm (003:17-30) disagrees with them.  The seed's "MB" are read as
 * MiB (libvirt reports KiB, so a "MB" shown from its stats is KiB / 1024).
 *
 * Rules, with the seed's words:
 *   round   003:4 "./memory_coordinator <interval>": one round per period
 *           (cagmad's period, cfg->shrink_interval_ms, pol_period_due()).
 *   metric  003:23-24 "the amount of usable memory as seen by the domain":
 *           the guest's unused memory, MemFree (est.free_kb; libvirt's
 *           AVAILABLE is the guest's MemTotal, but the notes 003:13-14 and
 *           the thresholds' names speak of unused memory).
 *   pick    003:21 "the domain which is the most wasteful and the domain
 *           which is the most starved": the most and the least unused
 *           memory; only these two move (pol_unused_extremes()).
 *   starve  003:19 "We define the starvation threshold ... to be 150 MB";
 *           003:25 "lesser than or equal to the starvation threshold".
 *   waste   003:19 "We define the waste threshod ... as 300 MB"; 003:26
 *           "greater than or equal to the waste threshod".
 *   4.1     003:26 "the most wasteful domain's memory is halved and this
 *           removed memory is set to the starved domain": the wasteful
 *           domain gives min(half its memory (the metric: its unused
 *           memory), GT_STEP_KB, what notes 3 allow), the starved one gets
 *           the same amount (003:27-28).
 *   4.2     003:29 "we must assgin memory from the hypervisor ... We set
 *           the starved domain's memory to be starved.memory + waste
 *           threshold": GT_WASTE_KB from the host, less what notes 1 and 4
 *           keep on the host.
 *   5       003:30 "if the most wasteful domain's memory is greater than or
 *           equal to the waste threshold ... we give the memory back to the
 *           hypervisor ... wasteful.memory - waste threshold": it gives
 *           min(GT_WASTE_KB, GT_STEP_KB, what notes 3 allow).
 *   notes 2 003:12 "Memory should be released gradually. For example, if VM
 *           has 300 MB of memory, do not release 200 MB of memory at
 *           one-go": a release is at most GT_STEP_KB per round; the halving
 *           of 4.1 goes on over the following rounds while the domain stays
 *           the most wasteful.
 *   notes 3 003:13 "Domain should not release memory if it has less than
 *           or equal to 100MB of unused memory": a domain keeps more than
 *           GT_KEEP_KB unused after a release.
 *   notes 4 003:14 "Host should not release memory if it has less than or
 *           equal to 200MB of unused memory" with 003:11 "Make sure that
 *           the VMs and the host has sufficient memory after any release of
 *           memory": the host keeps more than GT_HOST_KEEP_KB unused after
 *           a grant (host unused: free less grows in flight,
 *           pol_host_unused_kb()); a smaller grant is made if that is all
 *           it can spare.
 *   amount  003:27-29 "wasteful.memory - ...", "starved.memory + ...": from
 *           what the domain has now (pol_plan_more/less()).
 */
#include <stddef.h>
#include <stdint.h>

#include "policy.h"
#include "policy_int.h"

#define GT_STARVE_KB	(150 * POL_MIB_KB)	/* KiB unused, <=: starved */
#define GT_WASTE_KB	(300 * POL_MIB_KB)	/* KiB unused, >=: wasting */
#define GT_STEP_KB	(100 * POL_MIB_KB)	/* KiB: most released/round */
#define GT_KEEP_KB	(100 * POL_MIB_KB)	/* KiB: domain keeps more */
#define GT_HOST_KEEP_KB	(200 * POL_MIB_KB)	/* KiB: host keeps more */
#define GT_MORE_KB	1			/* KiB: "more than" a bound */

/* What vm may release this round toward goal_kb (notes 2 and 3), KiB. */
static uint64_t
gt_release_kb(const struct policy_vm *vm, uint64_t goal_kb)
{
	return pol_min(pol_min(goal_kb, GT_STEP_KB),
	    pol_sub(vm->est.free_kb, GT_KEEP_KB + GT_MORE_KB));
}

static int
gt_rules_decide(const struct policy_cfg *cfg, const struct policy_host *host,
    struct policy_vm *vms, size_t n)
{
	int64_t host_kb = pol_host_unused_kb(host, vms, n);
	size_t lo, hi;
	uint64_t give;
	bool starved, wasting;

	if (!pol_period_due(host, vms, n, cfg->shrink_interval_ms) ||
	    !pol_unused_extremes(vms, n, &lo, &hi))
		return 0;
	starved = vms[lo].est.free_kb <= GT_STARVE_KB;
	wasting = vms[hi].est.free_kb >= GT_WASTE_KB;
	if (starved && wasting) {				/* 4.1 */
		give = gt_release_kb(&vms[hi], vms[hi].est.free_kb / 2);
		if (give == 0)
			return 0;
		pol_plan_less(&vms[hi], give, POLICY_R_RECLAIM);
		pol_plan_more(&vms[lo], give, POLICY_R_GROW);
	} else if (starved) {					/* 4.2 */
		give = host_kb > (int64_t)(GT_HOST_KEEP_KB + GT_MORE_KB) ?
		    (uint64_t)host_kb - GT_HOST_KEEP_KB - GT_MORE_KB : 0;
		give = pol_min(give, GT_WASTE_KB);
		if (give > 0)
			pol_plan_more(&vms[lo], give, POLICY_R_GROW);
	} else if (wasting) {					/* 5 */
		give = gt_release_kb(&vms[hi], GT_WASTE_KB);
		if (give > 0)
			pol_plan_less(&vms[hi], give, POLICY_R_SHRINK);
	}
	return 0;
}

const struct policy_ops policy_gt_rules = {
	.name = "gt-rules",
	.summary = "seed course rules: 150/300 MiB, release <= 100 MiB/round",
	.observe = NULL,
	.decide = gt_rules_decide,
};
