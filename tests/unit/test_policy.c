/*
 * test_policy.c - the decision core (dom0/policy/): registry, the cagma
 * estimator, every planner rule, and each baseline policy on hand-worked
 * examples taken from the seeds' descriptions (issue #5).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "policy.h"

#define MIB	1024ULL
#define MB	977ULL

static struct policy_cfg cfg;

static void
vm_init(struct policy_vm *vm, uint32_t domid, uint64_t cur_mib,
    uint64_t max_mib)
{
	memset(vm, 0, sizeof(*vm));
	vm->domid = domid;
	vm->current_kb = vm->target_kb = cur_mib * MIB;
	vm->max_kb = max_mib * MIB;
	vm->weight = 100;
	vm->enabled = true;
	vm->state = VM_OK;
}

/* Optional fields the next feed() records carry (0: absent). */
static struct {
	uint64_t oom_kill, allocstall, wmark_low, psi_full_us;
} xtra;

/* Deliver a record (sizes in KiB) at t_ms through policy_observe(). */
static void
feed(const struct policy_ops *ops, struct policy_vm *vm, uint64_t t_ms,
    uint64_t total, uint64_t avail, uint64_t free_kb, uint64_t swap_used,
    uint64_t pswpin, int urgent)
{
	struct cg_record *r = &vm->rec;

	if (vm->has_rec) {
		vm->prev = vm->rec;
		vm->prev_ms = vm->rec_ms;
		vm->has_prev = true;
	}
	memset(r, 0, sizeof(*r));
	record_set(r, CG_F_V, 1);
	record_set(r, CG_F_MEM_TOTAL, total);
	record_set(r, CG_F_MEM_AVAIL, avail);
	record_set(r, CG_F_MEM_FREE, free_kb);
	record_set(r, CG_F_SWAP_TOTAL, 4096 * MIB);
	record_set(r, CG_F_SWAP_FREE, 4096 * MIB - swap_used);
	record_set(r, CG_F_PSWPIN, pswpin);
	record_set(r, CG_F_REFAULT, 0);
	record_set(r, CG_F_PSI_SOME_US, 0);
	record_set(r, CG_F_URGENT, (uint64_t)urgent);
	if (xtra.oom_kill)
		record_set(r, CG_F_OOM_KILL, xtra.oom_kill);
	if (xtra.allocstall)
		record_set(r, CG_F_ALLOCSTALL, xtra.allocstall);
	if (xtra.wmark_low)
		record_set(r, CG_F_WMARK_LOW, xtra.wmark_low);
	record_set(r, CG_F_PSI_FULL_US, xtra.psi_full_us);
	vm->has_rec = true;
	vm->rec_ms = t_ms;
	policy_observe(ops, &cfg, vm, t_ms);
}

static int
setup(void **state)
{
	(void)state;
	policy_cfg_default(&cfg);
	return 0;
}

static size_t
decide(const char *name, uint64_t free_mib, uint64_t reserve_mib,
    uint64_t now_ms, struct policy_vm *vms, size_t n, struct vm_target *out)
{
	struct policy_host host = { free_mib * MIB, reserve_mib * MIB, now_ms,
		0 };
	size_t n_out = 99;

	assert_int_equal(policy_decide(policy_find(name), &cfg, &host, vms, n,
	    out, &n_out), 0);
	return n_out;
}

/* --- registry ----------------------------------------------------------- */
static void
test_registry(void **state)
{
	static const char *const names[] = { "cagma", "cagma-paper",
		"threshold", "coordinator", "two-pointer", "gt-rules",
		"qmemman", "static" };
	size_t i;

	(void)state;
	assert_int_equal(policy_count(), 8);
	assert_ptr_equal(policy_all[0], policy_find("cagma"));
	for (i = 0; i < 8; i++) {
		assert_non_null(policy_find(names[i]));
		assert_string_equal(policy_find(names[i])->name, names[i]);
	}
	assert_null(policy_find("CAGMA"));
	assert_null(policy_find(""));
	assert_null(policy_find(NULL));
	assert_string_equal(policy_reason_str(POLICY_R_EMERGENCY),
	    "emergency");
	assert_string_equal(policy_reason_str(POLICY_R_COUNT), "?");
	assert_string_equal(policy_state_str(VM_UNCOOPERATIVE),
	    "uncooperative");
	assert_string_equal(policy_state_str(VM_NO_AGENT), "no-agent");
	assert_string_equal(policy_state_str((enum vm_state)99), "?");
	assert_int_equal(cfg.floor_kb, 256 * MIB);
	assert_int_equal(cfg.max_shrink_kb, 50 * MIB);
	assert_int_equal(cfg.hysteresis_kb, 8 * MIB);
}

static void
test_bad_args(void **state)
{
	struct policy_host host = { 0, 0, 0, 0 };
	struct policy_vm vm;
	struct vm_target out[1];
	size_t n_out = 7;

	(void)state;
	vm_init(&vm, 1, 512, 1024);
	assert_int_equal(policy_decide(NULL, &cfg, &host, &vm, 1, out,
	    &n_out), -EINVAL);
	assert_int_equal(policy_decide(policy_all[0], &cfg, &host, NULL, 1,
	    out, &n_out), -EINVAL);
	assert_int_equal(policy_decide(policy_all[0], &cfg, &host, &vm, 1,
	    NULL, &n_out), -EINVAL);
	assert_int_equal(n_out, 7);
	assert_int_equal(policy_decide(policy_all[0], &cfg, &host, NULL, 0,
	    NULL, &n_out), 0);
	assert_int_equal(n_out, 0);
}

/* --- estimator ---------------------------------------------------------- */
static void
test_est_calm(void **state)
{
	const struct policy_ops *ops = policy_find("cagma");
	struct policy_vm vm;

	(void)state;
	vm_init(&vm, 1, 1024, 2048);
	/* used = 1000 - 700 = 300 MiB; slack = max(64 MiB, 10 %) */
	feed(ops, &vm, 1000, 1000 * MIB, 700 * MIB, 600 * MIB, 0, 0, 0);
	assert_int_equal(vm.est.used_kb, 300 * MIB);
	assert_int_equal(vm.est.cma_kb, 300 * MIB);
	/* + 24 MiB the guest does not see (1024 MiB balloon, 1000 MemTotal) */
	assert_int_equal(vm.est.overhead_kb, 24 * MIB);
	assert_int_equal(vm.est.need_kb, (364 + 24) * MIB);
	assert_false(vm.est.pressure);
	/* big guest: slack 10 % of 1000 MiB = 100 MiB */
	feed(ops, &vm, 2000, 2000 * MIB, 1000 * MIB, 900 * MIB, 0, 0, 0);
	assert_int_equal(vm.est.cma_kb, 1000 * MIB);
	/* used grew 700 MiB in 1 s: lookahead 2 s, capped at 100 % of CMA */
	assert_int_equal(vm.est.need_kb, 2100 * MIB);
	/* growing past its target (1024 MiB): plan now, not at the timer */
	assert_true(vm.est.act_now);
	assert_true(policy_act_now(&vm));
	/* flat again: no lookahead, no early round; what a shrink keeps
	 * is the rise's highest need ... */
	feed(ops, &vm, 3000, 2000 * MIB, 1000 * MIB, 900 * MIB, 0, 0, 0);
	assert_int_equal(vm.est.need_kb, 1100 * MIB);
	assert_int_equal(vm.est.rise_need_kb, 2100 * MIB);
	assert_false(policy_act_now(&vm));
	/* ... until the rise is over (flat for 2 s) */
	feed(ops, &vm, 5000, 2000 * MIB, 1000 * MIB, 900 * MIB, 0, 0, 0);
	assert_int_equal(vm.est.rise_need_kb, 0);
	assert_false(policy_act_now(&vm));
}

