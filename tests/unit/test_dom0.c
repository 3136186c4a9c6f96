/*
 * test_dom0.c - cagmad's pure parts: config, record -> state, stuck timing,
 * round coalescing (dom0/cfg.c, domains.c, sched.c),
 * plus what needs no xenstore around a lost xenstore link and a released
 * domain (reconnect backoff, error classes, status rendering).
 * Built twice: against the shipped objects and, with -DCAGMA_TEST_BACKENDS,
 * against the test build's ([sim] section accepted).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "cfg.h"
#include "config.h"
#include "control.h"
#include "daemon.h"
#include "domains.h"
#include "metrics.h"
#include "mtime.h"
#include "record.h"
#include "sched.h"
#include "xsio.h"
#include "xlconf.h"
#include "xlcfg.h"
#include "plan.h"

#define MIB	1024ULL

/* ---- config -------------------------------------------------------------- */

static int
only_cagma(const char *name)
{
	return strcmp(name, "cagma") == 0 || strcmp(name, "static") == 0 ?
	    0 : -ENOENT;
}

static void
test_cfg_defaults(void **state)
{
	struct cagmad_cfg c;
	char err[CONFIG_ERR_MAX] = "";

	(void)state;
	assert_int_equal(cfg_load_string("t.conf", "", false, only_cagma, &c,
	    err, sizeof(err)), 0);
	assert_int_equal(c.reserve_kb, 256 * MIB);
	assert_int_equal(c.period_ms, 1000);
	assert_int_equal(c.coalesce_ms, 100);
	assert_int_equal(c.stuck_ms, 5000);
	assert_int_equal(c.uncoop_ms, 20000);
	assert_int_equal(c.floor_kb, 256 * MIB);
	assert_int_equal(c.max_shrink_kb, 64 * MIB);
	assert_int_equal(c.shrink_rate_kbps, 50 * MIB);
	assert_false(c.balloon_dom0);
	assert_int_equal(c.set_target, CFG_SET_TARGET_LIBXL);
	assert_int_equal(cfg_load_string("t.conf", "set_target = direct\n",
	    false, only_cagma, &c, err, sizeof(err)), 0);
	assert_int_equal(c.set_target, CFG_SET_TARGET_DIRECT);
	assert_int_equal(cfg_load_string("t.conf", "set_target = libxl\n",
	    false, only_cagma, &c, err, sizeof(err)), 0);
	assert_int_equal(c.set_target, CFG_SET_TARGET_LIBXL);
	assert_int_equal(cfg_load_string("t.conf", "", false, only_cagma, &c,
	    err, sizeof(err)), 0);
	assert_string_equal(c.policy, "");
	assert_int_equal(c.n_doms, 0);
	/* a missing default file is fine, a missing explicit one is not */
	assert_int_equal(cfg_load("/nonexistent/cagmad.conf", true, false,
	    NULL, &c, err, sizeof(err)), 0);
	assert_int_equal(cfg_load("/nonexistent/cagmad.conf", false, false,
	    NULL, &c, err, sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, "/nonexistent/cagmad.conf"));
}

static void
test_cfg_overrides(void **state)
{
	static const char text[] =
	    "# comment\n"
	    "[global]\n"
	    "policy = static\n"
	    "period = 2s\n"
	    "coalesce = 50ms\n"
	    "reserve = 1G\n"
	    "max_shrink = 32M\n"
	    "shrink_rate = 12\n"
	    "surplus = weight\n"
	    "headroom = 50%\n"
	    "[domain web*]\n"
	    "min = 512M\n"
	    "weight = 300\n"
	    "[domain web-2]\n"
	    "enabled = no\n"
	    "max = 2G\n";
	struct cagmad_cfg c;
	struct cfg_dom_settings s;
	char err[CONFIG_ERR_MAX] = "";

	(void)state;
	assert_int_equal(cfg_load_string("t.conf", text, false, only_cagma, &c,
	    err, sizeof(err)), 0);
	assert_string_equal(c.policy, "static");
	assert_int_equal(c.period_ms, 2000);
	assert_int_equal(c.coalesce_ms, 50);
	assert_int_equal(c.reserve_kb, 1024 * MIB);
	assert_int_equal(c.max_shrink_kb, 32 * MIB);
	assert_int_equal(c.shrink_rate_kbps, 12 * MIB);
	assert_int_equal(c.surplus, POLICY_SURPLUS_WEIGHT);
	assert_int_equal(c.headroom_pct, 50);
	assert_int_equal(c.n_doms, 2);

	cfg_match(&c, "web-1", &s);
	assert_int_equal(s.floor_kb, 512 * MIB);
	assert_int_equal(s.weight, 300);
	assert_true(s.enabled);
	assert_int_equal(s.max_kb, 0);
	cfg_match(&c, "web-2", &s);	/* both sections, later keys win */
	assert_int_equal(s.floor_kb, 512 * MIB);
	assert_false(s.enabled);
	assert_int_equal(s.max_kb, 2048 * MIB);
	cfg_match(&c, "db", &s);	/* no match: global defaults */
	assert_int_equal(s.floor_kb, 256 * MIB);
	assert_int_equal(s.weight, 100);
	assert_true(s.enabled);
}

/*
 * The planner's step is the release rate times the period, capped by
 * max_shrink: 50 MiB/s and 1 s give 50 MiB; 2 s would give 100, capped at
 * 64; "80M" is a rate too.
 */
static void
test_cfg_shrink_rate(void **state)
{
	struct cagmad_cfg c;
	struct policy_cfg p;
	char err[CONFIG_ERR_MAX] = "";

	(void)state;
	assert_int_equal(cfg_load_string("t.conf", "", false, only_cagma, &c,
	    err, sizeof(err)), 0);
	cfg_policy_cfg(&c, &p);
	assert_int_equal(p.max_shrink_kb, 50 * MIB);
	assert_int_equal(p.shrink_interval_ms, 1000);
	assert_int_equal(cfg_load_string("t.conf", "period = 2s\n", false,
	    only_cagma, &c, err, sizeof(err)), 0);
	cfg_policy_cfg(&c, &p);
	assert_int_equal(p.max_shrink_kb, 64 * MIB);
	assert_int_equal(cfg_load_string("t.conf", "shrink_rate = 20M\n"
	    "period = 500ms\n", false, only_cagma, &c, err, sizeof(err)), 0);
	cfg_policy_cfg(&c, &p);
	assert_int_equal(p.max_shrink_kb, 10 * MIB);
	assert_int_equal(cfg_load_string("t.conf", "headroom = auto\n", false,
	    only_cagma, &c, err, sizeof(err)), 0);
	cfg_policy_cfg(&c, &p);
	assert_true(p.headroom_pct == POLICY_HEADROOM_AUTO);
}

