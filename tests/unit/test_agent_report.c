/*
 * test_agent_report.c - the agent's publish decision (guest-agent/report.c):
 * one test per trigger (threshold change, heartbeat, swap-in growth, kswapd
 * burst, PSI trigger, urgent rate limit), record building and clamping, seq.
 * Pure: no xenstore, no timers; time is an argument.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "record.h"
#include "report.h"
#include "sample.h"

#define MIB	1024ULL		/* in KiB */

static const struct report_cfg cfg = {
	.thresh_kb = 16 * MIB,
	.thresh_pct100 = 200,
	.heartbeat_ms = 5000,
	.kswapd_burst_pages = 1024,
	.urgent_gap_ms = 50,
};

/* A 2 GiB guest, 1 GiB available, no swap in use. */
static struct report_vals
base(void)
{
	struct report_vals v = {
		.mem_total_kb = 2048 * MIB, .mem_free_kb = 512 * MIB,
		.mem_avail_kb = 1024 * MIB, .swap_used_kb = 0,
		.pswpin = 100, .pgscan_kswapd = 5000,
	};
	return v;
}

/* Decide and, if it says so, publish: returns the reasons. */
static uint32_t
step(struct report_state *st, const struct report_vals *v, bool psi,
    uint64_t now_ms)
{
	uint32_t why = report_decide(&cfg, st, v, psi, now_ms);

	if (why != 0)
		report_published(st, v, why, now_ms);
	return why;
}

static void
test_first_then_quiet(void **state)
{
	struct report_state st = { .published = false };
	struct report_vals v = base();

	(void)state;
	assert_int_equal(report_wake_ms(&cfg, &st), 0);
	assert_int_equal(step(&st, &v, false, 1000), REPORT_FIRST);
	assert_int_equal(step(&st, &v, false, 1100), 0);
	assert_int_equal(step(&st, &v, false, 5999), 0);
	assert_int_equal(report_wake_ms(&cfg, &st), 6000);
}

static void
test_threshold_absolute(void **state)
{
	struct report_state st = { .published = false };
	struct report_vals v = base();

	(void)state;
	step(&st, &v, false, 0);
	v.mem_avail_kb -= 16 * MIB;		/* exactly the threshold */
	assert_int_equal(step(&st, &v, false, 100), 0);
	v.mem_avail_kb -= 1;			/* past it */
	assert_int_equal(step(&st, &v, false, 200), REPORT_CHANGE);
	/* Relative to the last publish, not the last sample. */
	v.mem_free_kb += 10 * MIB;
	assert_int_equal(step(&st, &v, false, 300), 0);
	v.mem_free_kb += 7 * MIB;
	assert_int_equal(step(&st, &v, false, 400), REPORT_CHANGE);
	v.swap_used_kb += 17 * MIB;
	assert_int_equal(step(&st, &v, false, 500), REPORT_CHANGE);
	v.mem_total_kb -= 17 * MIB;		/* balloon moved */
	assert_int_equal(step(&st, &v, false, 600), REPORT_CHANGE);
}

static void
test_threshold_relative(void **state)
{
	struct report_state st = { .published = false };
	struct report_vals v = base();

	(void)state;
	/* 256 MiB guest: 2 % is 5.12 MiB, below the 16 MiB threshold. */
	v.mem_total_kb = 256 * MIB;
	v.mem_free_kb = v.mem_avail_kb = 128 * MIB;
	step(&st, &v, false, 0);
	v.mem_avail_kb -= 5 * MIB;
	assert_int_equal(step(&st, &v, false, 100), 0);
	v.mem_avail_kb -= MIB / 4;
	assert_int_equal(step(&st, &v, false, 200), REPORT_CHANGE);
	/* 2 GiB guest: 10 MiB is below both thresholds. */
	memset(&st, 0, sizeof(st));
	v = base();
	step(&st, &v, false, 0);
	v.mem_avail_kb -= 10 * MIB;
	assert_int_equal(step(&st, &v, false, 100), 0);
}