/* Kernel overhead: measured only when settled, capped, kept otherwise. */
static void
test_est_overhead(void **state)
{
	const struct policy_ops *ops = policy_find("cagma");
	struct policy_vm vm;
	struct vm_target out[1];

	(void)state;
	vm_init(&vm, 1, 512, 2048);
	/* the lab: MemTotal = balloon current - 68 MiB */
	feed(ops, &vm, 1000, 444 * MIB, 300 * MIB, 250 * MIB, 0, 0, 0);
	assert_int_equal(vm.est.overhead_kb, 68 * MIB);
	/* the balloon target is the guest's need plus what it cannot see */
	assert_int_equal(vm.est.need_kb, (144 + 64 + 68) * MIB);
	/* ballooning (current far from target): keep the settled figure */
	vm.target_kb = 1024 * MIB;
	feed(ops, &vm, 1100, 600 * MIB, 456 * MIB, 400 * MIB, 0, 0, 0);
	assert_int_equal(vm.est.overhead_kb, 68 * MIB);
	/* a guest that hides memory gains at most max(128 MiB, current/8) */
	vm.target_kb = vm.current_kb;
	feed(ops, &vm, 1200, 100 * MIB, 90 * MIB, 80 * MIB, 0, 0, 0);
	assert_int_equal(vm.est.overhead_kb, 128 * MIB);
	/* emergencies are granted CMA + overhead, not guest-space CMA */
	vm_init(&vm, 2, 512, 2048);
	feed(ops, &vm, 1000, 444 * MIB, 10 * MIB, 5 * MIB, 100 * MIB, 0, 0);
	feed(ops, &vm, 2000, 444 * MIB, 10 * MIB, 5 * MIB, 100 * MIB, 500, 1);
	assert_int_equal(decide("cagma", 4096, 256, 2000, &vm, 1, out), 1);
	assert_true(out[0].target_kb >= vm.est.cma_kb + 68 * MIB);
}

static void
test_est_fast_increase(void **state)
{
	const struct policy_ops *ops = policy_find("cagma");
	struct policy_vm vm;

	(void)state;
	vm_init(&vm, 1, 512, 2048);
	feed(ops, &vm, 1000, 512 * MIB, 100 * MIB, 90 * MIB, 200 * MIB, 0, 0);
	/* calm: swap in use is cold, not counted */
	assert_int_equal(vm.est.cma_kb, 412 * MIB);
	/* 500 swap-ins in 500 ms: swap is hot, CMA = used + swap used */
	feed(ops, &vm, 1500, 512 * MIB, 20 * MIB, 10 * MIB, 300 * MIB, 500, 0);
	assert_int_equal(vm.est.swapin_rate, 1000);
	assert_true(vm.est.pressure);
	assert_int_equal(vm.est.cma_kb, (492 + 300) * MIB);
	assert_int_equal(vm.est.last_pressure_ms, 1500);
	/* an urgent flag alone (no counter shows why) is not pressure */
	vm_init(&vm, 2, 512, 2048);
	feed(ops, &vm, 1000, 512 * MIB, 12 * MIB, 8 * MIB, 0, 0, 1);
	assert_false(vm.est.pressure);
	assert_int_equal(vm.est.cma_kb, 500 * MIB);
}

/*
 * Swap-ins are pressure when the guest is tight (MemAvailable below its
 * slack) or, when many (>= 256 pages/s), when more is in swap than it has
 * available; pages coming back into available memory are not.
 */
static void
test_est_swapin_trickle(void **state)
{
	const struct policy_ops *ops = policy_find("cagma");
	struct policy_vm vm;
	uint64_t t;

	(void)state;
	vm_init(&vm, 1, 2048, 2048);
	feed(ops, &vm, 1000, 2048 * MIB, 1800 * MIB, 1700 * MIB, 900 * MIB,
	    0, 0);
	for (t = 2000; t < 100000; t += 1000) {
		feed(ops, &vm, t, 2048 * MIB, 1800 * MIB, 1700 * MIB,
		    900 * MIB, t / 100, 1);		/* 10 pages/s */
		assert_false(vm.est.pressure);
	}
	assert_int_equal(vm.est.cma_kb, 248 * MIB);	/* used, no swap */
	/* the same trickle while tight is pressure; a flood is, always */
	feed(ops, &vm, 100000, 2048 * MIB, 20 * MIB, 10 * MIB, 900 * MIB,
	    1010, 1);
	assert_true(vm.est.pressure);
	vm_init(&vm, 2, 2048, 4096);
	feed(ops, &vm, 1000, 2048 * MIB, 1800 * MIB, 1700 * MIB, 1900 * MIB,
	    0, 0);
	feed(ops, &vm, 2000, 2048 * MIB, 1800 * MIB, 1700 * MIB, 1900 * MIB,
	    300, 1);
	assert_true(vm.est.pressure);	/* more in swap than available */
	assert_int_equal(vm.est.cma_kb, (248 + 1900) * MIB);
	/* a flood into memory the guest has available is not pressure */
	feed(ops, &vm, 3000, 2048 * MIB, 1800 * MIB, 1700 * MIB, 900 * MIB,
	    600, 1);
	assert_false(vm.est.pressure);
}

/*
 * Without swap: an OOM kill (the guest needed all it had and more), a
 * direct-reclaim stall, PSI full, MemAvailable at the low watermark are
 * pressure; without them the same guest is calm.
 */
static void
test_est_exhaustion_signals(void **state)
{
	const struct policy_ops *ops = policy_find("cagma");
	struct policy_vm vm;

	(void)state;
	memset(&xtra, 0, sizeof(xtra));
	vm_init(&vm, 1, 1024, 2048);
	xtra.oom_kill = 1;
	feed(ops, &vm, 1000, 1024 * MIB, 500 * MIB, 400 * MIB, 0, 0, 0);
	assert_false(vm.est.pressure);			/* no interval yet */
	xtra.oom_kill = 2;				/* a kill */
	feed(ops, &vm, 2000, 1024 * MIB, 500 * MIB, 400 * MIB, 0, 0, 1);
	assert_true(vm.est.pressure);
	assert_int_equal(vm.est.oom_kills, 1);
	/* needed more than all it had: MemTotal + 10 % */
	assert_int_equal(vm.est.cma_kb, 1024 * MIB + 1024 * MIB / 10);
	feed(ops, &vm, 3000, 1024 * MIB, 500 * MIB, 400 * MIB, 0, 0, 0);
	assert_false(vm.est.pressure);			/* no new kill */
	xtra.allocstall = 5;
	feed(ops, &vm, 4000, 1024 * MIB, 500 * MIB, 400 * MIB, 0, 0, 0);
	xtra.allocstall = 9;				/* 4 stalls/s */
	feed(ops, &vm, 5000, 1024 * MIB, 500 * MIB, 400 * MIB, 0, 0, 1);
	assert_true(vm.est.pressure);
	feed(ops, &vm, 6000, 1024 * MIB, 500 * MIB, 400 * MIB, 0, 0, 0);
	assert_false(vm.est.pressure);
	xtra.psi_full_us = 20000;			/* 2 % of 1 s */
	feed(ops, &vm, 7000, 1024 * MIB, 500 * MIB, 400 * MIB, 0, 0, 0);
	assert_true(vm.est.pressure);
	feed(ops, &vm, 8000, 1024 * MIB, 500 * MIB, 400 * MIB, 0, 0, 0);
	assert_false(vm.est.pressure);
	xtra.wmark_low = 20 * MIB;			/* line: 40 MiB */
	feed(ops, &vm, 9000, 1024 * MIB, 41 * MIB, 30 * MIB, 0, 0, 0);
	assert_false(vm.est.pressure);
	feed(ops, &vm, 10000, 1024 * MIB, 39 * MIB, 30 * MIB, 0, 0, 1);
	assert_true(vm.est.pressure);
	assert_true(vm.est.lowmem);
	memset(&xtra, 0, sizeof(xtra));
}

/*
 * A job ended: used fell by >= 256 MiB (or 25 % of the CMA) in one
 * record interval.  The estimate follows at once instead of holding 30 s;
 * a slow fall still holds, then decays.
 */
static void
test_est_sharp_fall(void **state)
{
	const struct policy_ops *ops = policy_find("cagma");
	struct policy_vm vm;

	(void)state;
	vm_init(&vm, 1, 2048, 2048);
	feed(ops, &vm, 1000, 2048 * MIB, 148 * MIB, 100 * MIB, 0, 0, 0);
	assert_int_equal(vm.est.cma_kb, 1900 * MIB);
	feed(ops, &vm, 2000, 2048 * MIB, 1848 * MIB, 1800 * MIB, 0, 0, 0);
	assert_true(vm.est.dropped);
	assert_int_equal(vm.est.cma_kb, 200 * MIB);
	assert_true(vm.est.need_kb < 300 * MIB);
	/* a fall below the threshold is not a job ending: held */
	vm_init(&vm, 2, 2048, 2048);
	feed(ops, &vm, 1000, 2048 * MIB, 148 * MIB, 100 * MIB, 0, 0, 0);
	feed(ops, &vm, 2000, 2048 * MIB, 348 * MIB, 300 * MIB, 0, 0, 0);
	assert_false(vm.est.dropped);
	assert_int_equal(vm.est.cma_kb, 1900 * MIB);
	/* ... but it is once the fall goes on past it in the next record
	 * (a big process exits over more than one interval) */
	feed(ops, &vm, 3000, 2048 * MIB, 548 * MIB, 500 * MIB, 0, 0, 0);
	assert_true(vm.est.dropped);
	assert_int_equal(vm.est.cma_kb, 1500 * MIB);
	/* a rise in between starts the count again */
	feed(ops, &vm, 4000, 2048 * MIB, 500 * MIB, 450 * MIB, 0, 0, 0);
	feed(ops, &vm, 5000, 2048 * MIB, 700 * MIB, 650 * MIB, 0, 0, 0);
	assert_false(vm.est.dropped);
}

