/*
 * test_reserve.c - reservations of host memory for new domains
 * (dom0/policy/reserve.c) and the planner's hold of them (policy_host
 * resv_kb): FIFO order, the refusal figure, expiry, cancel, never below
 * CMA / floor / the host reserve, stuck and no-data domains not counted.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "policy.h"
#include "reserve.h"

#define MIB	1024ULL

static struct policy_cfg cfg;

static int
setup(void **state)
{
	(void)state;
	policy_cfg_default(&cfg);
	return 0;
}

/* A calm domain holding target_mib with the given CMA and need. */
static void
vm_calm(struct policy_vm *vm, uint32_t domid, uint64_t target_mib,
    uint64_t cma_mib, uint64_t need_mib)
{
	memset(vm, 0, sizeof(*vm));
	vm->domid = domid;
	vm->current_kb = vm->target_kb = target_mib * MIB;
	vm->max_kb = 4096 * MIB;
	vm->weight = 100;
	vm->enabled = true;
	vm->state = VM_OK;
	vm->has_rec = true;
	vm->est.cma_kb = cma_mib * MIB;
	vm->est.need_kb = need_mib * MIB;
}

static void
test_fifo(void **state)
{
	struct resv_table t;
	uint32_t a = 0, b = 0;

	(void)state;
	resv_init(&t);
	assert_int_equal(resv_add(&t, 800 * MIB, 30000, 10000 * MIB, 0, &a),
	    0);
	assert_int_equal(resv_add(&t, 100 * MIB, 30000, 10000 * MIB, 0, &b),
	    0);
	assert_true(b > a);
	assert_int_equal(resv_held_kb(&t), 900 * MIB);
	/* 500 MiB free: enough for the second, but it may not overtake */
	resv_update(&t, 500 * MIB, 1000);
	assert_int_equal(resv_find(&t, a)->state, RESV_PENDING);
	assert_int_equal(resv_find(&t, b)->state, RESV_PENDING);
	/* 850 MiB: the first is ready, the second still waits */
	resv_update(&t, 850 * MIB, 2000);
	assert_int_equal(resv_find(&t, a)->state, RESV_READY);
	assert_int_equal(resv_find(&t, a)->ready_ms, 2000);
	assert_int_equal(resv_find(&t, b)->state, RESV_PENDING);
	resv_update(&t, 900 * MIB, 3000);
	assert_int_equal(resv_find(&t, b)->state, RESV_READY);
	/* held until used */
	assert_int_equal(resv_held_kb(&t), 900 * MIB);
	assert_int_equal(resv_release(&t, a, 4000), 0);
	assert_int_equal(resv_find(&t, a)->state, RESV_DONE);
	assert_int_equal(resv_held_kb(&t), 100 * MIB);
	assert_string_equal(resv_state_str(RESV_READY), "ready");
	assert_string_equal(resv_state_str(RESV_STATE_COUNT), "?");
}

static void
test_refusal_figure(void **state)
{
	struct policy_host host = { 1000 * MIB, 200 * MIB, 0, 0 };
	struct policy_vm vms[5];
	struct resv_table t;
	uint32_t id = 0;
	uint64_t f;

	(void)state;
	resv_init(&t);
	vm_calm(&vms[0], 1, 1000, 300, 400);	/* gives 700 */
	vm_calm(&vms[1], 2, 1000, 300, 400);
	vms[1].state = VM_STUCK;		/* not counted on */
	vm_calm(&vms[2], 3, 1000, 300, 400);
	vms[2].state = VM_UNCOOPERATIVE;
	vm_calm(&vms[3], 4, 1000, 300, 400);
	vms[3].state = VM_NO_AGENT;
	vm_calm(&vms[4], 5, 1000, 100, 400);
	vms[4].floor_kb = 600 * MIB;		/* its floor, not its CMA */
	vms[4].est.overhead_kb = 50 * MIB;
	f = resv_freeable_kb(&cfg, &host, vms, 5, &t);
	assert_int_equal(f, (800 + 700 + 400) * MIB);
	assert_int_equal(resv_add(&t, f + 1, 30000, f, 0, &id), -ENOSPC);
	assert_int_equal(id, 0);
	assert_int_equal(resv_held_kb(&t), 0);	/* nothing for nothing */
	assert_int_equal(resv_add(&t, 1500 * MIB, 30000, f, 0, &id), 0);
	assert_int_equal(resv_freeable_kb(&cfg, &host, vms, 5, &t),
	    400 * MIB);
	/* CMA + overhead above the floor: that is what it keeps */
	vms[4].est.cma_kb = 700 * MIB;
	assert_int_equal(resv_freeable_kb(&cfg, &host, vms, 5, &t),
	    250 * MIB);
	/* a grow in flight is not free memory */
	vms[0].target_kb += 300 * MIB;
	assert_int_equal(resv_freeable_kb(&cfg, &host, vms, 5, &t),
	    (800 - 300 + 1000 + 250) * MIB - 1500 * MIB);
}