static void
test_heartbeat(void **state)
{
	struct report_state st = { .published = false };
	struct report_vals v = base();

	(void)state;
	step(&st, &v, false, 10000);
	assert_int_equal(step(&st, &v, false, 14999), 0);
	assert_int_equal(step(&st, &v, false, 15000), REPORT_HEARTBEAT);
	assert_int_equal(step(&st, &v, false, 15001), 0);
	assert_int_equal(report_wake_ms(&cfg, &st), 20000);
	/* A change publish also restarts the heartbeat period. */
	v.mem_free_kb += 20 * MIB;
	assert_int_equal(step(&st, &v, false, 17000), REPORT_CHANGE);
	assert_int_equal(step(&st, &v, false, 21999), 0);
	assert_int_equal(step(&st, &v, false, 22000), REPORT_HEARTBEAT);
}

static void
test_swapin_growth(void **state)
{
	struct report_state st = { .published = false };
	struct report_vals v = base();
	uint32_t why;

	(void)state;
	step(&st, &v, false, 0);
	assert_int_equal(step(&st, &v, false, 100), 0);
	v.pswpin += 1;			/* one page swapped in */
	why = step(&st, &v, false, 200);
	assert_int_equal(why, REPORT_SWAPIN);
	assert_true(why & REPORT_URGENT_MASK);
	assert_int_equal(step(&st, &v, false, 300), 0);	/* no growth */
	/* Backwards (reboot or bogus read) is not growth. */
	v.pswpin = 3;
	assert_int_equal(step(&st, &v, false, 400), 0);
	v.pswpin = 4;
	assert_int_equal(step(&st, &v, false, 500), REPORT_SWAPIN);
}

static void
test_kswapd_burst(void **state)
{
	struct report_state st = { .published = false };
	struct report_vals v = base();

	(void)state;
	step(&st, &v, false, 0);
	v.pgscan_kswapd += 1024;		/* at the threshold */
	assert_int_equal(step(&st, &v, false, 100), 0);
	v.pgscan_kswapd += 1025;		/* past it, since last sample */
	assert_int_equal(step(&st, &v, false, 200), REPORT_KSWAPD);
	/* Slow scanning never adds up to a burst. */
	v.pgscan_kswapd += 1000;
	assert_int_equal(step(&st, &v, false, 300), 0);
	v.pgscan_kswapd += 1000;
	assert_int_equal(step(&st, &v, false, 400), 0);
}

/* Without swap: an OOM kill or a direct-reclaim stall is urgent. */
static void
test_oom_and_stall(void **state)
{
	struct report_state st = { .published = false };
	struct report_vals v = base();

	(void)state;
	step(&st, &v, false, 0);
	v.oom_kill = 1;
	assert_int_equal(step(&st, &v, false, 100), REPORT_OOM);
	assert_int_equal(step(&st, &v, false, 200), 0);	/* same count */
	v.allocstall = 3;
	assert_int_equal(step(&st, &v, false, 300), REPORT_STALL);
	v.allocstall = 2;			/* backwards: not growth */
	assert_int_equal(step(&st, &v, false, 400), 0);
}

/*
 * MemAvailable crossing below the low watermark + max(watermark, 16 MiB)
 * is urgent once; it re-arms after it rose above again.  No watermark
 * (old agent fixture, unknown): never.
 */
static void
test_lowmem_crossing(void **state)
{
	struct report_state st = { .published = false };
	struct report_vals v = base();

	(void)state;
	v.wmark_low_kb = 20 * MIB;		/* line: 20 + 20 MiB */
	step(&st, &v, false, 0);
	v.mem_avail_kb = 41 * MIB;
	assert_int_equal(step(&st, &v, false, 100) & REPORT_LOWMEM, 0);
	v.mem_avail_kb = 39 * MIB;
	assert_true(step(&st, &v, false, 200) & REPORT_LOWMEM);
	v.mem_avail_kb = 30 * MIB;		/* still low: no new event */
	assert_int_equal(step(&st, &v, false, 300) & REPORT_LOWMEM, 0);
	v.mem_avail_kb = 500 * MIB;
	step(&st, &v, false, 6000);
	v.mem_avail_kb = 10 * MIB;
	assert_true(step(&st, &v, false, 6100) & REPORT_LOWMEM);
	v.wmark_low_kb = 4 * MIB;		/* margin at least 16 MiB */
	v.mem_avail_kb = 500 * MIB;
	step(&st, &v, false, 12000);
	v.mem_avail_kb = 19 * MIB;
	assert_true(step(&st, &v, false, 12100) & REPORT_LOWMEM);
	st = (struct report_state){ .published = false };
	v = base();
	v.mem_avail_kb = 1;
	assert_int_equal(step(&st, &v, false, 0), REPORT_FIRST);
}