static void
test_cfg_errors(void **state)
{
	static const struct {
		const char *text;
		bool sim;
		const char *want;
	} t[] = {
		{ "[global]\nperiod = 1s\nbogus = 1\n", false,
		  "t.conf:3: unknown key 'bogus'" },
		{ "reserve = 32M\n", false, "t.conf:1: reserve: invalid size" },
		{ "\n\n[global]\nreserve = 12Q\n", false,
		  "t.conf:4: reserve: invalid size" },
		{ "policy = nonesuch\n", false,
		  "t.conf:1: policy: unknown policy 'nonesuch'" },
#ifdef CAGMA_TEST_BACKENDS
		{ "[sim]\nhost_memory = 4G\n", false,
		  "t.conf:2: [sim] is only valid with --backend sim" },
		{ "[sim]\nstuck = 3,x\n", true, "t.conf:2: stuck:" },
#else
		/* the shipped cagmad has no simulated backend */
		{ "[sim]\nhost_memory = 4G\n", false,
		  "t.conf:2: [sim] is only accepted by the test build" },
		{ "period = 2s\n\n[sim]\nhost_memory = 4G\n", true,
		  "t.conf:4: [sim] is only accepted by the test build" },
#endif
		{ "[weird]\na = 1\n", false, "t.conf:2: unknown section" },
		{ "[domain a*]\nweight = 0\n", false, "t.conf:2: weight:" },
		{ "[domain a*]\nfoo = 0\n", false,
		  "t.conf:2: unknown key 'foo' in [domain a*]" },
		{ "period = 50\nperiod\n", false, "t.conf:2: syntax error" },
		{ "surplus = all\n", false, "t.conf:1: surplus:" },
		{ "headroom = 1001\n", false,
		  "t.conf:1: headroom: expected a percentage 0..1000 or auto, "
		  "not '1001'" },
		{ "headroom = Auto\n", false, "t.conf:1: headroom:" },
		{ "headroom = 5%%\n", false, "not '5%%'" },
		{ "headroom = -1\n", false, "t.conf:1: headroom:" },
		{ "stuck = 30s\n", false, "uncooperative" },
		{ "shrink_rate = 0\n", false, "t.conf:1: shrink_rate: expected "
		  "MiB per second" },
		{ "shrink_rate = 512K\n", false, "t.conf:1: shrink_rate:" },
		{ "shrink_rate = fast\n", false, "t.conf:1: shrink_rate:" },
		{ "[libvirt]\nstats_period = 0\n", false,
		  "t.conf:2: stats_period: expected 1..60 seconds" },
		{ "[libvirt]\nstats_period = 61\n", false, "stats_period:" },
		{ "[libvirt]\nuri = a b\n", false, "t.conf:2: uri:" },
		{ "[libvirt]\nhost_memory = lots\n", false,
		  "t.conf:2: host_memory: invalid size" },
		{ "[libvirt]\nperiod = 1s\n", false,
		  "t.conf:2: unknown key 'period' in [libvirt]" },
		{ "set_target = xl\n", false, "t.conf:1: set_target: expected "
		  "libxl or direct, not 'xl'" },
		{ "set_target = Direct\n", false, "t.conf:1: set_target:" },
	};
	struct cagmad_cfg c;
	char err[CONFIG_ERR_MAX];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		memset(&c, 0x5a, sizeof(c));
		err[0] = '\0';
		assert_int_equal(cfg_load_string("t.conf", t[i].text, t[i].sim,
		    only_cagma, &c, err, sizeof(err)), -EINVAL);
		if (strstr(err, t[i].want) == NULL)
			fail_msg("case %zu: '%s' lacks '%s'", i, err, t[i].want);
		/* output untouched on failure */
		assert_int_equal(c.period_ms, 0x5a5a5a5a5a5a5a5aULL);
	}
}

/* [libvirt]: defaults, values; a [global] key after it is global again. */
static void
test_cfg_libvirt(void **state)
{
	struct cagmad_cfg c;
	char err[CONFIG_ERR_MAX];

	(void)state;
	assert_int_equal(cfg_load_string("t.conf", "", false, only_cagma, &c,
	    err, sizeof(err)), 0);
	assert_string_equal(c.libvirt.uri, "qemu:///system");
	assert_int_equal(c.libvirt.stats_period_s, 1);
	assert_int_equal(cfg_load_string("t.conf", "[libvirt]\n"
	    "uri = qemu+ssh://root@h/system\nstats_period = 5\n[global]\n"
	    "period = 3s\n", false, only_cagma, &c, err, sizeof(err)), 0);
	assert_string_equal(c.libvirt.uri, "qemu+ssh://root@h/system");
	assert_int_equal(c.libvirt.stats_period_s, 5);
	assert_int_equal(c.period_ms, 3000);
	assert_int_equal(c.libvirt.host_memory_kb, 0);
	assert_int_equal(cfg_load_string("t.conf", "[libvirt]\n"
	    "host_memory = 1536M\n", false, only_cagma, &c, err,
	    sizeof(err)), 0);
	assert_int_equal(c.libvirt.host_memory_kb, 1536 * 1024);
}

static void
test_cfg_sim_and_reload_keeps_old(void **state)
{
	struct cagmad_cfg c, keep;
	char err[CONFIG_ERR_MAX];
	char path[] = "/tmp/cagma-test-cfg-XXXXXX";
	FILE *fp;
	int fd;

	(void)state;
#ifdef CAGMA_TEST_BACKENDS
	assert_int_equal(cfg_load_string("t.conf", "[sim]\nhost_memory = 8G\n"
	    "balloon_rate = 100M\nstuck = 3, 5\n", true, NULL, &c, err,
	    sizeof(err)), 0);
	assert_int_equal(c.sim.host_memory_kb, 8 * 1024 * MIB);
	assert_int_equal(c.sim.balloon_rate_kbps, 100 * MIB);
	assert_int_equal(c.sim.n_stuck, 2);
	assert_true(cfg_sim_stuck(&c, 5));
	assert_false(cfg_sim_stuck(&c, 4));
#endif

	fd = mkstemp(path);
	assert_true(fd >= 0);
	fp = fdopen(fd, "w");
	fputs("period = 3s\n", fp);
	fclose(fp);
	assert_int_equal(cfg_load(path, false, false, NULL, &c, err,
	    sizeof(err)), 0);
	assert_int_equal(c.period_ms, 3000);
	keep = c;
	fp = fopen(path, "w");
	fputs("period = 4s\nreserve = 1M\n", fp);
	fclose(fp);
	assert_int_equal(cfg_load(path, false, false, NULL, &c, err,
	    sizeof(err)), -EINVAL);
	assert_memory_equal(&c, &keep, sizeof(c));
	assert_non_null(strstr(err, ":2: reserve"));
	unlink(path);
}