/*
 * The record that shows a job's end also carries the stalls of its last
 * interval (PSI full, direct reclaim): with memory now ample they are the
 * ended job's, so the fall is followed (seen on Xen: the CMA stayed at
 * 800 MiB after a 900 MiB job ended, and the memory came back only with
 * the slow decay).  An OOM kill is not a job ending.
 */
static void
test_est_fall_with_stalls(void **state)
{
	const struct policy_ops *ops = policy_find("cagma");
	struct policy_vm vm;

	(void)state;
	memset(&xtra, 0, sizeof(xtra));
	vm_init(&vm, 1, 1024, 2048);
	feed(ops, &vm, 1000, 1024 * MIB, 100 * MIB, 60 * MIB, 0, 0, 0);
	xtra.psi_full_us = 50000;			/* 5 % of 1 s */
	xtra.allocstall = 40;
	feed(ops, &vm, 2000, 1024 * MIB, 900 * MIB, 860 * MIB, 0, 0, 1);
	assert_true(vm.est.dropped);
	assert_false(vm.est.pressure);
	assert_int_equal(vm.est.cma_kb, 124 * MIB);
	/* the same fall with a kill: pressure (needed more than it had) */
	memset(&xtra, 0, sizeof(xtra));
	vm_init(&vm, 2, 1024, 2048);
	xtra.oom_kill = 1;
	feed(ops, &vm, 1000, 1024 * MIB, 100 * MIB, 60 * MIB, 0, 0, 0);
	xtra.oom_kill = 2;
	feed(ops, &vm, 2000, 1024 * MIB, 900 * MIB, 860 * MIB, 0, 0, 1);
	assert_false(vm.est.dropped);
	assert_true(vm.est.pressure);
	memset(&xtra, 0, sizeof(xtra));
}

static void
test_est_hold_then_slow_decay(void **state)
{
	const struct policy_ops *ops = policy_find("cagma");
	struct policy_vm vm;
	uint64_t t, at_hold;

	(void)state;
	vm_init(&vm, 1, 1024, 2048);
	feed(ops, &vm, 1000, 1024 * MIB, 24 * MIB, 20 * MIB, 400 * MIB, 0, 0);
	feed(ops, &vm, 2000, 1024 * MIB, 24 * MIB, 20 * MIB, 400 * MIB, 100,
	    0);
	assert_int_equal(vm.est.cma_kb, 1400 * MIB);
	/* demand falls by 200 MiB (not a job ending): held for 30 s */
	for (t = 3000; t < 32000; t += 1000)
		feed(ops, &vm, t, 1024 * MIB, 224 * MIB, 200 * MIB, 0, 100, 0);
	assert_int_equal(vm.est.cma_kb, 1400 * MIB);
	at_hold = vm.est.cma_kb;
	/* then decays with tau 60 s: after 60 s, about 1/e of the gap left */
	for (t = 32000; t <= 92000; t += 1000)
		feed(ops, &vm, t, 1024 * MIB, 224 * MIB, 200 * MIB, 0, 100, 0);
	assert_true(vm.est.cma_kb < at_hold);
	assert_true(vm.est.cma_kb > 800 * MIB + 600 * MIB * 30 / 100);
	assert_true(vm.est.cma_kb < 800 * MIB + 600 * MIB * 40 / 100);
	/* pressure again: back up at once */
	feed(ops, &vm, 93000, 1024 * MIB, 4 * MIB, 2 * MIB, 300 * MIB, 200, 0);
	assert_int_equal(vm.est.cma_kb, 1320 * MIB);
}

static void
test_est_counter_reset(void **state)
{
	const struct policy_ops *ops = policy_find("cagma");
	struct policy_vm vm;

	(void)state;
	vm_init(&vm, 1, 1024, 2048);
	feed(ops, &vm, 1000, 1024 * MIB, 824 * MIB, 800 * MIB, 0, 5000, 0);
	/* guest rebooted: counter went back, rate 0, not a huge number */
	feed(ops, &vm, 2000, 1024 * MIB, 824 * MIB, 800 * MIB, 0, 10, 0);
	assert_int_equal(vm.est.swapin_rate, 0);
	assert_false(vm.est.pressure);
	/* same arrival time: no division by zero */
	feed(ops, &vm, 2000, 1024 * MIB, 824 * MIB, 800 * MIB, 0, 20, 0);
	assert_int_equal(vm.est.swapin_rate, 0);
}

/* --- planner rules (cagma) ---------------------------------------------- */
/* Give vm a settled estimate: need = need_mib, optional pressure. */
static void
set_need(struct policy_vm *vm, uint64_t need_mib, bool pressure)
{
	vm->has_rec = true;
	vm->est.need_kb = need_mib * MIB;
	vm->est.cma_kb = need_mib * MIB;
	vm->est.pressure = pressure;
}

static void
test_plan_emergency_first(void **state)
{
	struct policy_vm vms[2];
	struct vm_target out[2];
	size_t n;

	(void)state;
	vm_init(&vms[0], 1, 512, 4096);
	vm_init(&vms[1], 2, 512, 4096);
	set_need(&vms[0], 900, false);	/* ordinary grow, listed first */
	set_need(&vms[1], 800, true);	/* emergency */
	/* host can give 288 MiB above the reserve: all to the emergency */
	n = decide("cagma", 544, 256, 0, vms, 2, out);
	assert_int_equal(n, 1);
	assert_int_equal(out[0].domid, 2);
	assert_int_equal(out[0].target_kb, 800 * MIB);
	assert_int_equal(out[0].reason, POLICY_R_EMERGENCY);
	/* with room for both: emergency listed before the ordinary grow */
	n = decide("cagma", 2000, 256, 0, vms, 2, out);
	assert_int_equal(n, 2);
	assert_int_equal(out[0].domid, 2);
	assert_int_equal(out[1].domid, 1);
	assert_int_equal(out[1].target_kb, 900 * MIB);
	assert_int_equal(out[1].reason, POLICY_R_GROW);
}

static void
test_plan_donors_first_gradual(void **state)
{
	struct policy_vm vms[2];
	struct vm_target out[2];
	size_t n;

	(void)state;
	vm_init(&vms[0], 1, 512, 4096);
	vm_init(&vms[1], 2, 2048, 4096);
	set_need(&vms[0], 600, false);
	set_need(&vms[1], 400, false);
	n = decide("cagma", 1000, 256, 0, vms, 2, out);
	assert_int_equal(n, 2);
	/* donor first, one 50 MiB step only (50 MiB/s) */
	assert_int_equal(out[0].domid, 2);
	assert_int_equal(out[0].target_kb, (2048 - 50) * MIB);
	assert_int_equal(out[0].reason, POLICY_R_SHRINK);
	assert_int_equal(out[1].domid, 1);
	assert_int_equal(out[1].target_kb, 600 * MIB);
	/* a donor under pressure is never shrunk */
	vms[1].est.pressure = true;
	n = decide("cagma", 1000, 256, 0, vms, 2, out);
	assert_int_equal(n, 1);
	assert_int_equal(out[0].domid, 1);
}

/* Gradual shrink: one step per interval, and only after the last landed. */
static void
test_plan_shrink_paced(void **state)
{
	struct policy_vm vm;
	struct vm_target out[1];

	(void)state;
	vm_init(&vm, 1, 2048, 4096);
	set_need(&vm, 400, false);
	assert_int_equal(decide("cagma", 1000, 256, 1000, &vm, 1, out), 1);
	assert_int_equal(out[0].target_kb, (2048 - 50) * MIB);
	vm.target_kb = out[0].target_kb;	/* balloon has not moved yet */
	assert_int_equal(decide("cagma", 1000, 256, 3000, &vm, 1, out), 0);
	vm.current_kb = vm.target_kb;		/* the step landed */
	assert_int_equal(decide("cagma", 1000, 256, 3500, &vm, 1, out), 1);
	assert_int_equal(out[0].target_kb, (2048 - 100) * MIB);
	vm.current_kb = vm.target_kb = out[0].target_kb;
	/* within the interval (1 s by default): no further step */
	assert_int_equal(decide("cagma", 1000, 256, 3900, &vm, 1, out), 0);
	assert_int_equal(decide("cagma", 1000, 256, 4500, &vm, 1, out), 1);
	assert_int_equal(out[0].target_kb, (2048 - 150) * MIB);
}