/*
 * Adaptive sampling: fast while MemAvailable is near the line or falling
 * fast, or while swap in use is more than the guest could take back;
 * slow (up to the maximum) while it is ample.
 */
static void
test_interval_adaptive(void **state)
{
	struct report_vals v = base(), p;

	(void)state;
	v.wmark_low_kb = 20 * MIB;			/* line: 40 MiB */
	v.mem_avail_kb = 16384 * MIB;			/* ample: 2 s at 8 GiB/s */
	assert_int_equal(report_interval_ms(100, 1000, &v, NULL, 0), 1000);
	v.mem_avail_kb = 40 * MIB + 4096 * MIB;		/* 0.5 s to the line */
	assert_int_equal(report_interval_ms(100, 1000, &v, NULL, 0), 500);
	v.mem_avail_kb = 500 * MIB;			/* near it: fast */
	assert_int_equal(report_interval_ms(100, 1000, &v, NULL, 0), 100);
	v.mem_avail_kb = 30 * MIB;			/* below it */
	assert_int_equal(report_interval_ms(100, 1000, &v, NULL, 0), 100);
	/* falling (16 MiB or more since the last sample): fast */
	v.mem_avail_kb = 40 * MIB + 4096 * MIB;
	p = v;
	p.mem_avail_kb = v.mem_avail_kb + 16 * MIB;
	assert_int_equal(report_interval_ms(100, 1000, &v, &p, 100), 100);
	p.mem_avail_kb = v.mem_avail_kb + 15 * MIB;
	assert_int_equal(report_interval_ms(100, 1000, &v, &p, 100), 500);
	/* swap in use above what is available: fast */
	v.mem_avail_kb = 1024 * MIB;
	v.swap_used_kb = 2048 * MIB;
	assert_int_equal(report_interval_ms(100, 1000, &v, NULL, 0), 100);
	/* fixed when the maximum is not above the interval */
	v.swap_used_kb = 0;
	v.mem_avail_kb = 8192 * MIB;
	assert_int_equal(report_interval_ms(100, 100, &v, NULL, 0), 100);
	assert_int_equal(report_interval_ms(200, 50, &v, NULL, 0), 200);
	/* no watermark known: the line is 64 MiB */
	v.wmark_low_kb = 0;
	v.mem_avail_kb = 64 * MIB + 4096 * MIB;
	assert_int_equal(report_interval_ms(100, 1000, &v, NULL, 0), 500);
}

/* The watermark as Linux computes it from the two sysctls. */
static void
test_wmark_low(void **state)
{
	(void)state;
	assert_int_equal(sample_wmark_low_kb(0, 10, 2048 * MIB), 0);
	/* small guest: min / 4 dominates */
	assert_int_equal(sample_wmark_low_kb(22528, 10, 1000000),
	    22528 + 5632);
	/* scale factor dominates: 1 % of 8 GiB with scale 100 */
	assert_int_equal(sample_wmark_low_kb(67584, 100, 8388608),
	    67584 + 8388608 / 10000 * 100);
}

static void
test_psi_trigger(void **state)
{
	struct report_state st = { .published = false };
	struct report_vals v = base();

	(void)state;
	step(&st, &v, false, 0);
	assert_int_equal(step(&st, &v, true, 30), REPORT_PSI);
	/* Rate limited but remembered. */
	assert_int_equal(step(&st, &v, true, 60), 0);
	assert_int_equal(report_wake_ms(&cfg, &st), 80);
	assert_int_equal(step(&st, &v, false, 80), REPORT_PSI);
	assert_int_equal(step(&st, &v, false, 200), 0);
}