static void
test_cfg_shipped_file(void **state)
{
	struct cagmad_cfg c, d;
	char err[CONFIG_ERR_MAX] = "";

	(void)state;
	/* the commented default config installed to /etc/cagma parses and
	 * changes nothing (tests run from the top of the tree) */
	assert_int_equal(cfg_load("dom0/cagmad.conf", false, false, NULL, &c,
	    err, sizeof(err)), 0);
	cfg_defaults(&d);
	assert_memory_equal(&c, &d, sizeof(c));
}

/* ---- records -> state ---------------------------------------------------- */

static int
mkrec(char *buf, size_t size, uint64_t seq, uint64_t avail_kb,
    uint64_t pswpin, int urgent)
{
	struct cg_record r;
	int i;

	memset(&r, 0, sizeof(r));
	for (i = 0; i < CG_F_COUNT; i++)
		if (cg_fields[i].presence == CG_MANDATORY)
			record_set(&r, (enum cg_field_id)i, 0);
	record_set(&r, CG_F_V, 1);
	record_set(&r, CG_F_SEQ, seq);
	record_set(&r, CG_F_MEM_TOTAL, 2048 * MIB);
	record_set(&r, CG_F_MEM_FREE, avail_kb / 2);
	record_set(&r, CG_F_MEM_AVAIL, avail_kb);
	record_set(&r, CG_F_PSWPIN, pswpin);
	record_set(&r, CG_F_URGENT, (uint64_t)urgent);
	return record_encode(&r, buf, size);
}

/* An urgent record (seq, no swap-in: the flag alone) of d at now_ms. */
static enum dom_intake
intake_urgent(struct dom *d, const struct policy_cfg *pcfg, uint64_t seq,
    uint64_t now_ms)
{
	struct dom_reject why = { NULL, -1 };
	char buf[CG_RECORD_MAX_LEN + 1];
	int n = mkrec(buf, sizeof(buf), seq, 10 * MIB, 0, 1);

	return dom_intake(d, policy_find("cagma"), pcfg, buf, (size_t)n,
	    now_ms, 30000, &why);
}

/*
 * An emergency that cannot be served triggers no emergency round: at its
 * max, or within DOM_UNMET_BACKOFF_MS of a round that got it nothing.
 * Both are counted (cagmactl status shows them).
 */
static void
test_intake_unmet_emergency(void **state)
{
	struct dom_table *t = malloc(sizeof(*t));
	struct policy_cfg pcfg;
	struct dom *d;

	(void)state;
	policy_cfg_default(&pcfg);
	dom_table_init(t);
	d = dom_add(t, 5, 1536 * MIB, 1536 * MIB, 1536 * MIB);
	assert_int_equal(intake_urgent(d, &pcfg, 1, 1000),
	    DOM_INTAKE_NORMAL);			/* at its max */
	assert_int_equal(d->unmet, 1);
	assert_true(d->at_max);
	d->vm.max_kb = 2048 * MIB;
	assert_int_equal(intake_urgent(d, &pcfg, 2, 2000), DOM_INTAKE_URGENT);
	assert_false(d->at_max);
	dom_emergency_done(d, false, 2000);	/* the round gave nothing */
	assert_int_equal(d->unmet, 2);
	assert_int_equal(intake_urgent(d, &pcfg, 3, 2500),
	    DOM_INTAKE_NORMAL);			/* backing off */
	assert_int_equal(intake_urgent(d, &pcfg, 4,
	    2000 + DOM_UNMET_BACKOFF_MS), DOM_INTAKE_URGENT);
	dom_emergency_done(d, true, 3000);
	assert_int_equal(intake_urgent(d, &pcfg, 5, 3100), DOM_INTAKE_URGENT);
	assert_int_equal(d->unmet, 3);
	dom_table_free(t);
	free(t);
}

/*
 * Round after round that gets nothing (a guest whose grant the host cannot
 * meet, sending urgent records every second: 24 rounds in a row on Xen):
 * each doubles the back-off, up to DOM_UNMET_BACKOFF_MAX_MS; a round that
 * serves it clears it.
 */
static void
test_intake_unmet_backoff_doubles(void **state)
{
	struct dom_table *t = malloc(sizeof(*t));
	struct policy_cfg pcfg;
	struct dom *d;
	uint64_t now = 1000, seq = 1, rounds = 0, wait = DOM_UNMET_BACKOFF_MS;

	(void)state;
	policy_cfg_default(&pcfg);
	dom_table_init(t);
	d = dom_add(t, 5, 1024 * MIB, 1024 * MIB, 2048 * MIB);
	for (; now < 121000; now += 1000) {	/* an urgent record a second */
		if (intake_urgent(d, &pcfg, seq++, now) != DOM_INTAKE_URGENT)
			continue;
		rounds++;
		dom_emergency_done(d, false, now);
		assert_int_equal(d->unmet_backoff_ms, wait);
		wait = wait * 2 > DOM_UNMET_BACKOFF_MAX_MS ?
		    DOM_UNMET_BACKOFF_MAX_MS : wait * 2;
	}
	/* 120 s: rounds at 1, 2, 4, 8, 16, 32, 64, 96 s (not 120) */
	assert_int_equal(rounds, 8);
	assert_int_equal(d->unmet, 120);
	assert_int_equal(intake_urgent(d, &pcfg, seq++, now),
	    DOM_INTAKE_NORMAL);			/* 96 + 32 s not reached */
	assert_int_equal(intake_urgent(d, &pcfg, seq++, 128000),
	    DOM_INTAKE_URGENT);
	dom_emergency_done(d, true, 128000);	/* served: cleared */
	assert_int_equal(d->unmet_backoff_ms, 0);
	assert_int_equal(intake_urgent(d, &pcfg, seq++, 128100),
	    DOM_INTAKE_URGENT);
	dom_table_free(t);
	free(t);
}

