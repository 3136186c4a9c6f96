/*
 * test_emerg.c - the emergency path's pure core: the urgent queue (dedup,
 * FIFO, removed domains), the host-wide budget (token bucket, timer),
 * fairness (a quiet domain behind a flooder is served by the next round)
 * and the order of one round's targets over several urgent domains
 * (dom0/policy/emerg.c, sched.c, plan.c).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "domains.h"
#include "emerg.h"
#include "plan.h"
#include "reserve.h"
#include "sched.h"

#define MIB	1024ULL

static struct dom_table *
table_new(uint32_t ndoms)
{
	struct dom_table *t = malloc(sizeof(*t));
	uint32_t id;

	assert_non_null(t);
	dom_table_init(t);
	for (id = 1; id <= ndoms; id++)
		assert_non_null(dom_add(t, id, 1024 * MIB, 1024 * MIB,
		    4096 * MIB));
	return t;
}

static void
table_free(struct dom_table *t)
{
	dom_table_free(t);
	free(t);
}

/* ---- queue --------------------------------------------------------------- */

static void
test_queue_dedup_fifo(void **state)
{
	struct dom_table *t = table_new(4);
	uint32_t ids[8], out[8];
	struct emerg e;
	int i;

	(void)state;
	emerg_init(&e, ids, 8);
	assert_false(emerg_due(&e, 0));
	assert_int_equal(emerg_timeout_ms(&e, 0), UINT64_MAX);
	/* 3, 1, 3, 3, 2: each domain once, in first-arrival order */
	assert_true(emerg_push(&e, dom_find(t, 3)));
	assert_true(emerg_push(&e, dom_find(t, 1)));
	for (i = 0; i < 100; i++)
		assert_true(emerg_push(&e, dom_find(t, 3)));
	assert_true(emerg_push(&e, dom_find(t, 2)));
	assert_int_equal(emerg_pending(&e), 3);
	assert_true(dom_find(t, 3)->emerg_queued);
	dom_find(t, 3)->urgent = true;
	assert_true(emerg_due(&e, 10));
	assert_int_equal(emerg_timeout_ms(&e, 10), 0);
	assert_int_equal(emerg_take(&e, t, 10, out, 8), 3);
	assert_int_equal(out[0], 3);
	assert_int_equal(out[1], 1);
	assert_int_equal(out[2], 2);
	assert_false(dom_find(t, 3)->emerg_queued);
	assert_false(dom_find(t, 3)->urgent);
	assert_int_equal(emerg_pending(&e), 0);
	assert_int_equal(emerg_take(&e, t, 10, out, 8), 0);
	assert_int_equal(e.rounds, 1);
	assert_int_equal(e.served, 3);
	table_free(t);
}

static void
test_queue_removed_and_full(void **state)
{
	struct dom_table *t = table_new(4);
	uint32_t ids[3], out[4];
	struct emerg e;
	struct dom *d;

	(void)state;
	emerg_init(&e, ids, 3);
	assert_true(emerg_push(&e, dom_find(t, 1)));
	assert_true(emerg_push(&e, dom_find(t, 2)));
	/* domain 1 goes away and comes back with the same domid */
	dom_remove(t, dom_find(t, 1));
	d = dom_add(t, 1, 512 * MIB, 512 * MIB, 1024 * MIB);
	assert_non_null(d);
	assert_false(d->emerg_queued);
	assert_true(emerg_push(&e, d));		/* queued again: 3 entries */
	assert_false(emerg_push(&e, dom_find(t, 3)));	/* full */
	assert_false(dom_find(t, 3)->emerg_queued);
	/*
	 * the new domain 1 is served once (at the old entry's place, the
	 * domid is all the FIFO knows), its second entry is skipped
	 */
	assert_int_equal(emerg_take(&e, t, 0, out, 4), 2);
	assert_int_equal(out[0], 1);
	assert_int_equal(out[1], 2);
	/* only stale entries: no round, no token spent */
	assert_true(emerg_push(&e, dom_find(t, 4)));
	dom_remove(t, dom_find(t, 4));
	assert_true(emerg_due(&e, 1));
	assert_int_equal(emerg_take(&e, t, 1, out, 4), 0);
	assert_int_equal(emerg_pending(&e), 0);
	assert_int_equal(e.rounds, 1);
	assert_int_equal(e.tokens, EMERG_BURST - 1);
	table_free(t);
}