static void
test_plan_inflight_counted_once(void **state)
{
	struct policy_vm vms[2];
	struct vm_target out[2];
	size_t n;

	(void)state;
	vm_init(&vms[0], 1, 512, 4096);
	vms[0].target_kb = 1112 * MIB;	/* 600 MiB still to arrive */
	set_need(&vms[0], 1112, false);
	vm_init(&vms[1], 2, 512, 4096);
	set_need(&vms[1], 1012, false);
	/* free 1024 - reserve 256 - in flight 600 = 168 MiB to give */
	n = decide("cagma", 1024, 256, 0, vms, 2, out);
	assert_int_equal(n, 1);
	assert_int_equal(out[0].domid, 2);
	assert_int_equal(out[0].target_kb, 680 * MIB);
	/* a second round with that grow in flight gives nothing more */
	vms[1].target_kb = out[0].target_kb;
	n = decide("cagma", 1024, 256, 0, vms, 2, out);
	assert_int_equal(n, 0);
}

static void
test_plan_reserve_reclaim(void **state)
{
	struct policy_vm vms[3];
	struct vm_target out[3];
	size_t n, i;

	(void)state;
	vm_init(&vms[0], 1, 2048, 4096);
	set_need(&vms[0], 1000, false);
	vm_init(&vms[1], 2, 1024, 4096);
	set_need(&vms[1], 1500, true);	/* wants 476 MiB now */
	vm_init(&vms[2], 3, 1024, 4096);
	set_need(&vms[2], 1000, false);
	/* host 100 MiB free, reserve 256: 156 below; nothing granted; the
	 * donors give back what is missing (156 + 476 = 632 MiB) at once,
	 * not just a 50 MiB step */
	n = decide("cagma", 100, 256, 0, vms, 3, out);
	for (i = 0; i < n; i++)
		assert_true(out[i].target_kb < (i == 0 ? 2048 : 1024) * MIB);
	assert_int_equal(n, 2);
	assert_int_equal(out[0].domid, 1);
	assert_int_equal(out[0].reason, POLICY_R_RECLAIM);
	assert_int_equal(out[0].target_kb, (2048 - 50 - 632) * MIB);
	assert_int_equal(out[1].domid, 3);
	assert_int_equal(out[1].target_kb, 1000 * MIB);
	assert_int_equal(out[1].reason, POLICY_R_SHRINK);
}

static void
test_plan_cma_guaranteed_before_slack(void **state)
{
	struct policy_vm vms[3];
	struct vm_target out[3];
	uint64_t cur[3] = { 648, 567, 256 }, cma[3] = { 648, 600, 246 };
	size_t n, i;

	(void)state;
	for (i = 0; i < 3; i++) {
		vm_init(&vms[i], (uint32_t)i + 1, cur[i], 2500);
		set_need(&vms[i], cma[i] + 64, i < 2);
		vms[i].est.cma_kb = cma[i] * MIB;
	}
	/* 65 MiB above the reserve; both emergencies want their slack too:
	 * vm2 (below its CMA) is served to its CMA first */
	n = decide("cagma", 1792 - 1471, 256, 0, vms, 3, out);
	assert_int_equal(n, 2);
	assert_int_equal(out[1].domid, 2);
	assert_int_equal(out[1].target_kb, 600 * MIB);
	assert_int_equal(out[0].domid, 1);
	assert_int_equal(out[0].target_kb, 680 * MIB);
	/* no free memory: vm2, 33 MiB short of its CMA, takes that much of
	 * vm1's slack (vm1 is under pressure too, but holds 64 MiB above its
	 * CMA); vm2's slack is not worth taking a CMA from anyone */
	vms[0].current_kb = vms[0].target_kb = 712 * MIB;
	n = decide("cagma", 256, 256, 0, vms, 3, out);
	assert_int_equal(n, 1);
	assert_int_equal(out[0].domid, 1);
	assert_int_equal(out[0].reason, POLICY_R_RECLAIM);
	assert_int_equal(out[0].target_kb, (712 - 33) * MIB);
}

/*
 * Burst headroom: a calm donor keeps its need plus headroom_pct of it, but
 * only out of spare memory; reclaim for the reserve ignores it.
 */
/*
 * headroom = auto: a donor keeps what a repeat of its burst would lack
 * before its balloon catches up (S x (1 - b/r) + r x 1 s), the prior
 * 100 % of the need until burst and balloon are measured.
 */
static void
test_plan_auto_headroom(void **state)
{
	struct policy_vm vm;
	struct vm_target out[1];

	(void)state;
	cfg.headroom_pct = POLICY_HEADROOM_AUTO;
	cfg.max_shrink_kb = 4096 * MIB;
	/* unmeasured: keeps need + 100 % (400 + 400) */
	vm_init(&vm, 1, 2048, 4096);
	set_need(&vm, 400, false);
	assert_int_equal(decide("cagma", 8192, 256, 10000, &vm, 1, out), 1);
	assert_int_equal(out[0].target_kb, 800 * MIB);
	/* a 1024 MiB burst at 200 MiB/s, balloon 100 MiB/s: 512 + 200 */
	vm_init(&vm, 1, 2048, 4096);
	set_need(&vm, 400, false);
	vm.est.burst_kb = 1024 * MIB;
	vm.est.burst_kbps = 200 * MIB;
	vm.balloon_up_kbps = 100 * MIB;
	assert_int_equal(decide("cagma", 8192, 256, 10000, &vm, 1, out), 1);
	assert_int_equal(out[0].target_kb, (400 + 512 + 200) * MIB);
	/* a balloon faster than the burst: only the reaction time */
	vm_init(&vm, 1, 2048, 4096);
	set_need(&vm, 400, false);
	vm.est.burst_kb = 1024 * MIB;
	vm.est.burst_kbps = 50 * MIB;
	vm.balloon_up_kbps = 500 * MIB;
	assert_int_equal(decide("cagma", 8192, 256, 10000, &vm, 1, out), 1);
	assert_int_equal(out[0].target_kb, (400 + 50) * MIB);
}

/* Bursts are remembered fast up, slow down (10 min). */
static void
test_est_burst_memory(void **state)
{
	const struct policy_ops *ops = policy_find("cagma");
	struct policy_vm vm;
	uint64_t t, used;

	(void)state;
	vm_init(&vm, 1, 4096, 4096);
	feed(ops, &vm, 1000, 4096 * MIB, 3896 * MIB, 3800 * MIB, 0, 0, 0);
	for (t = 2000, used = 200; t <= 7000; t += 1000, used += 200)
		feed(ops, &vm, t, 4096 * MIB, (4096 - used) * MIB,
		    (4000 - used) * MIB, 0, 0, 0);	/* 200 MiB/s rise */
	assert_int_equal(vm.est.burst_kb, 1000 * MIB);
	assert_int_equal(vm.est.burst_kbps, 200 * MIB);
	for (; t <= 10000; t += 1000)		/* calm: kept */
		feed(ops, &vm, t, 4096 * MIB, 2896 * MIB, 2800 * MIB, 0, 0, 0);
	assert_true(vm.est.burst_kb > 990 * MIB);
	for (; t <= 610000; t += 10000)		/* 10 min later: decayed */
		feed(ops, &vm, t, 4096 * MIB, 2896 * MIB, 2800 * MIB, 0, 0, 0);
	assert_true(vm.est.burst_kb < 1000 * MIB / 2);
}

/*
 * A job allocating in steps (the Xen lab's hog: +20 MiB, then +2 MiB, ...):
 * the need's lookahead comes and goes with each record's growth.  During
 * the rise the need does not fall, so the target only grows (it went down
 * and up round after round); once the rise has been over for
 * CAGMA_RISE_END_MS (2 s) the lookahead goes and the guest gives it back.
 */
static void
test_plan_rise_no_flap(void **state)
{
	const struct policy_ops *ops = policy_find("cagma");
	struct policy_vm vm;
	struct vm_target out[1];
	uint64_t t, used = 300, top = 0;
	int i;

	(void)state;
	cfg.headroom_pct = 0;
	vm_init(&vm, 1, 300, 4096);
	for (t = 1000, i = 0; i < 20; i++, t += 1000) {
		feed(ops, &vm, t, 2000 * MIB, (2000 - used) * MIB,
		    (1900 - used) * MIB, 0, 0, 0);
		if (decide("cagma", 3000, 256, t, &vm, 1, out) == 1) {
			assert_true(out[0].target_kb > vm.target_kb);
			vm.target_kb = vm.current_kb = out[0].target_kb;
		}
		top = vm.target_kb;
		used += i % 2 ? 2 : 20;
	}
	used -= 2;
	for (i = 0; i < 2; i++, t += 1000) {	/* flat, the rise not over */
		feed(ops, &vm, t, 2000 * MIB, (2000 - used) * MIB,
		    (1900 - used) * MIB, 0, 0, 0);
		assert_int_equal(decide("cagma", 3000, 256, t, &vm, 1, out), 0);
	}
	feed(ops, &vm, t, 2000 * MIB, (2000 - used) * MIB,
	    (1900 - used) * MIB, 0, 0, 0);	/* 2 s flat: over */
	assert_int_equal(decide("cagma", 3000, 256, t, &vm, 1, out), 1);
	assert_int_equal(out[0].reason, POLICY_R_SHRINK);
	assert_true(out[0].target_kb < top);
	assert_true(out[0].target_kb >= vm.est.need_kb);
}