/* The balloon's grow speed, from intervals with a grow in flight. */
static void
test_progress_balloon_speed(void **state)
{
	struct dom_table *t = malloc(sizeof(*t));
	struct dom *d;

	(void)state;
	dom_table_init(t);
	d = dom_add(t, 5, 512 * MIB, 512 * MIB, 4096 * MIB);
	dom_progress(d, 512 * MIB, 1000, 5000, 20000);
	dom_target_set(d, 2048 * MIB, 1000, POLICY_R_GROW);
	dom_progress(d, 512 * MIB, 1500, 5000, 20000);	/* starts */
	dom_progress(d, 562 * MIB, 2000, 5000, 20000);	/* 100 MiB/s */
	assert_int_equal(d->vm.balloon_up_kbps, 100 * MIB);
	dom_progress(d, 582 * MIB, 2200, 5000, 20000);	/* < 500 ms: skip */
	assert_int_equal(d->vm.balloon_up_kbps, 100 * MIB);
	dom_progress(d, 762 * MIB, 3000, 5000, 20000);	/* 200 MiB/s */
	assert_int_equal(d->vm.balloon_up_kbps, 125 * MIB);
	/* arrived within the interval: not a speed sample */
	dom_progress(d, 2048 * MIB, 4000, 5000, 20000);
	assert_int_equal(d->vm.balloon_up_kbps, 125 * MIB);
	dom_table_free(t);
	free(t);
}

static void
test_record_accept_reject(void **state)
{
	struct dom_table *t = malloc(sizeof(*t));
	struct dom_reject why = { NULL, -1 };
	struct dom *d;
	char buf[CG_RECORD_MAX_LEN + 1];
	int n;

	(void)state;
	dom_table_init(t);
	d = dom_add(t, 5, 1024 * MIB, 1024 * MIB, 1536 * MIB);
	assert_non_null(d);
	assert_ptr_equal(dom_find(t, 5), d);
	dom_update_state(d, 0, 30000);
	assert_int_equal(d->vm.state, VM_NO_AGENT);

	n = mkrec(buf, sizeof(buf), 1, 500 * MIB, 10, 0);
	assert_int_equal(dom_record(d, buf, (size_t)n, 1000, &why), 0);
	assert_true(d->vm.has_rec);
	assert_false(d->vm.has_prev);
	/* mem_total 2 GiB claimed, clamped to the 1.5 GiB static max */
	assert_int_equal(d->vm.rec.val[CG_F_MEM_TOTAL], 1536 * MIB);
	dom_update_state(d, 1000, 30000);
	assert_int_equal(d->vm.state, VM_OK);
	/* the same seq again (watch re-fire) is ignored, not rejected */
	assert_int_equal(dom_record(d, buf, (size_t)n, 1100, &why), -EALREADY);
	assert_int_equal(d->rejected, 0);

	/* garbage: rejected, bad-data, target kept */
	assert_int_equal(dom_record(d, "v=1 seq=x", 9, 1200, &why), -EINVAL);
	assert_non_null(why.what);
	dom_update_state(d, 1200, 30000);
	assert_int_equal(d->vm.state, VM_BAD_DATA);
	assert_int_equal(d->vm.target_kb, 1024 * MIB);
	assert_int_equal(d->rejected, 1);
	assert_int_equal(d->records, 1);

	/* a good record clears it and gets rates against the previous one */
	n = mkrec(buf, sizeof(buf), 2, 400 * MIB, 50, 1);
	assert_int_equal(dom_record(d, buf, (size_t)n, 2000, &why), 0);
	assert_true(d->vm.has_prev);
	assert_int_equal(d->vm.prev.val[CG_F_PSWPIN], 10);
	assert_true(d->urgent);
	dom_update_state(d, 2000, 30000);
	assert_int_equal(d->vm.state, VM_STARVING);

	/* a counter going backwards with a growing seq is a lie */
	n = mkrec(buf, sizeof(buf), 3, 400 * MIB, 49, 1);
	assert_int_equal(dom_record(d, buf, (size_t)n, 2500, &why), -EINVAL);
	assert_int_equal(why.field, CG_F_PSWPIN);
	assert_false(d->urgent);	/* a rejected urgent grants nothing */
	/* a smaller seq is an agent restart: accepted, no rates across it */
	n = mkrec(buf, sizeof(buf), 0, 400 * MIB, 0, 0);
	assert_int_equal(dom_record(d, buf, (size_t)n, 3000, &why), 0);
	assert_false(d->vm.has_prev);
	/* stale after stale_ms without records */
	dom_update_state(d, 3000 + 30001, 30000);
	assert_int_equal(d->vm.state, VM_STALE);

	dom_remove(t, d);
	assert_null(dom_find(t, 5));
	assert_int_equal(t->n, 0);
	dom_table_free(t);
	free(t);
}

static void
test_table_many(void **state)
{
	struct dom_table *t = malloc(sizeof(*t));
	uint32_t id;

	(void)state;
	dom_table_init(t);
	for (id = 1; id <= 100; id++)
		assert_non_null(dom_add(t, id, MIB, MIB, 2 * MIB));
	assert_null(dom_add(t, DOM_ID_MAX, MIB, MIB, MIB));
	for (id = 1; id <= 100; id += 2)
		dom_remove(t, dom_find(t, id));
	assert_int_equal(t->n, 50);
	for (id = 1; id <= 100; id++)
		assert_true((dom_find(t, id) != NULL) == (id % 2 == 0));
	for (id = 0; id < t->n; id++)
		assert_int_equal(t->list[id]->list_idx, id);
	dom_table_free(t);
	free(t);
}

/* ---- stuck detection ----------------------------------------------------- */