static void
test_queue_intake(void **state)
{
	struct dom_table *t = table_new(2);
	uint32_t ids[1], out[2];
	struct sched s;
	struct emerg e;

	(void)state;
	emerg_init(&e, ids, 1);
	sched_init(&s, 1000, 100);
	sched_done(&s, 0);
	assert_false(emerg_intake(&e, &s, dom_find(t, 1), DOM_INTAKE_SAME));
	assert_false(emerg_intake(&e, &s, dom_find(t, 1),
	    DOM_INTAKE_REJECTED));
	assert_false(sched_due(&s, 100));
	assert_true(emerg_intake(&e, &s, dom_find(t, 1), DOM_INTAKE_URGENT));
	assert_false(sched_due(&s, 100));	/* urgent: no coalesced round */
	assert_int_equal(emerg_pending(&e), 1);
	/* queue full: the urgent record falls back to a coalesced round */
	dom_find(t, 2)->urgent = true;
	assert_true(emerg_intake(&e, &s, dom_find(t, 2), DOM_INTAKE_URGENT));
	assert_false(dom_find(t, 2)->urgent);
	assert_true(sched_due(&s, 100));
	sched_done(&s, 100);
	assert_true(emerg_intake(&e, &s, dom_find(t, 2), DOM_INTAKE_NORMAL));
	assert_true(sched_due(&s, 200));
	assert_int_equal(emerg_take(&e, t, 0, out, 2), 1);
	table_free(t);
}

/* ---- budget -------------------------------------------------------------- */

static void
test_budget_bucket(void **state)
{
	struct dom_table *t = table_new(1);
	struct dom *d = dom_find(t, 1);
	uint32_t ids[1], out[1];
	struct emerg e;
	uint64_t now;
	int i, rounds = 0;

	(void)state;
	emerg_init(&e, ids, 1);
	/* a burst of EMERG_BURST rounds at one instant, then none */
	for (i = 0; i < EMERG_BURST + 3; i++) {
		assert_true(emerg_push(&e, d));
		rounds += emerg_take(&e, t, 1000, out, 1) == 1;
	}
	assert_int_equal(rounds, EMERG_BURST);
	assert_true(emerg_pending(&e) == 1);	/* still queued */
	assert_false(emerg_due(&e, 1000));
	assert_int_equal(e.deferred, 3);
	/* the timer wakes the loop for the next token */
	assert_int_equal(emerg_timeout_ms(&e, 1000), EMERG_INTERVAL_MS);
	assert_int_equal(emerg_timeout_ms(&e, 1000 + EMERG_INTERVAL_MS - 1),
	    1);
	assert_true(emerg_due(&e, 1000 + EMERG_INTERVAL_MS));
	assert_int_equal(emerg_take(&e, t, 1000 + EMERG_INTERVAL_MS, out, 1),
	    1);
	/* sustained flood, one push per ms for 1 s: 1 round per interval */
	rounds = 0;
	for (now = 2000; now < 3000; now++) {
		assert_true(emerg_push(&e, d));
		rounds += emerg_take(&e, t, now, out, 1) == 1;
	}
	assert_true(rounds <= EMERG_BURST + 1000 / EMERG_INTERVAL_MS);
	assert_true(rounds >= 1000 / EMERG_INTERVAL_MS);
	/* after a calm spell the bucket is full again, never fuller */
	(void)emerg_take(&e, t, 3000, out, 1);
	rounds = 0;
	for (i = 0; i < 2 * EMERG_BURST; i++) {
		assert_true(emerg_push(&e, d));
		rounds += emerg_take(&e, t, 100000, out, 1) == 1;
	}
	assert_int_equal(rounds, EMERG_BURST);
	table_free(t);
}