static void
test_urgent_rate_limit(void **state)
{
	struct report_state st = { .published = false };
	struct report_vals v = base();
	unsigned i, published = 0;

	(void)state;
	step(&st, &v, false, 0);
	/* A thrashing guest: swap-ins on every 1 ms sample for 1 s. */
	for (i = 1; i <= 1000; i++) {
		v.pswpin += 10;
		if (step(&st, &v, i % 3 == 0, i) != 0)
			published++;
	}
	/* One urgent publish per 50 ms: 20 in 1 s. */
	assert_int_equal(published, 20);
	/* A pending urgent holds ordinary publishes back too. */
	memset(&st, 0, sizeof(st));
	v = base();
	step(&st, &v, false, 0);
	v.pswpin++;
	assert_int_equal(step(&st, &v, false, 10), REPORT_SWAPIN);
	v.pswpin++;
	v.mem_avail_kb -= 100 * MIB;
	assert_int_equal(step(&st, &v, false, 20), 0);
	assert_int_equal(report_wake_ms(&cfg, &st), 60);
	assert_int_equal(step(&st, &v, false, 60),
	    REPORT_SWAPIN | REPORT_CHANGE);
	/* Gap 0 disables the limit. */
	{
		struct report_cfg c0 = cfg;

		c0.urgent_gap_ms = 0;
		v.pswpin++;
		assert_int_equal(report_decide(&c0, &st, &v, false, 60),
		    REPORT_SWAPIN);
	}
}

static void
test_reset_after_reconnect(void **state)
{
	struct report_state st = { .published = false };
	struct report_vals v = base();

	(void)state;
	step(&st, &v, false, 0);
	assert_int_equal(step(&st, &v, false, 100), 0);
	report_reset(&st);
	assert_int_equal(report_wake_ms(&cfg, &st), 0);
	assert_int_equal(step(&st, &v, false, 200), REPORT_FIRST);
}

static void
test_seq(void **state)
{
	(void)state;
	assert_int_equal(report_next_seq(0, 0), 1);
	assert_int_equal(report_next_seq(41, 10), 42);
	assert_int_equal(report_next_seq(41, 90000), 90000);	/* restart */
	assert_true(report_next_seq(CG_MAX_COUNT, 0) == CG_MAX_COUNT);
}

static void
fill(struct sample *s)
{
	memset(s, 0, sizeof(*s));
	s->mem.kb[PROCFS_MEM_TOTAL] = 2000000;
	s->mem.kb[PROCFS_MEM_FREE] = 100000;
	s->mem.kb[PROCFS_MEM_AVAIL] = 400000;
	s->mem.kb[PROCFS_MEM_CACHED] = 300000;
	s->mem.kb[PROCFS_MEM_SWAP_TOTAL] = 500000;
	s->mem.kb[PROCFS_MEM_SWAP_FREE] = 200000;
	s->mem.present = (1U << PROCFS_MEM_COUNT) - 1;
	s->vm.val[PROCFS_VM_PSWPIN] = 11;
	s->vm.val[PROCFS_VM_PSWPOUT] = 22;
	s->vm.val[PROCFS_VM_PGSCAN_KSWAPD] = 33;
	s->vm.val[PROCFS_VM_PGMAJFAULT] = 44;
	s->vm.val[PROCFS_VM_OOM_KILL] = 2;
	s->vm.val[PROCFS_VM_PGSCAN_DIRECT] = 88;
	s->vm.present = (1U << PROCFS_VM_COUNT) - 1;
	s->has_allocstall = true;
	s->allocstall = 77;
	s->wmark_low_kb = 20000;
	s->refault = 55;
	s->has_psi = true;
	s->psi.some.total_us = 66;
	s->psi.some.avg10_pct100 = 1234;
	s->psi.full.total_us = 7;
	s->psi.has_full = 1;
}

/* Build, encode, decode: the record dom0 gets is the sample. */
static void
test_build_roundtrip(void **state)
{
	struct cg_record rec, back;
	struct report_vals v;
	struct sample s;
	char buf[CG_RECORD_MAX_LEN + 1];
	int n;

	(void)state;
	fill(&s);
	report_build(&s, 9, true, &rec);
	n = record_encode(&rec, buf, sizeof(buf));
	assert_true(n > 0);
	assert_string_equal(buf, "v=1 seq=9 mem_total=2000000 mem_free=100000 "
	    "mem_avail=400000 swap_total=500000 swap_free=200000 pswpin=11 "
	    "pswpout=22 pgscan_kswapd=33 pgmajfault=44 refault=55 "
	    "psi_some_us=66 psi_full_us=7 urgent=1 cached=300000 "
	    "psi_some_avg10=1234 has_psi=1 oom_kill=2 allocstall=77 "
	    "pgscan_direct=88 wmark_low=20000");
	assert_int_equal(record_decode(buf, (size_t)n, &back, NULL), 0);
	report_vals_from_sample(&s, &v);
	assert_int_equal(v.swap_used_kb, 300000);
	assert_int_equal(v.pswpin, 11);
	assert_int_equal(v.pgscan_kswapd, 33);
}