/*
 * A rise's lookahead that did not come true is not headroom.  A guest at
 * 1024 MiB (MemTotal 1000) whose used memory rose 300 -> 700 MiB in one
 * second got the lookahead's need (CMA 700 + slack 70 + lookahead 700 +
 * overhead 24 = 1494 MiB); the rise then ends and the guest, calm, keeps
 * what it held before the rise plus the rise (1024 + 400 = 1424 MiB) as
 * headroom, not the 1494 MiB.  Its measured bursts (400 MiB/s against a
 * 512 MiB/s balloon: 400 MiB of headroom) need less than that.  With no
 * balloon speed measured yet, the prior headroom (100 % of the need) keeps
 * all of it, as before.
 */
static void
test_plan_rise_overshoot_back(void **state)
{
	const struct policy_ops *ops = policy_find("cagma");
	struct policy_vm vm;
	struct vm_target out[1];
	uint64_t t, low;
	int measured;

	(void)state;
	for (measured = 1; measured >= 0; measured--) {
		vm_init(&vm, 1, 1024, 4096);
		vm.balloon_up_kbps = measured ? 512 * MIB : 0;
		feed(ops, &vm, 1000, 1000 * MIB, 700 * MIB, 600 * MIB, 0, 0,
		    0);
		feed(ops, &vm, 2000, 1000 * MIB, 700 * MIB, 600 * MIB, 0, 0,
		    0);
		feed(ops, &vm, 3000, 1000 * MIB, 300 * MIB, 200 * MIB, 0, 0,
		    0);
		assert_int_equal(vm.est.need_kb, 1494 * MIB);
		assert_int_equal(decide("cagma", 3000, 256, 3000, &vm, 1, out),
		    1);
		assert_int_equal(out[0].target_kb, 1494 * MIB);
		vm.target_kb = vm.current_kb = out[0].target_kb;
		low = vm.target_kb;
		for (t = 4000; t <= 12000; t += 1000) {
			feed(ops, &vm, t, 1000 * MIB, 300 * MIB, 200 * MIB, 0,
			    0, 0);
			if (decide("cagma", 3000, 256, t, &vm, 1, out) == 1) {
				assert_int_equal(out[0].reason,
				    POLICY_R_SHRINK);
				vm.target_kb = vm.current_kb = out[0].target_kb;
			}
			low = vm.target_kb < low ? vm.target_kb : low;
		}
		assert_int_equal(vm.est.rise_need_kb, 0);
		assert_int_equal(vm.est.held_cap_kb, 1424 * MIB);
		assert_int_equal(low, measured ? 1424 * MIB : 1494 * MIB);
	}
	/* pressure: what the guest holds is needed, the cap goes */
	xtra.allocstall = 5;
	feed(ops, &vm, 13000, 1000 * MIB, 300 * MIB, 200 * MIB, 0, 0, 0);
	xtra.allocstall = 9;				/* 4 stalls/s */
	feed(ops, &vm, 14000, 1000 * MIB, 300 * MIB, 200 * MIB, 0, 0, 0);
	xtra.allocstall = 0;
	assert_true(vm.est.pressure);
	assert_int_equal(vm.est.held_cap_kb, 0);
}

/*
 * The agent publishes several records a second: a rise of 10 MiB/s shows
 * as +2 MiB per record, each below CAGMA_RISE_MIN_KB (4 MiB).  It is
 * still a rise (the growth since the calm point counts), and it ends
 * once the demand has been flat for CAGMA_RISE_END_MS.
 */
static void
test_est_rise_fast_records(void **state)
{
	const struct policy_ops *ops = policy_find("cagma");
	struct policy_vm vm;
	uint64_t t, used = 300;

	(void)state;
	vm_init(&vm, 1, 2048, 4096);
	for (t = 1000; t <= 5000; t += 200, used += 2)
		feed(ops, &vm, t, 2000 * MIB, (2000 - used) * MIB,
		    (1900 - used) * MIB, 0, 0, 0);
	assert_true(vm.est.rise_need_kb > 0);
	assert_true(vm.est.burst_kb >= 30 * MIB);
	used -= 2;
	for (; t <= 7200; t += 200)		/* flat 2 s and more */
		feed(ops, &vm, t, 2000 * MIB, (2000 - used) * MIB,
		    (1900 - used) * MIB, 0, 0, 0);
	assert_int_equal(vm.est.rise_need_kb, 0);
}

static void
test_plan_burst_headroom(void **state)
{
	struct policy_vm vms[2];
	struct vm_target out[2];

	(void)state;
	assert_int_equal(cfg.headroom_pct, 100);
	vm_init(&vms[0], 1, 840, 4096);
	set_need(&vms[0], 400, false);
	/* plenty spare: keeps 400 + 100 % = 800 MiB */
	assert_int_equal(decide("cagma", 4096, 256, 0, vms, 1, out), 1);
	assert_int_equal(out[0].target_kb, 800 * MIB);
	assert_int_equal(out[0].reason, POLICY_R_SHRINK);
	vms[0].current_kb = vms[0].target_kb = 800 * MIB;
	assert_int_equal(decide("cagma", 4096, 256, 5000, vms, 1, out), 0);
	/* headroom is no reason to grow */
	vms[0].current_kb = vms[0].target_kb = 600 * MIB;
	assert_int_equal(decide("cagma", 4096, 256, 10000, vms, 1, out), 0);
	/* without headroom: shrink toward the need (one 50 MiB step) */
	cfg.headroom_pct = 0;
	vms[0].current_kb = vms[0].target_kb = 840 * MIB;
	assert_int_equal(decide("cagma", 4096, 256, 15000, vms, 1, out), 1);
	assert_int_equal(out[0].target_kb, (840 - 50) * MIB);
	/* two donors with 400 MiB headroom each, the host 200 MiB spare:
	 * each keeps 200 / 800 of its headroom */
	cfg.headroom_pct = 100;
	cfg.max_shrink_kb = 1024 * MIB;
	vm_init(&vms[1], 2, 840, 4096);
	set_need(&vms[1], 400, false);
	vms[0].est.last_shrink_ms = 0;
	assert_int_equal(decide("cagma", 456, 256, 20000, vms, 2, out), 2);
	assert_int_equal(out[0].target_kb, 500 * MIB);
	assert_int_equal(out[1].target_kb, 500 * MIB);
	/* host below its reserve: reclaim goes under the headroom */
	cfg.max_shrink_kb = 64 * MIB;
	vms[0].est.last_shrink_ms = vms[1].est.last_shrink_ms = 0;
	assert_int_equal(decide("cagma", 100, 256, 30000, vms, 1, out), 1);
	assert_int_equal(out[0].target_kb, (840 - 64 - 156) * MIB);
	assert_int_equal(out[0].reason, POLICY_R_RECLAIM);
}

static void
test_plan_hysteresis(void **state)
{
	struct policy_vm vm;
	struct vm_target out[1];

	(void)state;
	vm_init(&vm, 1, 1024, 4096);
	set_need(&vm, 1030, false);	/* +6 MiB < 8 MiB hysteresis */
	assert_int_equal(decide("cagma", 2048, 256, 0, &vm, 1, out), 0);
	set_need(&vm, 1020, false);	/* -4 MiB */
	assert_int_equal(decide("cagma", 2048, 256, 0, &vm, 1, out), 0);
	set_need(&vm, 1030, true);	/* emergencies skip hysteresis */
	assert_int_equal(decide("cagma", 2048, 256, 0, &vm, 1, out), 1);
	assert_int_equal(out[0].target_kb, 1030 * MIB);
}