/* ---- fairness ------------------------------------------------------------ */

/*
 * Ten flooders queue themselves every millisecond for a second; a quiet
 * domain posts one urgent record now and then.  Each time the quiet
 * domain is served by the first round after its record, at most one token
 * interval later, and the host runs at most one round per interval.
 */
static void
test_fairness_quiet_behind_flooders(void **state)
{
	struct dom_table *t = table_new(11);
	uint32_t ids[11], out[11], id;
	struct emerg e;
	uint64_t now, quiet_at = 0, worst = 0;
	bool quiet_waiting = false;
	size_t i, nu, rounds = 0, served = 0;

	(void)state;
	emerg_init(&e, ids, 11);
	for (now = 0; now < 1000; now++) {
		for (id = 1; id <= 10; id++)
			assert_true(emerg_push(&e, dom_find(t, id)));
		if (now % 37 == 5 && !quiet_waiting) {
			assert_true(emerg_push(&e, dom_find(t, 11)));
			quiet_at = now;
			quiet_waiting = true;
		}
		nu = emerg_take(&e, t, now, out, 11);
		if (nu == 0)
			continue;
		rounds++;
		for (i = 0; i < nu; i++)
			if (out[i] == 11) {
				quiet_waiting = false;
				served++;
				if (now - quiet_at > worst)
					worst = now - quiet_at;
			}
		/* every queued domain was in this round */
		assert_int_equal(emerg_pending(&e), 0);
	}
	assert_false(quiet_waiting && now - quiet_at > EMERG_INTERVAL_MS);
	assert_true(served >= 25);
	assert_true(worst <= EMERG_INTERVAL_MS);
	assert_true(rounds <= EMERG_BURST + 1000 / EMERG_INTERVAL_MS);
	table_free(t);
}

/* ---- order of one emergency round over several domains ------------------- */

static void
test_order_several(void **state)
{
	/* donors 1, 2; urgent 3 (+300 MiB), 5 (+100 MiB), 6 (+400 MiB) */
	static const struct sched_etarget e[6] = {
		{ { 1, 800 * MIB, POLICY_R_SHRINK }, 1000 * MIB, false },
		{ { 2, 900 * MIB, POLICY_R_SHRINK }, 1000 * MIB, false },
		{ { 3, 1300 * MIB, POLICY_R_EMERGENCY }, 1000 * MIB, true },
		{ { 5, 1100 * MIB, POLICY_R_EMERGENCY }, 1000 * MIB, true },
		{ { 6, 1400 * MIB, POLICY_R_EMERGENCY }, 1000 * MIB, true },
		{ { 4, 1200 * MIB, POLICY_R_GROW }, 1000 * MIB, false },
	};
	/* domain 4's grow is deferred: its balloon was not read */
	static const struct {
		uint64_t avail_kb;
		uint32_t order[5];
	} cases[] = {
		/* the host covers all three: urgent first, in order */
		{ 800 * MIB, { 3, 5, 6, 1, 2 } },
		/* covers 3 and 5, 6 waits for the donors */
		{ 450 * MIB, { 3, 5, 1, 2, 6 } },
		/* covers 5 only (3 does not fit, 5 still does) */
		{ 200 * MIB, { 5, 1, 2, 3, 6 } },
		/* covers none: donors, then the urgent grows */
		{ 0, { 1, 2, 3, 5, 6 } },
	};
	struct vm_target out[6];
	size_t c, i;

	(void)state;
	for (c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		memset(out, 0, sizeof(out));
		assert_int_equal(sched_order_emergency(e, 6, cases[c].avail_kb,
		    out), 5);
		for (i = 0; i < 5; i++)
			assert_int_equal(out[i].domid, cases[c].order[i]);
	}
}