static void
test_expiry_cancel(void **state)
{
	struct resv_table t;
	uint32_t a = 0, b = 0, c = 0, ids[RESV_MAX];
	size_t i;

	(void)state;
	resv_init(&t);
	assert_int_equal(resv_add(&t, 0, 1000, MIB, 0, &a), -EINVAL);
	assert_int_equal(resv_add(&t, MIB, 0, MIB, 0, &a), -EINVAL);
	assert_int_equal(resv_add(&t, MIB, RESV_TIMEOUT_MAX_MS + 1, MIB, 0,
	    &a), -EINVAL);
	assert_int_equal(resv_add(&t, 100 * MIB, 5000, 1000 * MIB, 0, &a), 0);
	assert_int_equal(resv_add(&t, 100 * MIB, 5000, 1000 * MIB, 0, &b), 0);
	assert_int_equal(resv_add(&t, 100 * MIB, 5000, 1000 * MIB, 0, &c), 0);
	/* pending past its deadline: expired, back to the planner */
	resv_update(&t, 0, 4999);
	assert_int_equal(resv_find(&t, a)->state, RESV_PENDING);
	resv_update(&t, 100 * MIB, 5000);
	assert_int_equal(resv_find(&t, a)->state, RESV_EXPIRED);
	assert_int_equal(resv_find(&t, b)->state, RESV_EXPIRED);
	assert_int_equal(resv_held_kb(&t), 0);
	assert_int_equal(resv_release(&t, a, 5000), -EALREADY);
	assert_int_equal(resv_release(&t, 999, 5000), -ENOENT);
	/* cancel while pending */
	assert_int_equal(resv_add(&t, 100 * MIB, 5000, 1000 * MIB, 6000, &a),
	    0);
	assert_int_equal(resv_release(&t, a, 6100), 0);
	assert_int_equal(resv_find(&t, a)->state, RESV_CANCELLED);
	/* ready: held for another timeout, then expired if unused */
	assert_int_equal(resv_add(&t, 100 * MIB, 5000, 1000 * MIB, 7000, &b),
	    0);
	resv_update(&t, 100 * MIB, 8000);
	assert_int_equal(resv_find(&t, b)->state, RESV_READY);
	assert_int_equal(resv_find(&t, b)->deadline_ms, 13000);
	resv_update(&t, 0, 12999);
	assert_int_equal(resv_find(&t, b)->state, RESV_READY);
	resv_update(&t, 0, 13000);
	assert_int_equal(resv_find(&t, b)->state, RESV_EXPIRED);
	/* ended entries are kept RESV_KEEP_MS, then dropped */
	resv_update(&t, 0, 13000 + RESV_KEEP_MS);
	assert_null(resv_find(&t, b));
	/* a full table refuses, ended slots are reused */
	resv_init(&t);
	for (i = 0; i < RESV_MAX; i++)
		assert_int_equal(resv_add(&t, MIB, 1000, 1000 * MIB, 0,
		    &ids[i]), 0);
	assert_int_equal(resv_add(&t, MIB, 1000, 1000 * MIB, 0, &c), -EBUSY);
	assert_int_equal(resv_release(&t, ids[3], 1), 0);
	assert_int_equal(resv_add(&t, MIB, 1000, 1000 * MIB, 2, &c), 0);
	assert_true(c > ids[RESV_MAX - 1]);
}

/* Target the cagma planner sets for vms[0] with resv_kb held. */
static uint64_t
plan_with_hold(struct policy_vm *vms, size_t n, uint64_t free_mib,
    uint64_t hold_mib, size_t *n_out)
{
	struct policy_host host = { free_mib * MIB, 256 * MIB, 10000,
		hold_mib * MIB };
	struct vm_target out[8];
	size_t i;

	assert_int_equal(policy_decide(policy_find("cagma"), &cfg, &host,
	    vms, n, out, n_out), 0);
	for (i = 0; i < *n_out; i++)
		if (out[i].target_kb > vms[out[i].domid - 1].target_kb)
			fail_msg("domid %u grew while memory is held",
			    out[i].domid);
	return vms[0].plan_kb;
}

static void
test_planner_hold(void **state)
{
	struct policy_vm vms[2];
	size_t n = 0;

	(void)state;
	/* host at its reserve; 500 MiB held: taken above the need first
	 * (on top of this round's release step: no spare, no headroom) */
	vm_calm(&vms[0], 1, 2000, 800, 1000);
	assert_int_equal(plan_with_hold(vms, 1, 256, 500, &n),
	    (2000 - 50 - 500) * MIB);
	assert_int_equal(n, 1);
	/* 1500 MiB held: the need, then the slack down to the CMA, no more */
	vm_calm(&vms[0], 1, 2000, 800, 1000);
	assert_int_equal(plan_with_hold(vms, 1, 256, 1500, &n), 800 * MIB);
	vm_calm(&vms[0], 1, 2000, 800, 1000);
	assert_int_equal(plan_with_hold(vms, 1, 256, 5000, &n), 800 * MIB);
	/* the floor bounds it too */
	vm_calm(&vms[0], 1, 2000, 300, 1000);
	vms[0].floor_kb = 900 * MIB;
	assert_int_equal(plan_with_hold(vms, 1, 256, 5000, &n), 900 * MIB);
	/* spare memory, nothing held: a calm domain keeps its headroom;
	 * the same spare held: reclaimed down to the need first */
	vm_calm(&vms[0], 1, 2000, 800, 1000);
	assert_int_equal(plan_with_hold(vms, 1, 1256, 0, &n), 2000 * MIB);
	vm_calm(&vms[0], 1, 2000, 800, 1000);
	assert_int_equal(plan_with_hold(vms, 1, 1256, 1300, &n),
	    (2000 - 50 - 300) * MIB);
	/* a needy domain does not grow into held memory */
	vm_calm(&vms[0], 1, 2000, 800, 1000);
	vm_calm(&vms[1], 2, 500, 800, 1000);
	(void)plan_with_hold(vms, 2, 1256, 1000, &n);
	assert_true(vms[1].plan_kb <= 500 * MIB ||
	    vms[1].plan_reason == POLICY_R_NONE);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_fifo, setup),
		cmocka_unit_test_setup(test_refusal_figure, setup),
		cmocka_unit_test_setup(test_expiry_cancel, setup),
		cmocka_unit_test_setup(test_planner_hold, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
