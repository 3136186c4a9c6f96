/*
 * test_sim.c - cagma-sim: scenario parser errors, and model behaviour that
 * the benchmark's conclusions rely on (static swaps when demand exceeds
 * its memory, a stuck balloon never moves, cagma keeps the reserve).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "policy.h"
#include "../../bench/sim/scenario.h"
#include "../../bench/sim/sim.h"

#define SMALL "name t\nduration 60s\nstep 50ms\nhost_memory 2G\n" \
	"reserve 256M\nguest a start=512M max=1500M base=128M access=20000\n" \
	"phase a 10s anon=64M tasks=1\nphase a 50s anon=700M tasks=14 " \
	"disk_tasks=2\n"

static struct sim_scenario sc;

static void
test_parse_ok(void **state)
{
	char err[256];

	(void)state;
	assert_int_equal(scenario_parse("t", SMALL, &sc, err, sizeof(err)),
	    0);
	assert_string_equal(sc.name, "t");
	assert_int_equal(sc.nguests, 1);
	assert_int_equal(sc.guests[0].nphases, 2);
	assert_int_equal(sc.guests[0].phases[1].anon_kb, 700 * 1024);
	assert_int_equal(sc.host_kb, 2 * 1024 * 1024);
}

static void
test_parse_errors(void **state)
{
	static const char *const bad[] = {
		"step 500ms\nguest a start=1G max=2G\n",	/* step > 100 */
		"guest a start=1G max=512M\n",		/* max < start */
		"guest a start=1G max=2G bogus=1\n",
		"guest a start=1G max=2G\nguest a start=1G max=2G\n",
		"phase b 10s anon=1M\n",			/* unknown guest */
		"guest a start=1G max=2G\nphase a ten anon=1M\n",
		"host_memory lots\nguest a start=1G max=2G\n",
		"guest a start=1G max=2G\nphase a 1s anon=1M tasks=x\n",
		"guest a start=1G max=2G\nphase a 1s disk_tasks=1001\n",
		"",						/* no guests */
	};
	char err[256];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		assert_true(scenario_parse("t", bad[i], &sc, err,
		    sizeof(err)) < 0);
		assert_true(strncmp(err, "t", 1) == 0);
	}
}

static struct sim_result
run(const char *text, const char *policy)
{
	struct sim_opts o;
	struct sim_result res;
	char err[256];

	assert_int_equal(scenario_parse("t", text, &sc, err, sizeof(err)), 0);
	memset(&o, 0, sizeof(o));
	sim_opts_default(&o);
	o.ops = policy_find(policy);
	o.seed = 1;
	assert_int_equal(sim_run(&sc, &o, &res), 0);
	return res;
}

static void
test_static_swaps_cagma_does_not(void **state)
{
	struct sim_result st, cg;

	(void)state;
	/* 128 + 700 MiB demand in 512 MiB: static must swap, for ~50 s */
	st = run(SMALL, "static");
	assert_true(st.swapin_pages > 10000);
	assert_true(st.starved_s > 40);
	assert_true(st.mean_alloc_mib == 512);
	cg = run(SMALL, "cagma");
	assert_true(cg.swapin_pages < st.swapin_pages / 10);
	assert_int_equal(cg.reserve_violations, 0);
	assert_int_equal(cg.oom_events, 0);
}

static void
test_stuck_and_oom(void **state)
{
	struct sim_result r;

	(void)state;
	/* stuck balloon: cagma cannot help; tiny swap: OOM events */
	r = run("duration 20s\nhost_memory 2G\nguest a start=512M max=1G "
	    "swap=64M balloon=stuck base=128M\nphase a 20s anon=600M\n",
	    "cagma");
	assert_true(r.mean_alloc_mib == 512);
	assert_true(r.oom_events > 0);
	/* deterministic for a seed */
	assert_true(run(SMALL, "qmemman").swapin_pages ==
	    run(SMALL, "qmemman").swapin_pages);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_ok),
		cmocka_unit_test(test_parse_errors),
		cmocka_unit_test(test_static_swaps_cagma_does_not),
		cmocka_unit_test(test_stuck_and_oom),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