static void
test_plan_clamp_and_no_data(void **state)
{
	struct policy_vm vms[3];
	struct vm_target out[3];
	size_t n;

	(void)state;
	vm_init(&vms[0], 1, 1024, 4096);
	vms[0].target_kb = 8192 * MIB;	/* above max */
	set_need(&vms[0], 9000, true);
	vm_init(&vms[1], 2, 512, 4096);
	set_need(&vms[1], 3000, true);
	vms[1].state = VM_STALE;	/* stale: never grows */
	vm_init(&vms[2], 3, 512, 4096);
	set_need(&vms[2], 100, false);
	vms[2].state = VM_NO_AGENT;
	vms[2].target_kb = 128 * MIB;	/* below floor: clamped up */
	n = decide("cagma", 8192, 256, 0, vms, 3, out);
	assert_int_equal(n, 2);
	assert_int_equal(out[0].domid, 1);
	assert_int_equal(out[0].target_kb, 4096 * MIB);
	assert_int_equal(out[0].reason, POLICY_R_CLAMP);
	assert_int_equal(out[1].domid, 3);
	assert_int_equal(out[1].target_kb, 256 * MIB);
	assert_int_equal(out[1].reason, POLICY_R_CLAMP);
}

static void
test_plan_uncooperative_not_counted(void **state)
{
	struct policy_vm vms[2];
	struct vm_target out[2];
	size_t n;

	(void)state;
	/* qmemman would take from the big donor; it does not follow */
	vm_init(&vms[0], 1, 3000, 4096);
	set_need(&vms[0], 100, false);
	vms[0].est.used_kb = 100 * MIB;
	vms[0].state = VM_UNCOOPERATIVE;
	vm_init(&vms[1], 2, 512, 4096);
	set_need(&vms[1], 1500, true);
	vms[1].est.used_kb = 1000 * MIB;
	n = decide("qmemman", 256, 256, 0, vms, 2, out);
	assert_int_equal(n, 0);
	n = decide("cagma", 256, 256, 0, vms, 2, out);
	assert_int_equal(n, 0);
}

static void
test_plan_surplus_by_weight(void **state)
{
	struct policy_vm vms[2];
	struct vm_target out[2];
	size_t n;

	(void)state;
	vm_init(&vms[0], 1, 512, 4096);
	set_need(&vms[0], 512, false);
	vm_init(&vms[1], 2, 512, 4096);
	set_need(&vms[1], 512, false);
	vms[1].weight = 300;
	n = decide("cagma", 656, 256, 0, vms, 2, out);
	assert_int_equal(n, 0);	/* default: surplus stays on the host */
	cfg.surplus = POLICY_SURPLUS_WEIGHT;
	n = decide("cagma", 656, 256, 0, vms, 2, out);
	cfg.surplus = POLICY_SURPLUS_HOST;
	assert_int_equal(n, 2);
	assert_int_equal(out[0].target_kb, 612 * MIB);
	assert_int_equal(out[0].reason, POLICY_R_SURPLUS);
	assert_int_equal(out[1].target_kb, 812 * MIB);
}

/* --- baselines ---------------------------------------------------------- */
static void
test_paper(void **state)
{
	const struct policy_ops *ops = policy_find("cagma-paper");
	struct policy_vm vm;
	struct vm_target out[1];

	(void)state;
	vm_init(&vm, 1, 512, 2500);
	/* used 400 + swap 100: CMA = 550 MiB; AVM = MemFree 50 MiB */
	feed(ops, &vm, 1000, 512 * MIB, 112 * MIB, 50 * MIB, 100 * MIB, 0, 0);
	assert_int_equal(vm.est.cma_kb, 550 * MIB);
	/* the 3 s poll ticks at multiples of 3 s of the clock: the first
	 * round after 0 polls at 3 s, whatever rounds come in between */
	assert_int_equal(decide("cagma-paper", 4096, 256, 1000, &vm, 1, out),
	    0);
	assert_int_equal(decide("cagma-paper", 4096, 256, 3000, &vm, 1, out),
	    1);
	assert_int_equal(out[0].target_kb, (512 + 500) * MIB);
	vm.target_kb = out[0].target_kb;
	/* nothing at 4 s or 5.9 s even under pressure */
	assert_int_equal(decide("cagma-paper", 4096, 256, 4000, &vm, 1, out),
	    0);
	assert_int_equal(decide("cagma-paper", 4096, 256, 5900, &vm, 1, out),
	    0);
	/* 6.05 s: the 6 s tick; capped at 1500 MiB */
	assert_int_equal(decide("cagma-paper", 4096, 256, 6050, &vm, 1, out),
	    1);
	assert_int_equal(out[0].target_kb, 1500 * MIB);
	vm.target_kb = vm.current_kb = 1500 * MIB;
	/* idle now (MemFree 1400 MiB): never released */
	feed(ops, &vm, 9000, 1500 * MIB, 1400 * MIB, 1400 * MIB, 0, 0, 0);
	assert_int_equal(decide("cagma-paper", 4096, 256, 9000, &vm, 1, out),
	    0);
}

/*
 * The four seed policies, one row per rule: each row names the seed line
 * it checks (shared/docs/seeds/00N_*.txt, N:LINE) and fails on the policy
 * as it was before it followed that line, except rows marked "(kept)":
 * rules that already held.  Sizes in MiB unless _kb; every domain has max
 * 4096 MiB; rows plan at 1 s, a period boundary.
 */
#define NO_PREV	(-1)	/* seed_vm.grew: no previous round */

struct seed_vm {
	uint64_t cur_mib;
	uint64_t target_mib;	/* 0: = cur_mib */
	uint64_t free_kb;	/* MemFree: the seeds' "unused" */
	int grew;		/* used grew since the last round (0/1/NO_PREV) */
};

struct seed_out {
	uint32_t domid;
	uint64_t target_kb;
	enum policy_reason reason;
};

struct seed_case {
	const char *policy;
	const char *rule;
	uint64_t host_free_mib;
	uint64_t reserve_mib;
	size_t n;
	struct seed_vm vm[3];
	size_t n_out;
	struct seed_out out[3];
};

static void
seed_vms(const struct seed_case *c, struct policy_vm *vms)
{
	size_t i;

	for (i = 0; i < c->n; i++) {
		const struct seed_vm *sv = &c->vm[i];
		struct policy_vm *vm = &vms[i];

		vm_init(vm, (uint32_t)i + 1, sv->cur_mib, 4096);
		if (sv->target_mib != 0)
			vm->target_kb = sv->target_mib * MIB;
		vm->has_rec = true;
		vm->est.free_kb = sv->free_kb;
		record_set(&vm->rec, CG_F_MEM_TOTAL, sv->cur_mib * MIB);
		record_set(&vm->rec, CG_F_MEM_FREE, sv->free_kb);
		if (sv->grew == NO_PREV)
			continue;
		/* two-pointer's previous round saw MemTotal - MemFree, less
		 * 10 MiB if used grew since */
		vm->est.round_used_kb = sv->cur_mib * MIB - sv->free_kb -
		    (sv->grew ? 10 * MIB : 0);
	}
}

static void
seed_run(const struct seed_case *cases, size_t ncases)
{
	size_t k, i, n;

	for (k = 0; k < ncases; k++) {
		const struct seed_case *c = &cases[k];
		struct policy_vm vms[3];
		struct vm_target out[3];

		print_message("%s: %s\n", c->policy, c->rule);
		seed_vms(c, vms);
		n = decide(c->policy, c->host_free_mib, c->reserve_mib, 1000,
		    vms, c->n, out);
		assert_int_equal(n, c->n_out);
		for (i = 0; i < n; i++) {
			assert_int_equal(out[i].domid, c->out[i].domid);
			assert_int_equal(out[i].target_kb, c->out[i].target_kb);
			assert_int_equal(out[i].reason, c->out[i].reason);
		}
	}
}

static void
test_threshold(void **state)
{
	static const struct seed_case cases[] = {
		{ "threshold", "000:40-41 case 1: the wasting D_max gives to "
		  "the starving D_min, not the host, and only D_min takes",
		  4096, 256, 3, { { 1024, 0, 50 * MIB, 0 },
		  { 1024, 0, 500 * MIB, 0 }, { 1024, 0, 80 * MIB, 0 } },
		  2, { { 2, 924 * MIB, POLICY_R_RECLAIM },
		  { 1, 1124 * MIB, POLICY_R_GROW } } },
		{ "threshold", "000:44-45 case 2: only D_min, from the host",
		  4096, 256, 3, { { 1024, 0, 50 * MIB, 0 },
		  { 1024, 0, 200 * MIB, 0 }, { 1024, 0, 80 * MIB, 0 } },
		  1, { { 1, 1124 * MIB, POLICY_R_GROW } } },
		{ "threshold", "000:48-49 case 3: only D_max returns memory",
		  4096, 256, 3, { { 1024, 0, 150 * MIB, 0 },
		  { 1024, 0, 500 * MIB, 0 }, { 1024, 0, 400 * MIB, 0 } },
		  1, { { 2, 924 * MIB, POLICY_R_SHRINK } } },
		{ "threshold", "000:24,35 (kept) above / below: the thresholds "
		  "themselves are adequate", 4096, 256, 2,
		  { { 1024, 0, 100 * MIB, 0 }, { 1024, 0, 300 * MIB, 0 } },
		  0, { { 0, 0, POLICY_R_NONE } } },
		{ "threshold", "000:52 add memory to what the domain has: "
		  "current + step, not a target in flight + step", 4096, 256,
		  2, { { 1000, 1050, 50 * MIB, 0 }, { 1024, 0, 200 * MIB, 0 } },
		  1, { { 1, 1100 * MIB, POLICY_R_GROW } } },
	};

	(void)state;
	seed_run(cases, sizeof(cases) / sizeof(cases[0]));
}

