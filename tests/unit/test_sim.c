/*
 * test_sim.c - cagma-sim: scenario parser errors, the Xen lab's settings
 * from a scenario (lab.c), and model behaviour that the benchmark's
 * conclusions rely on (static swaps when demand exceeds its memory, a stuck
 * balloon never moves, cagma keeps the reserve).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "policy.h"
#include "../../bench/sim/lab.h"
#include "../../bench/sim/model.h"
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
	/* the lab's workload and the lines, for lab.c */
	assert_int_equal(sc.guests[0].line, 6);
	assert_int_equal(sc.guests[0].phases[0].line, 7);
	assert_int_equal(sc.guests[0].phases[1].line, 8);
	assert_true(sc.guests[0].phases[0].has_tasks);
	assert_int_equal(sc.guests[0].phases[0].tasks, 1);
	assert_int_equal(sc.guests[0].phases[0].disk_tasks, 0);
	assert_int_equal(sc.guests[0].phases[1].tasks, 14);
	assert_int_equal(sc.guests[0].phases[1].disk_tasks, 2);
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

/* bench/scenarios/paper.scn without the simulator-only options */
#define LAB_PAPER "name paper\n" \
	"guest vm1 start=512M max=2500M\n" \
	"phase vm1 61s tasks=2\nphase vm1 61s tasks=2\n" \
	"phase vm1 61s tasks=2\nphase vm1 61s tasks=10\n" \
	"phase vm1 61s tasks=10\nphase vm1 61s anon=480M tasks=10\n" \
	"guest vm2 start=512M max=1500M # comment\n" \
	"phase vm2 183s tasks=2\nphase vm2 183s tasks=9\n" \
	"guest vm3 start=524288 max=3G\n" \
	"phase vm3 366s tasks=1 disk_tasks=15\n"

static int
lab(const char *text, const char *range, char *out, size_t outlen,
    char *err)
{
	struct lab_range r;

	assert_int_equal(lab_parse_range(range, &r), 0);
	assert_int_equal(scenario_parse("t", text, &sc, err, 256), 0);
	return lab_format(&sc, "t", &r, out, outlen, err, 256);
}

static void
test_lab_paper(void **state)
{
	char out[LAB_OUT_MAX], err[256];

	(void)state;
	/* the job every earlier lab run used; vm2/vm3 cut into 61 s units */
	assert_int_equal(lab(LAB_PAPER, "", out, sizeof(out), err), 0);
	assert_string_equal(out, "LAB_SCN_NAME=paper\nLAB_SCN_PHASES=6\n"
	    "LAB_VM1_START=512\nLAB_VM1_MAX=2500\n"
	    "LAB_VM1_TASKS=2,2,2,10,10,10\nLAB_VM1_DISK=0,0,0,0,0,0\n"
	    "LAB_VM2_START=512\nLAB_VM2_MAX=1500\n"
	    "LAB_VM2_TASKS=2,2,2,9,9,9\nLAB_VM2_DISK=0,0,0,0,0,0\n"
	    "LAB_VM3_START=512\nLAB_VM3_MAX=3072\n"
	    "LAB_VM3_TASKS=1,1,1,1,1,1\nLAB_VM3_DISK=15,15,15,15,15,15\n");
	/* the demo's phases */
	assert_int_equal(lab(LAB_PAPER, "2-4", out, sizeof(out), err), 0);
	assert_non_null(strstr(out, "LAB_SCN_PHASES=3\n"));
	assert_non_null(strstr(out, "LAB_VM1_TASKS=2,10,10\n"));
	assert_non_null(strstr(out, "LAB_VM3_DISK=15,15,15\n"));
	/* a guest that ends early holds its last phase; unnamed */
	assert_int_equal(lab("guest vm1 start=1G max=1G\nphase vm1 1s tasks=1\n"
	    "guest vm2 start=1G max=1G\nphase vm2 500ms tasks=3\n"
	    "guest vm3 start=1G max=1G\nphase vm3 250 tasks=0 disk_tasks=4\n"
	    "phase vm3 250ms tasks=5\n", "", out, sizeof(out), err), 0);
	assert_string_equal(out, "LAB_SCN_NAME=unnamed\nLAB_SCN_PHASES=4\n"
	    "LAB_VM1_START=1024\nLAB_VM1_MAX=1024\n"
	    "LAB_VM1_TASKS=1,1,1,1\nLAB_VM1_DISK=0,0,0,0\n"
	    "LAB_VM2_START=1024\nLAB_VM2_MAX=1024\n"
	    "LAB_VM2_TASKS=3,3,3,3\nLAB_VM2_DISK=0,0,0,0\n"
	    "LAB_VM3_START=1024\nLAB_VM3_MAX=1024\n"
	    "LAB_VM3_TASKS=0,5,5,5\nLAB_VM3_DISK=4,0,0,0\n");
	/* too small a buffer is an error, not a cut line */
	assert_int_equal(lab(LAB_PAPER, "", out, 100, err), -ENOSPC);
}