static void
test_stuck_timing(void **state)
{
	struct dom_table *t = malloc(sizeof(*t));
	struct dom *d;
	uint64_t now;

	(void)state;
	dom_table_init(t);
	d = dom_add(t, 3, 1000 * MIB, 1000 * MIB, 2000 * MIB);
	d->vm.has_rec = true;
	d->vm.rec_ms = 0;
	dom_target_set(d, 1500 * MIB, 0, POLICY_R_GROW);
	/* no movement at all: stuck at 5 s, not before */
	for (now = 0; now < 5000; now += 500) {
		dom_progress(d, 1000 * MIB, now, 5000, 20000);
		assert_int_equal(d->stall, DOM_STALL_NONE);
	}
	dom_progress(d, 1000 * MIB, 5000, 5000, 20000);
	assert_int_equal(d->stall, DOM_STALL_STUCK);
	dom_update_state(d, 5000, 1000000);
	assert_int_equal(d->vm.state, VM_STUCK);
	dom_progress(d, 1000 * MIB, 19999, 5000, 20000);
	assert_int_equal(d->stall, DOM_STALL_STUCK);
	dom_progress(d, 1000 * MIB, 20000, 5000, 20000);
	assert_int_equal(d->stall, DOM_STALL_UNCOOP);
	dom_update_state(d, 20000, 1000000);
	assert_int_equal(d->vm.state, VM_UNCOOPERATIVE);
	/* re-sending the same target does not launder it */
	dom_target_set(d, 1500 * MIB, 80000, POLICY_R_GROW);
	dom_progress(d, 1000 * MIB, 80001, 5000, 20000);
	assert_int_equal(d->stall, DOM_STALL_UNCOOP);
	/* real movement toward the target clears it */
	dom_progress(d, 1100 * MIB, 81000, 5000, 20000);
	assert_int_equal(d->stall, DOM_STALL_NONE);
	/* slow but steady movement never counts as stuck */
	for (now = 81000; now < 140000; now += 1000) {
		dom_progress(d, d->vm.current_kb + 1024, now, 5000, 20000);
		assert_int_equal(d->stall, DOM_STALL_NONE);
	}
	/* movement away from the target is not progress */
	dom_target_set(d, 600 * MIB, 200000, POLICY_R_SHRINK);
	for (now = 200000; now <= 205000; now += 1000)
		dom_progress(d, d->vm.current_kb + 1024, now, 5000, 20000);
	assert_int_equal(d->stall, DOM_STALL_STUCK);
	/* arrival clears everything */
	dom_progress(d, 600 * MIB + 512, 206000, 5000, 20000);
	assert_int_equal(d->stall, DOM_STALL_NONE);
	dom_table_free(t);
	free(t);
}

/* ---- coalescing ---------------------------------------------------------- */

static void
test_coalescing(void **state)
{
	struct sched s;
	uint64_t now;
	int rounds = 0;

	(void)state;
	sched_init(&s, 1000, 100);
	assert_true(sched_due(&s, 0));	/* first round at once */
	sched_done(&s, 0);
	assert_false(sched_due(&s, 999));
	assert_int_equal(sched_timeout_ms(&s, 400), 600);
	assert_true(sched_due(&s, 1000));	/* periodic */
	sched_done(&s, 1000);
	/* a flood: one record every ms for 1 s -> ~10 rounds, not 1000 */
	for (now = 1001; now <= 2000; now++) {
		sched_note_record(&s);
		if (sched_due(&s, now)) {
			sched_done(&s, now);
			rounds++;
		}
	}
	assert_int_equal(rounds, 10);
	sched_note_record(&s);
	assert_int_equal(sched_timeout_ms(&s, 2050), 50);
	assert_false(sched_due(&s, 2099));
	assert_true(sched_due(&s, 2100));
}

/* emergency ordering, queue and budget: test_emerg.c */

/* ---- xenstore reconnect ---------------------------------------------------- */

static void
test_reconnect_backoff(void **state)
{
	static const uint64_t delays[] = { 200, 400, 800, 1600, 3200, 5000,
	    5000, 5000 };
	struct sched_backoff b;
	uint64_t now = 10000;
	size_t i;

	(void)state;
	sched_backoff_start(&b, now);
	assert_false(sched_backoff_due(&b, now));
	assert_int_equal(sched_backoff_timeout_ms(&b, now), 100);
	assert_int_equal(sched_backoff_timeout_ms(&b, now + 60), 40);
	assert_false(sched_backoff_due(&b, now + 99));
	now += 100;
	assert_true(sched_backoff_due(&b, now));
	assert_int_equal(sched_backoff_timeout_ms(&b, now + 5), 0);
	for (i = 0; i < sizeof(delays) / sizeof(delays[0]); i++) {
		sched_backoff_fail(&b, now);
		assert_int_equal(b.attempts, i + 1);
		assert_int_equal(b.delay_ms, delays[i]);
		assert_int_equal(sched_backoff_timeout_ms(&b, now), delays[i]);
		assert_false(sched_backoff_due(&b, now + delays[i] - 1));
		now += delays[i];
		assert_true(sched_backoff_due(&b, now));
	}
	assert_int_equal(b.since_ms, 10000);
	/* a later loss starts from the minimum again */
	sched_backoff_start(&b, now);
	assert_int_equal(b.delay_ms, SCHED_BACKOFF_MIN_MS);
	assert_int_equal(b.attempts, 0);
}