static void
test_coordinator(void **state)
{
	static const struct seed_case cases[] = {
		{ "coordinator", "001:43-46 D1 <= LOADED, D2 >= FREE (amounts, "
		  "not shares): D2 gives LOADED to D1", 4096, 256, 2,
		  { { 1000, 0, 100 * MIB, 0 }, { 1000, 0, 300 * MIB, 0 } },
		  2, { { 2, 900 * MIB, POLICY_R_SHRINK },
		  { 1, 1100 * MIB, POLICY_R_GROW } } },
		{ "coordinator", "001:47 no domain with FREE: D1 gets FREE "
		  "from the host", 4096, 256, 2,
		  { { 1000, 0, 50 * MIB, 0 }, { 1000, 0, 200 * MIB, 0 } },
		  1, { { 1, 1300 * MIB, POLICY_R_GROW } } },
		{ "coordinator", "001:42,48-49 nobody loaded: only D2 returns "
		  "LOADED", 4096, 256, 3, { { 1000, 0, 200 * MIB, 0 },
		  { 1000, 0, 400 * MIB, 0 }, { 1000, 0, 350 * MIB, 0 } },
		  1, { { 2, 900 * MIB, POLICY_R_SHRINK } } },
		{ "coordinator", "001:50-51 host below LOADED: every domain "
		  "above FREE gives LOADED", 50, 0, 3,
		  { { 1000, 0, 200 * MIB, 0 }, { 1000, 0, 400 * MIB, 0 },
		  { 1000, 0, 350 * MIB, 0 } },
		  2, { { 2, 900 * MIB, POLICY_R_RECLAIM },
		  { 3, 900 * MIB, POLICY_R_RECLAIM } } },
	};

	(void)state;
	seed_run(cases, sizeof(cases) / sizeof(cases[0]));
}

static void
test_two_pointer(void **state)
{
	/* at 1 s the walk starts at index 1 % 3: domids 2, 3, 1 */
	static const struct seed_case cases[] = {
		{ "two-pointer", "002:22-25,29-39 required max(50, 200 - "
		  "unused), surplus min(50, unused - 100); the needy takes "
		  "from each giver in turn", 4096, 256, 3,
		  { { 1000, 0, 20 * MB, 1 }, { 1000, 0, 140 * MB, 0 },
		  { 1000, 0, 300 * MB, 0 } },
		  3, { { 2, 1000 * MIB - 40 * MB, POLICY_R_SHRINK },
		  { 3, 1000 * MIB - 50 * MB, POLICY_R_SHRINK },
		  { 1, 1000 * MIB + 90 * MB, POLICY_R_GROW } } },
		{ "two-pointer", "002:24,43 used not growing, unused > 100: "
		  "surplus, returned when nobody needs", 4096, 256, 2,
		  { { 1000, 0, 150 * MB, 0 }, { 1000, 0, 90 * MB, 0 } },
		  1, { { 1, 1000 * MIB - 50 * MB, POLICY_R_SHRINK } } },
		{ "two-pointer", "002:22 unused < 200 but used not growing: "
		  "not needy; no previous round: neither", 4096, 256, 2,
		  { { 1000, 0, 90 * MB, 0 }, { 1000, 0, 20 * MB, NO_PREV } },
		  0, { { 0, 0, POLICY_R_NONE } } },
		{ "two-pointer", "002:41 the host gives only if no domain can "
		  "release", 4096, 256, 3,
		  { { 1000, 0, 20 * MB, 1 }, { 1000, 0, 300 * MB, 0 },
		  { 1000, 0, 30 * MB, 1 } },
		  2, { { 2, 1000 * MIB - 50 * MB, POLICY_R_SHRINK },
		  { 3, 1000 * MIB + 50 * MB, POLICY_R_GROW } } },
		{ "two-pointer", "002:41 (kept) then 50 MB to each needy while "
		  "the host keeps more than 200 MB", 270, 0, 3,
		  { { 1000, 0, 20 * MB, 1 }, { 1000, 0, 30 * MB, 1 },
		  { 1000, 0, 90 * MB, 0 } },
		  1, { { 2, 1000 * MIB + 50 * MB, POLICY_R_GROW } } },
	};

	(void)state;
	seed_run(cases, sizeof(cases) / sizeof(cases[0]));
}

/*
 * 002:16 "Array of previous used memory ( prevUsedMem )": used is compared
 * with what the previous round saw, not with the record before the latest
 * (a guest that filled its memory between two rounds shows a flat used in
 * its last two records, but it grew since the last round).
 */
static void
test_two_pointer_prev_round(void **state)
{
	struct policy_vm vms[2];
	struct vm_target out[2];

	(void)state;
	vm_init(&vms[0], 1, 1000, 4096);
	vm_init(&vms[1], 2, 1000, 4096);
	vms[0].has_rec = vms[1].has_rec = true;
	record_set(&vms[0].rec, CG_F_MEM_TOTAL, 1000 * MIB);
	record_set(&vms[0].rec, CG_F_MEM_FREE, 400 * MIB);
	record_set(&vms[1].rec, CG_F_MEM_TOTAL, 1000 * MIB);
	record_set(&vms[1].rec, CG_F_MEM_FREE, 90 * MB);
	vms[0].est.free_kb = 400 * MIB;
	vms[1].est.free_kb = 90 * MB;
	/* first round: no previous round, nobody needy or spare */
	assert_int_equal(decide("two-pointer", 4096, 256, 1000, vms, 2, out),
	    0);
	/* vm1 fills up: two records, both at MemFree 20 MB */
	record_set(&vms[0].rec, CG_F_MEM_FREE, 20 * MB);
	vms[0].prev = vms[0].rec;
	vms[0].has_prev = true;
	vms[0].est.free_kb = 20 * MB;
	/* next round: grew since the last round, needs max(50, 180) MB;
	 * nobody spare, so 50 MB from the host */
	assert_int_equal(decide("two-pointer", 4096, 256, 2000, vms, 2, out),
	    1);
	assert_int_equal(out[0].domid, 1);
	assert_int_equal(out[0].target_kb, 1000 * MIB + 50 * MB);
}

static void
test_gt_rules(void **state)
{
	static const struct seed_case cases[] = {
		{ "gt-rules", "003:26-28 + notes 003:12: the most wasteful "
		  "gives at most 100 MiB a round, to the most starved only",
		  4096, 256, 3, { { 1000, 0, 100 * MIB, 0 },
		  { 1000, 0, 500 * MIB, 0 }, { 1000, 0, 400 * MIB, 0 } },
		  2, { { 2, 900 * MIB, POLICY_R_RECLAIM },
		  { 1, 1100 * MIB, POLICY_R_GROW } } },
		{ "gt-rules", "003:25-26 <= starvation, >= waste threshold "
		  "(MiB)", 4096, 256, 2,
		  { { 1000, 0, 150 * MIB, 0 }, { 1000, 0, 300 * MIB, 0 } },
		  2, { { 2, 900 * MIB, POLICY_R_RECLAIM },
		  { 1, 1100 * MIB, POLICY_R_GROW } } },
		{ "gt-rules", "003:29 no waste: the host gives the waste "
		  "threshold", 4096, 256, 2,
		  { { 1000, 0, 100 * MIB, 0 }, { 1000, 0, 200 * MIB, 0 } },
		  1, { { 1, 1300 * MIB, POLICY_R_GROW } } },
		{ "gt-rules", "notes 003:11,14: the host keeps more than 200 "
		  "MiB: a smaller grant", 350, 0, 2,
		  { { 1000, 0, 100 * MIB, 0 }, { 1000, 0, 200 * MIB, 0 } },
		  1, { { 1, 1150 * MIB - 1, POLICY_R_GROW } } },
		{ "gt-rules", "003:29 starved.memory + ...: from what it has, "
		  "not from a target in flight", 4096, 256, 2,
		  { { 1000, 1200, 100 * MIB, 0 }, { 1000, 0, 200 * MIB, 0 } },
		  1, { { 1, 1300 * MIB, POLICY_R_GROW } } },
		{ "gt-rules", "003:30 + notes 003:12: nobody starved: the most "
		  "wasteful returns at most 100 MiB", 4096, 256, 3,
		  { { 1000, 0, 200 * MIB, 0 }, { 1000, 0, 500 * MIB, 0 },
		  { 1000, 0, 450 * MIB, 0 } },
		  1, { { 2, 900 * MIB, POLICY_R_SHRINK } } },
	};

	(void)state;
	seed_run(cases, sizeof(cases) / sizeof(cases[0]));
}