#define LAB_G23 "guest vm2 start=1G max=2G\nphase vm2 1s tasks=1\n" \
	"guest vm3 start=1G max=2G\nphase vm3 1s tasks=1\n"

static void
test_lab_refused(void **state)
{
	static const struct {
		const char *text, *range, *err;
	} bad[] = {
		{ "guest vm1 start=1G max=2G\nphase vm1 1s anon=1M\n" LAB_G23,
		    "", "t:2: vm1: phase without tasks=" },
		{ "guest hot start=1G max=2G\n", "",
		    "t:1: the lab has guests vm1, vm2, vm3, in that order "
		    "(got hot)" },
		{ LAB_G23 "guest vm1 start=1G max=2G\nphase vm1 1s tasks=1\n",
		    "", "t:1: the lab has guests vm1, vm2, vm3" },
		{ "guest vm1 start=1G max=2G\nphase vm1 1s tasks=1\n"
		    "guest vm2 start=1G max=2G\nphase vm2 1s tasks=1\n", "",
		    "t: the lab needs guests vm1, vm2, vm3" },
		{ "guest vm1 start=1G max=2G\nphase vm1 1s tasks=1\n" LAB_G23
		    "guest vm4 start=1G max=2G\n", "",
		    "t:7: the lab has guests" },
		{ "\nguest vm1 start=1G max=2G count=3\n", "",
		    "t:2: vm1: count= is not supported" },
		{ "guest vm1 start=1000 max=2G\n", "",
		    "t:1: vm1: start= is 1000 KiB, not a whole MiB" },
		{ "guest vm1 start=1G max=2097153\n", "", "t:1: vm1: max=" },
		{ "guest vm1 start=1G max=2G\n" LAB_G23, "",
		    "t:1: vm1 has no phase" },
		{ "guest vm1 start=1G max=2G\nphase vm1 1s tasks=1\n" LAB_G23,
		    "0-1", "t: 1 phase units; range 0-1 does not fit" },
		{ "guest vm1 start=1G max=2G\nphase vm1 3s tasks=1\n" LAB_G23,
		    "2-1", "t: 3 phase units; range 2-1 does not fit" },
		{ "guest vm1 start=1G max=2G\nphase vm1 65s tasks=1\n" LAB_G23,
		    "", "t: more than 64 phase units of 1000 ms" },
		{ "name a$b\nguest vm1 start=1G max=2G\nphase vm1 1s tasks=1\n"
		    LAB_G23, "", "t: the lab takes a name of" },
	};
	char out[LAB_OUT_MAX], err[256];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		out[0] = err[0] = '\0';
		assert_int_equal(lab(bad[i].text, bad[i].range, out,
		    sizeof(out), err), -EINVAL);
		if (strncmp(err, bad[i].err, strlen(bad[i].err)) != 0)
			fail_msg("case %zu: '%s' does not start with '%s'", i,
			    err, bad[i].err);
		assert_null(strchr(err, '\n'));
	}
}