static void
test_conn_error_classes(void **state)
{
	static const struct {
		int rc;
		bool conn;
	} t[] = {
		{ -EPIPE, true }, { -ECONNRESET, true }, { -ECONNREFUSED, true },
		{ -ENOTCONN, true }, { -EIO, true }, { -EBADF, true },
		{ 0, false }, { -ENOENT, false }, { -EACCES, false },
		{ -E2BIG, false }, { -EAGAIN, false }, { -EINVAL, false },
		{ -ENOMEM, false }, { -ENOSPC, false }, { EPIPE, false },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		assert_int_equal(xsio_conn_error(t[i].rc), t[i].conn);
}

/* A cagmad with a table and no xenstore (c->xs NULL). */
static struct cagmad *
fake_cagmad(void)
{
	struct cagmad *c = calloc(1, sizeof(*c));

	assert_non_null(c);
	c->tbl = malloc(sizeof(*c->tbl));
	assert_non_null(c->tbl);
	dom_table_init(c->tbl);
	readq_init(&c->rq);
	c->ops = policy_all[0];
	c->be.side = &daemon_side_xs;
	sched_init(&c->sched, 1000, 100);
	return c;
}

static void
fake_cagmad_free(struct cagmad *c)
{
	dom_table_free(c->tbl);
	free(c->tbl);
	free(c);
}

/*
 * The metrics text: base units, counters ending in _total, the state as a
 * series of its own, label values escaped.  Written to
 * build/test-metrics.prom too, for promtool in make check.
 */
static void
test_metrics_format(void **state)
{
	struct cagmad *c = fake_cagmad();
	char *buf = NULL;
	size_t len = 0;
	struct dom *d;
	FILE *fp;

	(void)state;
	c->free_kb = 2048 * MIB;
	c->cfg.reserve_kb = 256 * MIB;
	c->rounds = 7;
	d = dom_add(c->tbl, 3, 512 * MIB, 512 * MIB, 2048 * MIB);
	snprintf(d->name, sizeof(d->name), "web\"1\\x");
	dom_target_set(d, 600 * MIB, 1000, POLICY_R_GROW);
	record_set(&d->vm.rec, CG_F_PSWPIN, 42);
	fp = open_memstream(&buf, &len);
	assert_non_null(fp);
	assert_int_equal(metrics_print(c, fp), 0);
	fclose(fp);
	assert_non_null(strstr(buf, "cagma_up 1\n"));
	assert_non_null(strstr(buf, "cagma_host_free_bytes 2147483648\n"));
	assert_non_null(strstr(buf, "# TYPE cagma_rounds_total counter\n"
	    "cagma_rounds_total 7\n"));
	assert_non_null(strstr(buf, "cagma_domain_target_bytes{domid=\"3\","
	    "name=\"web\\\"1\\\\x\"} 629145600\n"));
	assert_non_null(strstr(buf, "cagma_domain_swapin_pages_total{domid="
	    "\"3\",name=\"web\\\"1\\\\x\"} 42\n"));
	assert_non_null(strstr(buf, ",reason=\"grow\"} 1\n"));
	assert_non_null(strstr(buf, ",state=\"no-agent\"} 1\n"));
	assert_null(strstr(buf, "_kib"));
	assert_null(strstr(buf, "_rate"));
	fp = fopen("build/test-metrics.prom", "w");
	if (fp != NULL) {
		fputs(buf, fp);
		fclose(fp);
	}
	free(buf);
	fake_cagmad_free(c);
}

/* A fake backend and side: one domain, away from its target at listing. */
static int
fake_list(struct backend *be, struct be_dom *out, size_t max, size_t *n_out)
{
	(void)be;
	assert_true(max >= 1);
	out[0] = (struct be_dom){ 9, 855 * MIB, false };
	*n_out = 1;
	return 0;
}

static int
fake_facts(struct cagmad *c, const struct be_dom *b, struct be_facts *out)
{
	(void)c;
	snprintf(out->name, sizeof(out->name), "vm%u", b->domid);
	out->max_kb = 2048 * MIB;
	out->target_kb = 876 * MIB;
	return 0;
}

static void fake_track(struct cagmad *c, const struct dom *d, bool on)
{ (void)c; (void)d; (void)on; }
static bool fake_up(struct cagmad *c, uint64_t now_ms)
{ (void)c; (void)now_ms; return true; }

/*
 * A domain found with its balloon away from its target (a KVM guest still
 * inflating at boot) is not uncooperative at the first round: its stall
 * clock starts when cagmad starts tracking it.
 */
static void
test_added_not_uncooperative(void **state)
{
	static const struct backend_ops ops = { .name = "fake",
	    .list = fake_list };
	static const struct backend_side side = { .name = "fake",
	    .up = fake_up, .facts = fake_facts, .track = fake_track };
	struct cagmad *c = fake_cagmad();
	uint64_t now = mtime_ms();
	struct dom *d;

	(void)state;
	c->listing = calloc(DOM_ID_MAX, sizeof(*c->listing));
	assert_non_null(c->listing);
	c->be.ops = &ops;
	c->be.side = &side;
	assert_int_equal(daemon_rescan(c, now), 0);
	d = dom_find(c->tbl, 9);
	assert_non_null(d);
	assert_string_equal(d->name, "vm9");
	assert_int_equal(d->vm.target_kb, 876 * MIB);
	dom_progress(d, 855 * MIB, now + 100, 5000, 20000);
	assert_int_equal(d->stall, DOM_STALL_NONE);
	dom_progress(d, 855 * MIB, now + 20100, 5000, 20000);
	assert_int_equal(d->stall, DOM_STALL_UNCOOP);	/* then it is */
	free(c->listing);
	fake_cagmad_free(c);
}

static void
test_link_lost_keeps_state(void **state)
{
	struct cagmad *c = fake_cagmad();
	struct dom *d;

	(void)state;
	d = dom_add(c->tbl, 41, 1024 * MIB, 1024 * MIB, 4096 * MIB);
	assert_non_null(d);
	dom_target_set(d, 1200 * MIB, 500, POLICY_R_GROW);
	sched_done(&c->sched, 900);
	c->xs_probe_ms = 700;
	assert_int_equal(daemon_timeout_ms(c, 1000), 700);	/* probe */
	c->xs_probe_ms = 1000;
	assert_int_equal(daemon_timeout_ms(c, 1000), 900);	/* round */
	readq_note(&c->rq, d);			/* a record left unread */
	assert_int_equal(daemon_timeout_ms(c, 1000), 0);	/* read now */

	daemon_xs_lost(c, 1000, -EPIPE);
	assert_true(c->xs_down);
	assert_int_equal(daemon_xs_fd(c), -1);	/* poll() skips it */
	assert_int_equal(readq_len(&c->rq), 0);
	assert_false(readq_has(d));
	/* the table and the targets already set stay */
	assert_ptr_equal(dom_find(c->tbl, 41), d);
	assert_int_equal(d->vm.target_kb, 1200 * MIB);
	/* the round is overdue, yet the timer waits for the retry: no spin */
	assert_true(sched_due(&c->sched, 2000));
	assert_int_equal(daemon_timeout_ms(c, 1000), 100);
	assert_int_equal(daemon_timeout_ms(c, 1040), 60);
	daemon_tick(c, 1050);			/* not due: nothing runs */
	assert_true(c->xs_down);
	assert_int_equal(c->rounds, 0);
	/* a second report is not a second loss (logged once) */
	daemon_xs_lost(c, 1080, -EBADF);
	assert_int_equal(c->xs_bo.since_ms, 1000);
	assert_int_equal(daemon_timeout_ms(c, 1080), 20);
	fake_cagmad_free(c);
}

/*
 * An urgent domain that finds the host-wide emergency budget empty stays
 * queued, and the event loop's timer wakes for the next token (not the
 * next periodic round).
 */
static void
test_timeout_wakes_for_emergency(void **state)
{
	struct cagmad *c = fake_cagmad();
	uint32_t ids[4], out[4];
	struct dom *d;
	int i;

	(void)state;
	emerg_init(&c->emerg, ids, 4);
	d = dom_add(c->tbl, 7, 1024 * MIB, 1024 * MIB, 4096 * MIB);
	assert_non_null(d);
	sched_done(&c->sched, 1000);
	c->xs_probe_ms = 1000;
	assert_int_equal(daemon_timeout_ms(c, 1000), 1000);	/* round */
	for (i = 0; i < EMERG_BURST; i++) {
		assert_true(emerg_push(&c->emerg, d));
		assert_int_equal(emerg_take(&c->emerg, c->tbl, 1000, out, 4),
		    1);
	}
	assert_true(emerg_push(&c->emerg, d));	/* no token left */
	assert_false(emerg_due(&c->emerg, 1000));
	assert_int_equal(daemon_timeout_ms(c, 1000), EMERG_INTERVAL_MS);
	assert_int_equal(daemon_timeout_ms(c, 1000 + EMERG_INTERVAL_MS), 0);
	fake_cagmad_free(c);
}

/* ---- released domain ------------------------------------------------------- */

static char *
render_status(const struct cagmad *c, bool json)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);

	assert_non_null(fp);
	control_status(c, json, fp);
	fclose(fp);
	return buf;
}