/*
 * 000:10 "every 5 second", 001:52 "Sleep for the specified time interval",
 * 002:15 "previous iteration", 003:4 "<interval>": a seed policy plans once
 * per period (cfg.shrink_interval_ms), not on the rounds in between.
 */
static void
test_seed_period(void **state)
{
	static const struct seed_case cases[] = {
		{ "threshold", "000:10", 4096, 256, 2,
		  { { 1024, 0, 50 * MIB, 0 }, { 1024, 0, 200 * MIB, 0 } },
		  1, { { 0, 0, POLICY_R_NONE } } },
		{ "coordinator", "001:52", 4096, 256, 2,
		  { { 1000, 0, 50 * MIB, 0 }, { 1000, 0, 200 * MIB, 0 } },
		  1, { { 0, 0, POLICY_R_NONE } } },
		{ "two-pointer", "002:15", 4096, 256, 2,
		  { { 1000, 0, 150 * MB, 0 }, { 1000, 0, 90 * MB, 0 } },
		  1, { { 0, 0, POLICY_R_NONE } } },
		{ "gt-rules", "003:4", 4096, 256, 2,
		  { { 1000, 0, 100 * MIB, 0 }, { 1000, 0, 200 * MIB, 0 } },
		  1, { { 0, 0, POLICY_R_NONE } } },
	};
	static const uint64_t at_ms[] = { 1000, 1100, 1999, 2000, 2500 };
	static const size_t n_at[] = { 1, 0, 0, 1, 0 };
	size_t k, t;

	(void)state;
	for (k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		struct policy_vm vms[3];
		struct vm_target out[3];

		print_message("%s: %s\n", cases[k].policy, cases[k].rule);
		seed_vms(&cases[k], vms);
		for (t = 0; t < sizeof(at_ms) / sizeof(at_ms[0]); t++)
			assert_int_equal(decide(cases[k].policy, 4096, 256,
			    at_ms[t], vms, cases[k].n, out), n_at[t]);
	}
}

static void
test_qmemman(void **state)
{
	struct policy_vm vms[2];
	struct vm_target out[2];
	size_t n;

	(void)state;
	/* enough memory: pref = 1.3 x used, share of the rest by pref */
	vm_init(&vms[0], 1, 1000, 4096);
	set_need(&vms[0], 0, false);
	vms[0].est.used_kb = 1000 * MIB;	/* pref 1300 */
	vm_init(&vms[1], 2, 1000, 4096);
	set_need(&vms[1], 0, false);
	vms[1].est.used_kb = 100 * MIB;		/* pref 200 (min) */
	/* avail = 1756 - 256 - (1300 - 1000 + 200 - 1000) = 2000 MiB */
	n = decide("qmemman", 1756, 256, 0, vms, 2, out);
	assert_int_equal(n, 2);
	assert_int_equal(out[0].domid, 2);	/* donor first */
	assert_int_equal(out[1].domid, 1);
	/* dom2: 0.999 x (200 + 200/1500 x 2000) = 466.2 MiB < 1000: donor */
	assert_true(out[0].target_kb > 465 * MIB);
	assert_true(out[0].target_kb < 467 * MIB);
	/* dom1: 0.999 x (1300 + 1300/1500 x 2000) = 3030.3 MiB, but only
	 * the 1500 MiB above the reserve has landed: 2500 this round */
	assert_int_equal(out[1].target_kb, 2500 * MIB);
	/* next round, dom2's 533.8 MiB has landed: dom1 reaches 3030 */
	vms[1].current_kb = vms[1].target_kb = out[0].target_kb;
	vms[0].current_kb = vms[0].target_kb = 2500 * MIB;
	n = decide("qmemman", 256 + (1000 * MIB - out[0].target_kb) / MIB, 256,
	    0, vms, 2, out);
	assert_true(n >= 1);	/* dom2 may be re-aimed by a few KiB */
	assert_int_equal(out[n - 1].domid, 1);	/* grows come last */
	assert_true(out[n - 1].target_kb > 3029 * MIB);
	assert_true(out[n - 1].target_kb < 3031 * MIB);
	vms[0].current_kb = vms[0].target_kb = 1000 * MIB;
	vms[1].current_kb = vms[1].target_kb = 1000 * MIB;
	/* low on memory: donors go to pref, acceptors share the squeeze */
	vms[1].est.used_kb = 600 * MIB;		/* pref 780: gives 220 */
	/* need = 300 - 220 = 80 > free 0 above the reserve: low mode */
	n = decide("qmemman", 256, 256, 0, vms, 2, out);
	assert_int_equal(n, 1);		/* the grant waits for the release */
	assert_int_equal(out[0].domid, 2);
	assert_int_equal(out[0].target_kb, 780 * MIB);
	assert_int_equal(out[0].reason, POLICY_R_RECLAIM);
	vms[1].current_kb = vms[1].target_kb = 780 * MIB;	/* landed */
	n = decide("qmemman", 256 + 220, 256, 0, vms, 2, out);
	assert_int_equal(n, 1);
	assert_int_equal(out[0].domid, 1);
	/* 0.999 x (1000 + 220) */
	assert_true(out[0].target_kb > 1218 * MIB);
	assert_true(out[0].target_kb < 1219 * MIB + 512);
}

static void
test_static(void **state)
{
	struct policy_vm vm;
	struct vm_target out[1];

	(void)state;
	vm_init(&vm, 1, 512, 4096);
	set_need(&vm, 3000, true);
	assert_int_equal(decide("static", 8192, 256, 0, &vm, 1, out), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_registry, setup),
		cmocka_unit_test_setup(test_bad_args, setup),
		cmocka_unit_test_setup(test_est_calm, setup),
		cmocka_unit_test_setup(test_est_overhead, setup),
		cmocka_unit_test_setup(test_est_fast_increase, setup),
		cmocka_unit_test_setup(test_est_hold_then_slow_decay, setup),
		cmocka_unit_test_setup(test_est_swapin_trickle, setup),
		cmocka_unit_test_setup(test_est_exhaustion_signals, setup),
		cmocka_unit_test_setup(test_est_sharp_fall, setup),
		cmocka_unit_test_setup(test_est_fall_with_stalls, setup),
		cmocka_unit_test_setup(test_est_counter_reset, setup),
		cmocka_unit_test_setup(test_plan_emergency_first, setup),
		cmocka_unit_test_setup(test_plan_donors_first_gradual, setup),
		cmocka_unit_test_setup(test_plan_shrink_paced, setup),
		cmocka_unit_test_setup(test_plan_inflight_counted_once, setup),
		cmocka_unit_test_setup(test_plan_reserve_reclaim, setup),
		cmocka_unit_test_setup(test_plan_cma_guaranteed_before_slack,
		    setup),
		cmocka_unit_test_setup(test_plan_rise_no_flap, setup),
		cmocka_unit_test_setup(test_plan_rise_overshoot_back, setup),
		cmocka_unit_test_setup(test_est_rise_fast_records, setup),
		cmocka_unit_test_setup(test_plan_burst_headroom, setup),
		cmocka_unit_test_setup(test_plan_auto_headroom, setup),
		cmocka_unit_test_setup(test_est_burst_memory, setup),
		cmocka_unit_test_setup(test_plan_hysteresis, setup),
		cmocka_unit_test_setup(test_plan_clamp_and_no_data, setup),
		cmocka_unit_test_setup(test_plan_uncooperative_not_counted,
		    setup),
		cmocka_unit_test_setup(test_plan_surplus_by_weight, setup),
		cmocka_unit_test_setup(test_paper, setup),
		cmocka_unit_test_setup(test_threshold, setup),
		cmocka_unit_test_setup(test_coordinator, setup),
		cmocka_unit_test_setup(test_two_pointer, setup),
		cmocka_unit_test_setup(test_two_pointer_prev_round, setup),
		cmocka_unit_test_setup(test_gt_rules, setup),
		cmocka_unit_test_setup(test_seed_period, setup),
		cmocka_unit_test_setup(test_qmemman, setup),
		cmocka_unit_test_setup(test_static, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