static void
test_order_single_and_none(void **state)
{
	/* the single-domain case of before, plus a non-urgent shrink late */
	struct sched_etarget e[5] = {
		{ { 1, 800 * MIB, POLICY_R_SHRINK }, 1000 * MIB, false },
		{ { 2, 900 * MIB, POLICY_R_SHRINK }, 1000 * MIB, false },
		{ { 4, 1200 * MIB, POLICY_R_GROW }, 1000 * MIB, false },
		{ { 3, 1500 * MIB, POLICY_R_EMERGENCY }, 1000 * MIB, true },
		{ { 5, 700 * MIB, POLICY_R_RECLAIM }, 1000 * MIB, false },
	};
	static const uint32_t covered[4] = { 3, 1, 2, 5 };
	static const uint32_t short_[4] = { 1, 2, 3, 5 };
	struct vm_target out[5];
	size_t i;

	(void)state;
	assert_int_equal(sched_order_emergency(e, 5, 600 * MIB, out), 4);
	for (i = 0; i < 4; i++)
		assert_int_equal(out[i].domid, covered[i]);
	assert_int_equal(sched_order_emergency(e, 5, 100 * MIB, out), 4);
	for (i = 0; i < 4; i++)
		assert_int_equal(out[i].domid, short_[i]);
	/* no urgent target: only the other domains' shrinks remain */
	e[3].urgent = false;
	assert_int_equal(sched_order_emergency(e, 5, 0, out), 3);
	assert_int_equal(out[0].domid, 1);
	assert_int_equal(out[1].domid, 2);
	assert_int_equal(out[2].domid, 5);
}

/*
 * plan_round() over the table with two urgent domains: both grows come
 * before the other targets when the host covers them, and the marks are
 * cleared afterwards.
 */
static void
test_plan_round_set(void **state)
{
	struct dom_table *t = table_new(4);
	struct policy_vm vms[4];
	struct vm_target tgt[4];
	struct sched_etarget es[4];
	struct policy_cfg pcfg;
	struct plan_in in;
	uint32_t urgent[2] = { 4, 2 };
	struct plan_out out;
	size_t i, pos2 = 9, pos4 = 9;
	char rec[CG_RECORD_MAX_LEN];
	struct dom_reject why;
	struct cg_record r;
	int len;
	uint32_t id;
	size_t f;

	(void)state;
	policy_cfg_default(&pcfg);
	for (id = 1; id <= 4; id++) {
		memset(&r, 0, sizeof(r));
		for (f = 0; f < CG_F_COUNT; f++)
			if (cg_fields[f].presence == CG_MANDATORY)
				record_set(&r, (enum cg_field_id)f, 0);
		record_set(&r, CG_F_V, 1);
		record_set(&r, CG_F_SEQ, 1);
		record_set(&r, CG_F_MEM_TOTAL, 1024 * MIB);
		record_set(&r, CG_F_MEM_AVAIL, id % 2 == 0 ? 8 * MIB :
		    900 * MIB);
		record_set(&r, CG_F_MEM_FREE, id % 2 == 0 ? 8 * MIB :
		    900 * MIB);
		record_set(&r, CG_F_URGENT, id % 2 == 0);
		len = record_encode(&r, rec, sizeof(rec));
		assert_true(len > 0);
		(void)dom_intake(dom_find(t, id), policy_all[0], &pcfg, rec,
		    (size_t)len, 1000, 10000, &why);
	}
	memset(&in, 0, sizeof(in));
	in.ops = policy_all[0];
	in.pcfg = &pcfg;
	in.host.free_kb = 8192 * MIB;
	in.host.reserve_kb = 256 * MIB;
	in.host.now_ms = 1000;
	in.stale_ms = 10000;
	in.urgent = urgent;
	in.nurgent = 2;
	assert_int_equal(plan_round(t, &in, vms, tgt, es, &out), 0);
	for (i = 0; i < out.nt; i++) {
		if (tgt[i].domid == 2)
			pos2 = i;
		if (tgt[i].domid == 4)
			pos4 = i;
	}
	assert_true(pos2 <= 1 && pos4 <= 1);	/* the two urgent grows first */
	assert_true(tgt[pos2].target_kb > 1024 * MIB);
	assert_true(tgt[pos4].target_kb > 1024 * MIB);
	for (id = 1; id <= 4; id++)
		assert_false(dom_find(t, id)->emerg_mark);
	table_free(t);
}