static void
test_status_after_release(void **state)
{
	struct cagmad *c = fake_cagmad();
	char *txt, *json;
	uint32_t id;

	(void)state;
	for (id = 41; id <= 43; id++)
		assert_non_null(dom_add(c->tbl, id, MIB, MIB, 2 * MIB));
	dom_remove(c->tbl, dom_find(c->tbl, 42));
	assert_null(dom_find(c->tbl, 42));
	txt = render_status(c, false);
	json = render_status(c, true);
	assert_null(strstr(txt, "\n    42 "));
	assert_non_null(strstr(txt, "\n    41 "));
	assert_non_null(strstr(txt, "\n    43 "));
	assert_null(strstr(json, "\"domid\":42"));
	assert_non_null(strstr(json, "\"domid\":41"));
	assert_non_null(strstr(json, "\"domid\":43"));
	free(txt);
	free(json);
	/* the last entry too, then the table is empty */
	dom_remove(c->tbl, dom_find(c->tbl, 43));
	dom_remove(c->tbl, dom_find(c->tbl, 41));
	json = render_status(c, true);
	assert_non_null(strstr(json, "\"domains\":[]"));
	free(json);
	fake_cagmad_free(c);
}

/* xl.conf: the two keys, strictly; everything else skipped. */
static void
test_xlconf(void **state)
{
	static const struct {
		const char *text;
		enum xlconf_autoballoon ab;
		int claim;
		unsigned bad;
	} cases[] = {
		{ "", XLCONF_AB_UNSET, -1, 0 },
		{ "#autoballoon=\"on\"\n#claim_mode=0\n", XLCONF_AB_UNSET, -1,
		    0 },
		{ "autoballoon=\"off\"\nclaim_mode=1\n", XLCONF_AB_OFF, 1, 0 },
		{ "  autoballoon = \"auto\"  # x\n", XLCONF_AB_AUTO, -1, 0 },
		{ "autoballoon=1\nautoballoon=0", XLCONF_AB_OFF, -1, 0 },
		{ "autoballoon=on;\n", XLCONF_AB_ON, -1, 0 },
		{ "claim_mode=0\n", XLCONF_AB_UNSET, 0, 0 },
		{ "lockfile=\"/var/lock/xl\"\nvif.default.bridge=\"xenbr0\"\n",
		    XLCONF_AB_UNSET, -1, 0 },
		{ "autoballoon_x=\"on\"\n", XLCONF_AB_UNSET, -1, 0 },
		{ "\nclaim_mode=2\n", XLCONF_AB_UNSET, -1, 2 },
		{ "autoballoon=\"off\n", XLCONF_AB_UNSET, -1, 1 },
		{ "autoballoon \"off\"\n", XLCONF_AB_UNSET, -1, 1 },
		{ "autoballoon=\"off\" x\n", XLCONF_AB_UNSET, -1, 1 },
		{ "autoballoon=\"maybe\"\n", XLCONF_AB_UNSET, -1, 1 },
		{ "claim_mode=\n", XLCONF_AB_UNSET, -1, 1 },
	};
	struct xlconf x;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		xlconf_parse(cases[i].text, strlen(cases[i].text), &x);
		if (x.autoballoon != cases[i].ab || x.claim_mode !=
		    cases[i].claim || x.bad_line != cases[i].bad)
			fail_msg("case %zu: %d %d %u", i, (int)x.autoballoon,
			    x.claim_mode, x.bad_line);
	}
	xlconf_parse("claim_mode=1\0\n", 14, &x);
	assert_int_equal(x.bad_line, 1);
}

/* A domain that appears while cagmad runs and has no record: building. */
static void
test_build_grace(void **state)
{
	struct dom_table *t = calloc(1, sizeof(*t));
	struct dom *d;

	(void)state;
	assert_non_null(t);
	dom_table_init(t);
	d = dom_add(t, 5, 512 * MIB, 512 * MIB, 1024 * MIB);
	assert_non_null(d);
	assert_false(plan_building(t, 1000, PLAN_BUILD_GRACE_MS));
	d->added_ms = 100000;	/* appeared under a running cagmad */
	assert_true(plan_building(t, 100000, PLAN_BUILD_GRACE_MS));
	assert_true(plan_building(t, 100000 + PLAN_BUILD_GRACE_MS - 1,
	    PLAN_BUILD_GRACE_MS));
	assert_false(plan_building(t, 100000 + PLAN_BUILD_GRACE_MS,
	    PLAN_BUILD_GRACE_MS));
	assert_false(plan_building(t, 100000, 0));
	d->records = 1;		/* its agent spoke: built */
	assert_false(plan_building(t, 100001, PLAN_BUILD_GRACE_MS));
	dom_table_free(t);
	free(t);
}