/* Kernel quirks never produce a record dom0 would reject. */
static void
test_build_clamps(void **state)
{
	struct cg_record rec, back;
	struct sample s;
	char buf[CG_RECORD_MAX_LEN + 1];
	int n;

	(void)state;
	fill(&s);
	s.mem.kb[PROCFS_MEM_TOTAL] = 3ULL << 30;	/* 3 TiB > bound */
	s.mem.kb[PROCFS_MEM_AVAIL] = 4ULL << 30;
	s.mem.kb[PROCFS_MEM_SWAP_FREE] = 600000;	/* > total */
	s.vm.val[PROCFS_VM_PSWPIN] = UINT64_MAX;
	s.psi.full.total_us = 1000;			/* > some */
	report_build(&s, 1, false, &rec);
	n = record_encode(&rec, buf, sizeof(buf));
	assert_true(n > 0);
	assert_int_equal(record_decode(buf, (size_t)n, &back, NULL), 0);
	assert_true(back.val[CG_F_MEM_TOTAL] == CG_MAX_KB);
	assert_true(back.val[CG_F_MEM_AVAIL] == CG_MAX_KB);
	assert_int_equal(back.val[CG_F_SWAP_FREE], 500000);
	assert_true(back.val[CG_F_PSWPIN] == CG_MAX_COUNT);
	assert_int_equal(back.val[CG_F_PSI_FULL_US], 66);
	/* No PSI, no swap, no optional fields. */
	fill(&s);
	s.has_psi = false;
	s.mem.present &= ~(PROCFS_BIT(PROCFS_MEM_CACHED) |
	    PROCFS_BIT(PROCFS_MEM_SWAP_TOTAL) | PROCFS_BIT(PROCFS_MEM_SWAP_FREE));
	s.vm.present = 0;
	report_build(&s, 2, false, &rec);
	n = record_encode(&rec, buf, sizeof(buf));
	assert_true(n > 0);
	assert_int_equal(record_decode(buf, (size_t)n, &back, NULL), 0);
	assert_int_equal(back.val[CG_F_HAS_PSI], 0);
	assert_int_equal(back.val[CG_F_PSI_SOME_US], 0);
	assert_false(record_has(&back, CG_F_PSI_SOME_AVG10));
	assert_false(record_has(&back, CG_F_CACHED));
	assert_int_equal(back.val[CG_F_SWAP_TOTAL], 0);
	assert_int_equal(back.val[CG_F_PSWPIN], 0);
}

static void
test_why_str(void **state)
{
	char buf[80];

	(void)state;
	assert_string_equal(report_why_str(REPORT_CHANGE | REPORT_PSI, buf,
	    sizeof(buf)), "change+psi");
	assert_string_equal(report_why_str(0, buf, sizeof(buf)), "");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_first_then_quiet),
		cmocka_unit_test(test_threshold_absolute),
		cmocka_unit_test(test_threshold_relative),
		cmocka_unit_test(test_heartbeat),
		cmocka_unit_test(test_swapin_growth),
		cmocka_unit_test(test_kswapd_burst),
		cmocka_unit_test(test_psi_trigger),
		cmocka_unit_test(test_urgent_rate_limit),
		cmocka_unit_test(test_reset_after_reconnect),
		cmocka_unit_test(test_seq),
		cmocka_unit_test(test_oom_and_stall),
		cmocka_unit_test(test_lowmem_crossing),
		cmocka_unit_test(test_wmark_low),
		cmocka_unit_test(test_interval_adaptive),
		cmocka_unit_test(test_build_roundtrip),
		cmocka_unit_test(test_build_clamps),
		cmocka_unit_test(test_why_str),
	};

	return cmocka_run_group_tests_name("agent_report", tests, NULL, NULL);
}