/* Feed domain id one record: mem_total total, mem_avail avail (MiB). */
static void
feed(struct dom_table *t, const struct policy_cfg *pcfg, uint32_t id,
    uint64_t total_mib, uint64_t avail_mib, uint64_t seq, uint64_t now_ms)
{
	char rec[CG_RECORD_MAX_LEN];
	struct dom_reject why;
	struct cg_record r;
	size_t f;
	int len;

	memset(&r, 0, sizeof(r));
	for (f = 0; f < CG_F_COUNT; f++)
		if (cg_fields[f].presence == CG_MANDATORY)
			record_set(&r, (enum cg_field_id)f, 0);
	record_set(&r, CG_F_V, 1);
	record_set(&r, CG_F_SEQ, seq);
	record_set(&r, CG_F_MEM_TOTAL, total_mib * MIB);
	record_set(&r, CG_F_MEM_AVAIL, avail_mib * MIB);
	record_set(&r, CG_F_MEM_FREE, avail_mib * MIB);
	len = record_encode(&r, rec, sizeof(rec));
	assert_true(len > 0);
	(void)dom_intake(dom_find(t, id), policy_all[0], pcfg, rec,
	    (size_t)len, now_ms, 10000, &why);
}

/*
 * A ready reservation holds all but 6 MiB of the host's spare while one
 * domain is still shrinking toward its target: whatever the policy would
 * like (the guests are tight: it wants to grow them), grows beyond their
 * current targets may spend only those 6 MiB; the shrink is not cancelled
 * (it was, and the new domain then took memory the guests had been given:
 * a reserve dip in the vmstart scenario).
 */
static void
test_plan_resv_caps_grows(void **state)
{
	struct dom_table *t = table_new(3);
	struct policy_vm vms[3];
	struct vm_target tgt[3];
	struct sched_etarget es[3];
	struct policy_cfg pcfg;
	struct resv_table resv;
	struct plan_in in;
	struct plan_out out;
	uint64_t grown = 0;
	uint32_t id, rid;
	size_t i;
	struct dom *d;

	(void)state;
	policy_cfg_default(&pcfg);
	resv_init(&resv);
	for (id = 1; id <= 3; id++) {
		feed(t, &pcfg, id, 1024, 16, 1, 1000);
		d = dom_find(t, id);
		d->vm.current_kb = 1024 * MIB;
		d->vm.target_kb = id == 3 ? 900 * MIB : 1024 * MIB;
	}
	assert_int_equal(resv_add(&resv, 1000 * MIB, 30000, 4000 * MIB, 1000,
	    &rid), 0);
	memset(&in, 0, sizeof(in));
	in.ops = policy_all[0];
	in.pcfg = &pcfg;
	in.host.free_kb = (256 + 1000 + 6) * MIB;
	in.host.reserve_kb = 256 * MIB;
	in.host.now_ms = 1000;
	in.stale_ms = 10000;
	in.resv = &resv;
	assert_int_equal(plan_round(t, &in, vms, tgt, es, &out), 0);
	assert_int_equal(resv_find(&resv, rid)->state, RESV_READY);
	for (i = 0; i < out.nt; i++) {
		d = dom_find(t, tgt[i].domid);
		if (tgt[i].target_kb > d->vm.target_kb)
			grown += tgt[i].target_kb - d->vm.target_kb;
	}
	assert_true(grown <= 6 * MIB);
	table_free(t);
}