/* xl create -n output: JSON and SXP; the overhead as libxl counts it. */
static void
test_xlcfg(void **state)
{
	static const char json_pv[] = "{\n    \"c_info\": {\n        "
	    "\"type\": \"pv\",\n        \"name\": \"web1\"\n    },\n    "
	    "\"b_info\": {\n        \"max_vcpus\": 2,\n        "
	    "\"max_memkb\": 1048576,\n        \"target_memkb\": 786432\n"
	    "    }\n}\n";
	static const char json_hvm[] = "{\"c_info\":{\"type\":\"hvm\","
	    "\"name\":\"win\"},\"b_info\":{\"max_vcpus\":4,"
	    "\"max_memkb\":2097152,\"target_memkb\":2097152,"
	    "\"video_memkb\":8192}}";
	static const char sxp[] = "(domain\n\t(domid -1)\n\t(create_info)\n"
	    "\t(name small)\n\t(build_info)\n\t\t(max_memkb 524288)\n"
	    "\t\t(target_memkb 262144)\n)\n";
	static const char sxp_hvm[] = "(domain\n\t(create_info)\n"
	    "\t(hvm 1)\n\t(name win)\n\t(build_info)\n"
	    "\t(target_memkb 262144)\n)\n";
	static const char sxp_hvm2[] = "(domain\n\t(hvm 0)\n\t(hvm 0)\n"
	    "\t(target_memkb 262144)\n)\n";
	static const char *const bad[] = {
		"", "{}", "{\"target_memkb\": }", "{\"target_memkb\": 0}",
		"{\"target_memkb\": 12a}", "{\"target_memkb\": -1}",
		"{\"target_memkb\": 1, \"target_memkb\": 2}",
		"{\"target_memkb\": 99999999999999999999999}",
		"{\"xtarget_memkb\": 5}",
	};
	struct xlcfg x;
	size_t i;

	(void)state;
	assert_int_equal(xlcfg_parse(json_pv, strlen(json_pv), &x), 0);
	assert_string_equal(x.name, "web1");
	assert_false(x.hvm);
	assert_int_equal(x.target_kb, 786432);
	assert_int_equal(x.max_kb, 1048576);
	assert_int_equal(x.vcpus, 2);
	/* PV: 1 MiB extra, rounded to 2 MiB */
	assert_int_equal(xlcfg_overhead_kb(&x), 2048);
	assert_int_equal(xlcfg_parse(json_hvm, strlen(json_hvm), &x), 0);
	assert_true(x.hvm);
	/* shadow 4 x (256 x 4 + 2 x 2048) = 20480, video 8192, extra 2048 */
	assert_int_equal(xlcfg_overhead_kb(&x), 20480 + 8192 + 2048);
	assert_int_equal(xlcfg_parse(sxp, strlen(sxp), &x), 0);
	assert_string_equal(x.name, "small");
	assert_int_equal(x.target_kb, 262144);
	assert_int_equal(x.max_kb, 524288);
	assert_int_equal(x.vcpus, 1);
	assert_false(x.hvm);
	/* SXP: (hvm 1) is an HVM guest, an unclear (hvm ...) counts as one */
	assert_int_equal(xlcfg_parse(sxp_hvm, strlen(sxp_hvm), &x), 0);
	assert_true(x.hvm);
	assert_int_equal(xlcfg_parse(sxp_hvm2, strlen(sxp_hvm2), &x), 0);
	assert_true(x.hvm);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (xlcfg_parse(bad[i], strlen(bad[i]), &x) == 0)
			fail_msg("accepted bad[%zu]: %s", i, bad[i]);
}

/* Reservations in status and status-json. */
static void
test_status_reservations(void **state)
{
	struct cagmad *c = fake_cagmad();
	char *txt, *json;
	uint32_t a = 0, b = 0;

	(void)state;
	resv_init(&c->resv);
	assert_int_equal(resv_add(&c->resv, 768 * MIB, 30000, 4096 * MIB, 0,
	    &a), 0);
	assert_int_equal(resv_add(&c->resv, 256 * MIB, 30000, 4096 * MIB, 0,
	    &b), 0);
	resv_update(&c->resv, 800 * MIB, 10);
	assert_int_equal(resv_release(&c->resv, b, 20), 0);
	txt = render_status(c, false);
	json = render_status(c, true);
	assert_non_null(strstr(txt, "held for new domains 768 MiB"));
	assert_non_null(strstr(txt, "reservation id=1 state=ready "
	    "size_kb=786432 "));
	assert_non_null(strstr(txt, "reservation id=2 state=cancelled "
	    "size_kb=262144 "));
	assert_non_null(strstr(json, "\"held_kb\":786432,\"building\":false"));
	assert_non_null(strstr(json, "\"reservations\":[{\"id\":1,"
	    "\"state\":\"ready\",\"size_kb\":786432,"));
	assert_non_null(strstr(json, "},{\"id\":2,\"state\":\"cancelled\""));
	assert_non_null(strstr(json, "],\"domains\":[]}"));
	free(txt);
	free(json);
	fake_cagmad_free(c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cfg_defaults),
		cmocka_unit_test(test_cfg_overrides),
		cmocka_unit_test(test_cfg_shrink_rate),
		cmocka_unit_test(test_cfg_errors),
		cmocka_unit_test(test_cfg_libvirt),
		cmocka_unit_test(test_added_not_uncooperative),
		cmocka_unit_test(test_cfg_sim_and_reload_keeps_old),
		cmocka_unit_test(test_cfg_shipped_file),
		cmocka_unit_test(test_intake_unmet_emergency),
		cmocka_unit_test(test_intake_unmet_backoff_doubles),
		cmocka_unit_test(test_progress_balloon_speed),
		cmocka_unit_test(test_record_accept_reject),
		cmocka_unit_test(test_table_many),
		cmocka_unit_test(test_stuck_timing),
		cmocka_unit_test(test_coalescing),
		cmocka_unit_test(test_reconnect_backoff),
		cmocka_unit_test(test_conn_error_classes),
		cmocka_unit_test(test_metrics_format),
		cmocka_unit_test(test_link_lost_keeps_state),
		cmocka_unit_test(test_timeout_wakes_for_emergency),
		cmocka_unit_test(test_status_after_release),
		cmocka_unit_test(test_status_reservations),
		cmocka_unit_test(test_xlconf),
		cmocka_unit_test(test_build_grace),
		cmocka_unit_test(test_xlcfg),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