static void
test_lab_range(void **state)
{
	static const char *const bad[] = { "x", "2", "2-", "-2", "2-4-6",
		"123-4", "2-400", "2-4 ", " 2-4", "+2-4", "2--4", "a-b",
		"2-4\n" };
	struct lab_range r = { false, 7, 7 };
	size_t i;

	(void)state;
	assert_int_equal(lab_parse_range("", &r), 0);
	assert_true(r.all);
	assert_int_equal(lab_parse_range("2-4", &r), 0);
	assert_true(!r.all && r.first == 2 && r.last == 4);
	assert_int_equal(lab_parse_range("00-63", &r), 0);
	assert_true(!r.all && r.first == 0 && r.last == 63);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(lab_parse_range(bad[i], &r), -EINVAL);
		assert_true(!r.all && r.first == 0 && r.last == 63);
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


/* A scenario whose guests do not fit is refused at the guest's line. */
static void
test_guests_must_fit(void **state)
{
	char err[256];

	(void)state;
	assert_int_equal(scenario_parse("t", "host_memory 1G\n"
	    "guest a start=512M max=1G\nguest b start=600M max=1G\n", &sc,
	    err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "t:3: guest b"));
	assert_non_null(strstr(err, "host_memory"));
	assert_int_equal(scenario_parse("t", "host_memory 1G\n"
	    "guest a start=256M max=1G count=5\n", &sc, err, sizeof(err)),
	    -EINVAL);
	assert_non_null(strstr(err, "t:2: guest a"));
}

/* New directives parse; bad ones are refused. */
static void
test_parse_directives(void **state)
{
	static const char *const bad[] = {
		"guest a start=1G max=2G stuck_on=19s stuck_off=1s\n",
		"guest a start=1G max=2G stuck_from=1s stuck_on=19s\n",
		"guest a start=1G max=2G hidden_floor=1G hidden_max=512M\n",
		"guest a start=1G max=2G\nhost_use size=1G\n",
		"guest a start=1G max=2G\nhost_use at=10s until=5s size=1G\n",
		"guest a start=1G max=2G\nvm_start at=1s size=1G\n",
		"guest a start=1G max=2G\nvm_start v size=1G\n",
		"guest a start=1G max=2G\nvm_start v at=1s size=1G bogus=2\n",
		"guest a start=1G max=2G\nphase a 1s cold=lots\n",
	};
	char err[256];
	size_t i;

	(void)state;
	assert_int_equal(scenario_parse("t", "host_memory 4G\n"
	    "guest a start=1G max=2G stuck_from=10s stuck_on=19s "
	    "stuck_off=1s hidden_max=1500M balloon_slack=4M\n"
	    "phase a 10s anon=64M cold=256M\n"
	    "host_use at=5s until=20s size=512M\n"
	    "vm_start v at=30s size=1G overhead=8M deadline=10s\n", &sc, err,
	    sizeof(err)), 0);
	assert_true(sc.guests[0].has_stuck_from);
	assert_int_equal(sc.guests[0].stuck_on_ms, 19000);
	assert_int_equal(sc.guests[0].hidden_max_kb, 1500 * 1024);
	assert_int_equal(sc.guests[0].phases[0].cold_kb, 256 * 1024);
	assert_int_equal(sc.nhost_use, 1);
	assert_int_equal(sc.host_use[0].until_ms, 20000);
	assert_int_equal(sc.nvm_start, 1);
	assert_int_equal(sc.vm_start[0].deadline_ms, 10000);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_true(scenario_parse("t", bad[i], &sc, err,
		    sizeof(err)) < 0);
}

static struct sim_guest_cfg gcfg;

static void
model_init(struct sim_guest *g, uint64_t start_kb, uint64_t swap_kb)
{
	memset(&gcfg, 0, sizeof(gcfg));
	gcfg.start_kb = start_kb;
	gcfg.max_kb = 4 * start_kb;
	gcfg.swap_kb = swap_kb;
	gcfg.base_kb = 64 * 1024;
	gcfg.rate_kbps = 1024 * 1024;
	gcfg.ramp_kbps = 1024 * 1024;
	gcfg.access_pps = 20000;
	gcfg.nphases = 1;
	gcfg.phases[0].dur_ms = 1000000;
	model_guest_init(g, &gcfg, 1, 0, 1.0);
}

/*
 * Without swap: no OOM kill while the demand fits, page-cache reclaim
 * stalls (PSI, direct scans), and a demand past the allocation is
 * OOM-killed, which the guest's /proc shows.
 */
static void
test_swapless_pressure(void **state)
{
	struct sim_guest g;
	struct sample smp;
	uint64_t t;

	(void)state;
	model_init(&g, 512 * 1024, 0);
	gcfg.phases[0].anon_kb = 300 * 1024;
	gcfg.phases[0].file_kb = 200 * 1024;
	for (t = 0; t < 5000; t += 50) {
		model_demand(&g, t, 50);
		model_swapin(&g, g.want_swapin_pps, 50);
	}
	assert_true(g.oom_events == 0);
	assert_true(g.swapped_kb == 0);
	assert_true(g.pgscan_direct > 0);	/* cache made room for anon */
	assert_true(g.psi_some_us > 0);
	gcfg.phases[0].anon_kb = 600 * 1024;	/* past the allocation */
	for (; t < 10000; t += 50)
		model_demand(&g, t, 50);
	assert_true(g.oom_events > 0);
	assert_true(g.swapped_kb == 0);
	model_sample(&g, &smp);
	assert_true(smp.vm.val[PROCFS_VM_OOM_KILL] > 0);
	assert_true(smp.psi.full.total_us > 0);
}

/* Swapless guests whose demand rises and falls: no kill from rounding. */
static void
test_swapless_no_residue_kills(void **state)
{
	struct sim_result r;

	(void)state;
	r = run("duration 120s\nhost_memory 3G\n"
	    "guest a start=1G max=2G swap=0 base=100M\n"
	    "phase a 7s anon=333M\nphase a 3s anon=77M\n"
	    "phase a 11s anon=512M\nphase a 5s anon=13M\n"
	    "phase a 94s anon=700M\n"
	    "guest b start=1G max=2G swap=0 base=100M\n"
	    "phase b 13s anon=640M\nphase b 107s anon=31M\n", "cagma");
	assert_int_equal(r.oom_events, 0);
}

/* Cold (write-once) pages in swap come back slowly, hot ones at once. */
static void
test_cold_memory(void **state)
{
	static const char *const fmt = "duration 60s\nhost_memory 2G\n"
	    "guest a start=512M max=1G base=64M\nphase a 60s anon=%s\n";
	char hot[256], cold[256];
	struct sim_result h, c;

	(void)state;
	snprintf(cold, sizeof(cold), fmt, "64M cold=600M");
	snprintf(hot, sizeof(hot), fmt, "664M");
	h = run(hot, "static");
	c = run(cold, "static");
	assert_true(h.swapin_pages > 10000);
	assert_true(c.swapin_pages * 20 < h.swapin_pages);
}

/* Balloon faults: stuck from a time, intermittent, ceiling, slack. */
static void
test_balloon_faults(void **state)
{
	struct sim_guest g;
	double host = 1 << 30;
	uint64_t t;

	(void)state;
	model_init(&g, 512 * 1024, 0);
	gcfg.has_stuck_from = true;
	gcfg.stuck_from_ms = 1000;
	g.target_kb = 1024 * 1024;
	model_balloon(&g, 0, 100, &host);
	assert_true(g.alloc_kb > 512 * 1024);	/* moves before */
	g.alloc_kb = 600 * 1024;
	model_balloon(&g, 1000, 100, &host);
	assert_true(g.alloc_kb == 600 * 1024);	/* stuck after */
	gcfg.stuck_on_ms = 19000;
	gcfg.stuck_off_ms = 1000;
	assert_true(model_balloon_stuck(&g, 1000 + 18999));
	assert_false(model_balloon_stuck(&g, 1000 + 19000));
	assert_true(model_balloon_stuck(&g, 1000 + 20000));
	gcfg.has_stuck_from = false;
	gcfg.hidden_max_kb = 700 * 1024;
	for (t = 0; t < 2000; t += 100)
		model_balloon(&g, t, 100, &host);
	assert_true(g.alloc_kb == 700 * 1024);	/* hidden ceiling */
	gcfg.hidden_max_kb = 0;
	gcfg.balloon_slack_kb = 3 * 1024;
	for (t = 0; t < 2000; t += 100)
		model_balloon(&g, t, 100, &host);
	assert_true(g.alloc_kb == 1021 * 1024);	/* 3 MiB short */
}

/* A host-side consumer and VM starts: latency, failures, host free. */
static void
test_host_use_and_vm_start(void **state)
{
	struct sim_result r;

	(void)state;
	r = run("duration 60s\nhost_memory 4G\nreserve 256M\n"
	    "guest a start=1G max=2G base=128M\nphase a 60s anon=64M\n"
	    "host_use at=10s until=30s size=2G\n"
	    "vm_start v at=40s size=512M\n", "static");
	assert_int_equal(r.vm_starts, 1);
	assert_int_equal(r.failed_starts, 0);
	assert_true(r.start_ms_max == 0);
	assert_true(r.host_min_free_mib < 1024 + 1);
	/* static never frees memory: a start that does not fit fails */
	r = run("duration 60s\nhost_memory 4G\n"
	    "guest a start=3G max=4G base=128M\nphase a 60s anon=64M\n"
	    "vm_start v at=10s size=2G deadline=20s\n", "static");
	assert_int_equal(r.vm_starts, 0);
	assert_int_equal(r.failed_starts, 1);
}

/*
 * A start through cagmad's reservations squeezes an idle guest that holds
 * the memory (cagma, qmemman), never below its CMA (no swap-ins); static
 * frees nothing; a start larger than the guest could give is refused.
 */
static void
test_vm_start_squeezes(void **state)
{
	static const char *const scn = "duration 60s\nhost_memory 4G\n"
	    "reserve 256M\nguest a start=3G max=4G base=300M rate=512M\n"
	    "phase a 60s anon=200M file=100M\n"
	    "vm_start v at=2s size=1500M deadline=30s\n"
	    "vm_start w at=40s size=3G deadline=10s\n";
	struct sim_result r;

	(void)state;
	r = run(scn, "cagma");
	assert_int_equal(r.vm_starts, 1);
	assert_int_equal(r.failed_starts, 1);
	assert_true(r.start_ms_max >= 0 && r.start_ms_max < 10000);
	assert_true(r.swapin_pages == 0);
	assert_int_equal(r.reserve_violations, 0);
	r = run(scn, "qmemman");
	assert_int_equal(r.vm_starts, 1);
	r = run(scn, "static");
	assert_int_equal(r.vm_starts, 0);
	assert_int_equal(r.failed_starts, 2);
}

/*
 * Give-back and the largest drop: static keeps its 512 MiB (256 above the
 * floor) for the 80 s after the burst; cagma gives half of the burst
 * back within 30 s, in steps (no large drop).
 */
static void
test_giveback_metrics(void **state)
{
	static const char *const burst = "duration 120s\nhost_memory 4G\n"
	    "guest a start=512M max=3G base=128M rate=1G\n"
	    "phase a 10s anon=32M\nphase a 30s anon=1500M\n"
	    "phase a 80s anon=32M\n";
	struct sim_result st, qm;

	(void)state;
	st = run(burst, "static");
	assert_true(st.giveback_s_max >= 79.9);	/* open until the end */
	assert_true(st.max_drop_mib == 0);
	assert_true(st.giveback_half_s_max >= 79.9);
	qm = run(burst, "cagma");
	assert_true(qm.giveback_half_s_max >= 0);
	assert_true(qm.giveback_half_s_max < 30);
	assert_true(qm.max_drop_mib > 0);
	assert_true(qm.max_drop_mib <= 150);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_ok),
		cmocka_unit_test(test_parse_errors),
		cmocka_unit_test(test_lab_paper),
		cmocka_unit_test(test_lab_refused),
		cmocka_unit_test(test_lab_range),
		cmocka_unit_test(test_static_swaps_cagma_does_not),
		cmocka_unit_test(test_stuck_and_oom),
		cmocka_unit_test(test_guests_must_fit),
		cmocka_unit_test(test_parse_directives),
		cmocka_unit_test(test_swapless_pressure),
		cmocka_unit_test(test_swapless_no_residue_kills),
		cmocka_unit_test(test_cold_memory),
		cmocka_unit_test(test_balloon_faults),
		cmocka_unit_test(test_host_use_and_vm_start),
		cmocka_unit_test(test_vm_start_squeezes),
		cmocka_unit_test(test_giveback_metrics),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