/*
 * What plan_round() grows the domains of t by, in all (KiB); *nsurplus:
 * how many of those grows are surplus shares.
 */
static uint64_t
round_grows(struct dom_table *t, struct plan_in *in, struct policy_vm *vms,
    struct vm_target *tgt, struct sched_etarget *es, size_t *nsurplus)
{
	struct plan_out out;
	uint64_t grown = 0;
	struct dom *d;
	size_t i;

	*nsurplus = 0;
	assert_int_equal(plan_round(t, in, vms, tgt, es, &out), 0);
	for (i = 0; i < out.nt; i++) {
		d = dom_find(t, tgt[i].domid);
		if (tgt[i].target_kb <= d->vm.target_kb)
			continue;
		grown += tgt[i].target_kb - d->vm.target_kb;
		*nsurplus += tgt[i].reason == POLICY_R_SURPLUS;
	}
	return grown;
}

/*
 * A domain being built that the caller lists but has not tracked yet
 * (in.unbuilt: on Xen, no memory/target before libxl has populated it):
 * no grows from free memory, which its builder is about to allocate; the
 * domains whose urgent records called the round keep grows to their need,
 * never a surplus share.
 */
static void
test_plan_unbuilt_drops_grows(void **state)
{
	struct dom_table *t = table_new(3);
	struct policy_vm vms[3];
	struct vm_target tgt[3];
	struct sched_etarget es[3];
	struct policy_cfg pcfg;
	struct plan_in in;
	uint32_t id, urgent[3] = { 1, 2, 3 };
	size_t nsur;
	struct dom *d;

	(void)state;
	policy_cfg_default(&pcfg);
	for (id = 1; id <= 3; id++) {
		feed(t, &pcfg, id, 1024, 16, 1, 1000);
		d = dom_find(t, id);
		d->vm.current_kb = 1024 * MIB;
		d->vm.target_kb = id == 3 ? 900 * MIB : 1024 * MIB;
	}
	memset(&in, 0, sizeof(in));
	in.ops = policy_all[0];
	in.pcfg = &pcfg;
	in.host.free_kb = 2048 * MIB;
	in.host.reserve_kb = 256 * MIB;
	in.host.now_ms = 1000;
	in.stale_ms = 10000;
	assert_true(round_grows(t, &in, vms, tgt, es, &nsur) > 0);
	in.unbuilt = true;
	assert_int_equal(round_grows(t, &in, vms, tgt, es, &nsur), 0);
	pcfg.surplus = POLICY_SURPLUS_WEIGHT;
	for (id = 1; id <= 3; id++)		/* calm now: above their need */
		feed(t, &pcfg, id, 1024, 800, 2, 2000);
	in.host.now_ms = 2000;
	in.urgent = urgent;
	in.nurgent = 3;
	in.unbuilt = false;
	(void)round_grows(t, &in, vms, tgt, es, &nsur);
	assert_true(nsur > 0);
	in.unbuilt = true;
	(void)round_grows(t, &in, vms, tgt, es, &nsur);
	assert_int_equal(nsur, 0);
	table_free(t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_queue_dedup_fifo),
		cmocka_unit_test(test_queue_removed_and_full),
		cmocka_unit_test(test_queue_intake),
		cmocka_unit_test(test_budget_bucket),
		cmocka_unit_test(test_fairness_quiet_behind_flooders),
		cmocka_unit_test(test_order_several),
		cmocka_unit_test(test_order_single_and_none),
		cmocka_unit_test(test_plan_round_set),
		cmocka_unit_test(test_plan_resv_caps_grows),
		cmocka_unit_test(test_plan_unbuilt_drops_grows),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
