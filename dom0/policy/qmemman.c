/*
 * qmemman.c - a Qubes-like policy, after QubesOS/qubes-core-admin
 * qubes/qmemman/algo.py (pref_mem(), balance(), balance_when_enough_mem(),
 * balance_when_low_on_mem()):
 *   pref = max(min(used x 1.3, max), 200 MiB), used counting swap in use
 *   (as Qubes' meminfo-writer does: total - free - cache + swap used);
 *   if the host can cover every pref, everyone gets pref plus a share of
 *   what is left proportional to pref (capped at max; the rest goes to the
 *   others); otherwise donors go down to pref and the squeezed memory is
 *   shared between acceptors by pref.  Domains without data or that make
 *   no progress are skipped (algo.py: mem_used is None or no_progress).
 * Differences: the host reserve replaces Qubes' dom0 boost and
 * XEN_FREE_MEM_LEFT; the redistribution of memory left over by static max
 * is done in one extra pass instead of a loop.
 */
#include <stddef.h>
#include <stdint.h>

#include "policy.h"
#include "policy_int.h"

#define QM_CACHE_FACTOR_PCT	130		/* CACHE_FACTOR = 1.3 */
#define QM_MIN_PREF_KB		(200 * POL_MIB_KB)	/* MIN_PREFMEM */
#define QM_GIVE_UP_KB		(10 * POL_MIB_KB)	/* low-mem donor skip */

static bool
qm_usable(const struct policy_vm *vm)
{
	return pol_movable(vm);
}

static uint64_t
qm_pref_kb(const struct policy_vm *vm)
{
	uint64_t used = vm->est.used_kb + vm->est.swap_used_kb;

	return pol_max(pol_min(used * QM_CACHE_FACTOR_PCT / 100, vm->max_kb),
	    QM_MIN_PREF_KB);
}

/* balance_when_enough_mem(): pref + share of the rest by pref. */
static void
qm_enough(struct policy_vm *vms, size_t n, double total_pref, double avail)
{
	double left = 0, open_pref = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		struct policy_vm *vm = &vms[i];
		double pref, t;

		if (!qm_usable(vm))
			continue;
		pref = (double)qm_pref_kb(vm);
		t = 0.999 * (pref + pref / total_pref * avail);
		if (t >= (double)vm->max_kb) {
			left += t - (double)vm->max_kb;
			t = (double)vm->max_kb;
		} else {
			open_pref += pref;
		}
		vm->plan_kb = (uint64_t)t;
	}
	for (i = 0; i < n; i++) {
		struct policy_vm *vm = &vms[i];
		double t;

		if (!qm_usable(vm))
			continue;
		t = (double)vm->plan_kb;
		if (left > 0 && open_pref > 0 && t < (double)vm->max_kb)
			t += 0.999 * left * (double)qm_pref_kb(vm) / open_pref;
		pol_plan(vm, t > (double)vm->max_kb ? vm->max_kb : (uint64_t)t,
		    (uint64_t)t < vm->current_kb ? POLICY_R_SHRINK :
		    POLICY_R_SURPLUS);
	}
}

/* balance_when_low_on_mem(): donors to pref, acceptors share the rest. */
static void
qm_low(struct policy_vm *vms, size_t n, double free_kb, double pref_acc)
{
	double squeezed = free_kb;
	size_t i;

	for (i = 0; i < n; i++) {
		struct policy_vm *vm = &vms[i];
		uint64_t pref = qm_pref_kb(vm);

		if (!qm_usable(vm) || vm->current_kb < pref + QM_GIVE_UP_KB)
			continue;
		squeezed += (double)(vm->current_kb - pref);
		pol_plan(vm, pref, POLICY_R_RECLAIM);
	}
	if (squeezed < 0 || pref_acc <= 0)
		return;
	for (i = 0; i < n; i++) {
		struct policy_vm *vm = &vms[i];
		double t;

		if (!qm_usable(vm) || qm_pref_kb(vm) <= vm->current_kb)
			continue;
		t = 0.999 * ((double)vm->current_kb + (double)qm_pref_kb(vm) /
		    pref_acc * squeezed);
		/* 0.999 x current is no grow (systemstate.py filters it) */
		if (t <= (double)vm->current_kb)
			continue;
		pol_plan(vm, pol_min((uint64_t)t, vm->max_kb), POLICY_R_GROW);
	}
}

static int
qmemman_decide(const struct policy_cfg *cfg, const struct policy_host *host,
    struct policy_vm *vms, size_t n)
{
	int64_t xen_free = pol_host_avail_kb(host, vms, n);
	double total_need = 0, total_pref = 0, pref_acc = 0, avail;
	size_t i;

	(void)cfg;
	for (i = 0; i < n; i++) {	/* mem_info() */
		const struct policy_vm *vm = &vms[i];
		double pref;

		if (!qm_usable(vm))
			continue;
		pref = (double)qm_pref_kb(vm);
		if (pref > (double)vm->current_kb && vm->current_kb < vm->max_kb)
			pref_acc += pref;
		total_need += pref - (double)vm->current_kb;
		total_pref += pref;
	}
	if (total_pref <= 0)
		return 0;
	avail = (double)xen_free - total_need;
	if (avail > 0)
		qm_enough(vms, n, total_pref, avail);
	else
		qm_low(vms, n, (double)xen_free, pref_acc);
	return 0;
}

const struct policy_ops policy_qmemman = {
	.name = "qmemman",
	.summary = "Qubes qmemman: pref = 1.3 x used (min 200 MiB), share by pref",
	.observe = NULL,
	.decide = qmemman_decide,
};
