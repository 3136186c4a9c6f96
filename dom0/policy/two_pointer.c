/*
 * two_pointer.c - the seed two-pointer memory coordinator, after its README
 * (shared/docs/seeds/002_580401fed9b6af56.txt, cited as 002:LINE).  The
 * seed says "CPU" for a domain and gives sizes as bare numbers or "mb"
 * (002:41); they are read as decimal MB.
 *
 * Rules, with the seed's words:
 *   round   002:15 "Keep track of the following data from previous
 *           iteration": one round per period (cagmad's period,
 *           cfg->shrink_interval_ms, through pol_period_due()).
 *   used    002:20-21 "Get the ballon size and unused memory" / "Calculate
 *           used size ( ballon - unused )": MemTotal - MemFree of the
 *           latest record, against the one seen at the previous round
 *           (002:16 "Array of previous used memory ( prevUsedMem )",
 *           est.round_used_kb).  No previous round: neither needy nor
 *           spare.
 *   needy   002:22-23 "If the used memory of a CPU is more than prevUsedMem
 *           and unused memory is less than 200" / "Set memory required to
 *           max of 50 and ( 200 - unused ) but not more than the CPUs
 *           limit": required = max(TP_STEP, TP_LOW - unused), capped at
 *           max_kb - current.
 *   spare   002:24-25 "If used memory is same or less than prevUsedMem and
 *           unused memory is greater than 100" / "Set memory surplus to min
 *           of 50 and ( unused - 100 )".
 *   walk    002:29-39 "Using a two pointer approach" ... "Taking CPU = ( I +
 *           CPU offset ) mod numVcpus" ... "For J from J -> num of virtual
 *           CPUs" ... "Transfer memory from giving CPU to taking CPU" /
 *           "Modify Mem required and Mem surplus accordingly" / "If Mem
 *           required reaches 0 then break the inner loop": each needy
 *           domain, in offset order, takes min(required, surplus) from the
 *           givers in offset order; the giver pointer J is not reset.
 *   host    002:41 "If none of the CPUs can release memory then give all
 *           the CPUs that require memory, 50 mb from the host if the host
 *           will still be left with more than 200 mbs" (host unused: free
 *           less grows in flight, pol_host_unused_kb()).
 *   return  002:43 "If none of the CPUs need memory then reclaim surplus
 *           memory from the CPUs in 50 mb steps": every spare domain gives
 *           its surplus (at most TP_STEP) back to the host.
 *   offset  002:45 "increment CPU offset": the round number modulo the
 *           number of domains (now / period).
 *   amount  002:20 the transfers start from the balloon size: from what
 *           the domain has now (pol_plan_more/less()).
 */
#include <stddef.h>
#include <stdint.h>

#include "policy.h"
#include "policy_int.h"

#define TP_LOW_KB	(200 * POL_MB_KB)	/* KiB unused below: needy */
#define TP_KEEP_KB	(100 * POL_MB_KB)	/* KiB unused above: spare */
#define TP_STEP_KB	(50 * POL_MB_KB)	/* KiB: min need, max surplus */
#define TP_HOST_KEEP_KB	(200 * POL_MB_KB)	/* KiB: host keeps more */

/* MemTotal - MemFree of a record: 002:21 "ballon - unused". */
static uint64_t
tp_used_kb(const struct cg_record *rec)
{
	return pol_sub(record_get(rec, CG_F_MEM_TOTAL, 0),
	    record_get(rec, CG_F_MEM_FREE, 0));
}

/* 002:22-23: memory required, KiB (0: not needy). */
static uint64_t
tp_need_kb(const struct policy_vm *vm)
{
	uint64_t unused = vm->est.free_kb;

	if (!pol_movable(vm) || vm->est.round_used_kb == 0 ||
	    unused >= TP_LOW_KB ||
	    tp_used_kb(&vm->rec) <= vm->est.round_used_kb)
		return 0;
	return pol_min(pol_max(TP_STEP_KB, TP_LOW_KB - unused),
	    pol_sub(vm->max_kb, vm->current_kb));
}

/* 002:24-25: memory surplus, KiB (0: not spare). */
static uint64_t
tp_spare_kb(const struct policy_vm *vm)
{
	uint64_t unused = vm->est.free_kb;

	if (!pol_movable(vm) || vm->est.round_used_kb == 0 ||
	    unused <= TP_KEEP_KB ||
	    tp_used_kb(&vm->rec) > vm->est.round_used_kb)
		return 0;
	return pol_min(TP_STEP_KB, unused - TP_KEEP_KB);
}

/*
 * 002:29-39: the two-pointer transfer.  The taker pointer i visits every
 * domain once from the offset; the giver pointer j only moves forward.
 */
static void
tp_transfer(struct policy_vm *vms, size_t n, size_t off)
{
	size_t i, j = 0;
	uint64_t left = 0, gave = 0;	/* giver j: surplus left, given */

	for (i = 0; i < n && j < n; i++) {
		struct policy_vm *a = &vms[(i + off) % n];
		uint64_t need = tp_need_kb(a), got = 0, t;

		while (need > 0 && j < n) {
			struct policy_vm *b = &vms[(j + off) % n];

			if (gave == 0 && left == 0)
				left = tp_spare_kb(b);
			if (left == 0) {
				if (gave > 0)
					pol_plan_less(b, gave,
					    POLICY_R_SHRINK);
				gave = 0;
				j++;
				continue;
			}
			t = pol_min(need, left);
			need -= t;
			left -= t;
			got += t;
			gave += t;
		}
		if (got > 0)
			pol_plan_more(a, got, POLICY_R_GROW);
	}
	if (j < n && gave > 0)
		pol_plan_less(&vms[(j + off) % n], gave, POLICY_R_SHRINK);
}

static int
two_pointer_decide(const struct policy_cfg *cfg,
    const struct policy_host *host, struct policy_vm *vms, size_t n)
{
	int64_t host_kb = pol_host_unused_kb(host, vms, n);
	bool any_need = false, any_spare = false;
	size_t off, i;

	if (!pol_period_due(host, vms, n, cfg->shrink_interval_ms) || n == 0)
		return 0;
	for (i = 0; i < n; i++) {
		any_need |= tp_need_kb(&vms[i]) > 0;
		any_spare |= tp_spare_kb(&vms[i]) > 0;
	}
	off = cfg->shrink_interval_ms ? (size_t)(host->now_ms /
	    cfg->shrink_interval_ms % n) : 0;
	if (any_need && any_spare)
		tp_transfer(vms, n, off);
	for (i = 0; i < n && !(any_need && any_spare); i++) {
		struct policy_vm *vm = &vms[(i + off) % n];

		if (!any_need && tp_spare_kb(vm) > 0) {	/* 002:43 */
			pol_plan_less(vm, tp_spare_kb(vm), POLICY_R_SHRINK);
		} else if (tp_need_kb(vm) > 0 && host_kb -	/* 002:41 */
		    (int64_t)TP_STEP_KB > (int64_t)TP_HOST_KEEP_KB) {
			pol_plan_more(vm, TP_STEP_KB, POLICY_R_GROW);
			host_kb -= (int64_t)TP_STEP_KB;
		}
	}
	for (i = 0; i < n; i++)		/* 002:16 prevUsedMem */
		if (vms[i].has_rec)
			vms[i].est.round_used_kb = pol_max(tp_used_kb(
			    &vms[i].rec), 1);
	return 0;
}

const struct policy_ops policy_two_pointer = {
	.name = "two-pointer",
	.summary = "seed two-pointer: needy take from spare, 50 MB steps",
	.observe = NULL,
	.decide = two_pointer_decide,
};
