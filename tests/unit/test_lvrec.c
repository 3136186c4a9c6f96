/*
 * test_lvrec.c - the libvirt backend's pure part (dom0/lvrec.c): balloon
 * statistics as records, the safety floor, autodeflate in the XML; and
 * what the shared core does with such records (record_validate(),
 * dom_intake_built(), dom_set_floor(), the policies without PSI, swap
 * size or an urgent flag).  Table-driven.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "daemon.h"
#include "domains.h"
#include "lvrec.h"
#include "lvside.h"
#include "policy.h"
#include "record.h"

#define MIB	1024ULL
#define NA	UINT64_MAX	/* tag absent */

/* One sample, KiB as libvirt gives them (NA: tag not given). */
struct sample {
	uint64_t swap_in, swap_out, majflt, unused, available, actual, rss,
	    usable, last_update, caches;
};

static void
mkstats(const struct sample *s, struct lvrec_stats *st)
{
	const uint64_t v[] = { s->swap_in, s->swap_out, s->majflt, NA,
	    s->unused, s->available, s->actual, s->rss, s->usable,
	    s->last_update, s->caches, NA, NA };
	size_t i;

	memset(st, 0, sizeof(*st));
	for (i = 0; i < LVREC_TAG_COUNT; i++)
		if (v[i] != NA) {
			st->val[i] = v[i];
			st->present |= 1U << i;
		}
}

/* A healthy guest: 1 GiB balloon of a 2 GiB max, 300 MiB used. */
#define OK_SAMPLE { 4096, 8192, 77, 500 * MIB, 1000 * MIB, 1024 * MIB, \
	1400 * MIB, 700 * MIB, 1700000000, 150 * MIB }

struct map_case {
	const char *name;
	struct sample s;
	bool autodeflate;
	int rc;
	/* expected when rc == 0 (NA: field absent) */
	uint64_t total, free_kb, avail, cached, pswpin, pswpout, majflt;
};

static struct map_case map_cases[] = {
	{ "map-all", OK_SAMPLE, false, 0,
	  1000 * MIB, 500 * MIB, 700 * MIB, 150 * MIB, 1024, 2048, 77 },
	{ "map-minimal", { NA, NA, NA, 10 * MIB, 100 * MIB, NA, NA, 50 * MIB,
	  NA, NA }, false, 0, 100 * MIB, 10 * MIB, 50 * MIB, NA, NA, NA, NA },
	{ "rss-is-not-guest-memory", { NA, NA, NA, 10 * MIB, 100 * MIB, NA,
	  99999 * MIB, 50 * MIB, NA, NA }, false, 0, 100 * MIB, 10 * MIB,
	  50 * MIB, NA, NA, NA, NA },
	{ "no-balloon-driver", { NA, NA, NA, NA, NA, 1024 * MIB, 300 * MIB,
	  NA, NA, NA }, false, -ENODATA, 0, 0, 0, 0, 0, 0, 0 },
	{ "no-usable", { NA, NA, NA, 10 * MIB, 100 * MIB, NA, NA, NA, NA,
	  NA }, false, -ENODATA, 0, 0, 0, 0, 0, 0, 0 },
	{ "unused-above-total", { NA, NA, NA, 200 * MIB, 100 * MIB, NA, NA,
	  50 * MIB, NA, NA }, false, -EINVAL, 0, 0, 0, 0, 0, 0, 0 },
	{ "usable-above-total", { NA, NA, NA, 10 * MIB, 100 * MIB, NA, NA,
	  150 * MIB, NA, NA }, false, -EINVAL, 0, 0, 0, 0, 0, 0, 0 },
	{ "balloon-above-max", { NA, NA, NA, 10 * MIB, 100 * MIB, 4096 * MIB,
	  NA, 50 * MIB, NA, NA }, false, -EINVAL, 0, 0, 0, 0, 0, 0, 0 },
	/* autodeflate: MemTotal stays 2 GiB, the 1 GiB balloon comes off */
	{ "autodeflate", { NA, NA, NA, 500 * MIB, 2048 * MIB, 1024 * MIB, NA,
	  700 * MIB, NA, NA }, true, 0, 1024 * MIB, 500 * MIB, 700 * MIB, NA,
	  NA, NA, NA },
	{ "autodeflate-no-actual", { NA, NA, NA, 500 * MIB, 2048 * MIB, NA,
	  NA, 700 * MIB, NA, NA }, true, -EINVAL, 0, 0, 0, 0, 0, 0, 0 },
	{ "autodeflate-balloon-above-total", { NA, NA, NA, 5 * MIB, 512 * MIB,
	  512 * MIB, NA, 7 * MIB, NA, NA }, true, -EINVAL, 0, 0, 0, 0, 0, 0, 0 },
	{ "autodeflate-avail-above-rest", { NA, NA, NA, 5 * MIB, 2048 * MIB,
	  256 * MIB, NA, 700 * MIB, NA, NA }, true, -EINVAL, 0, 0, 0, 0, 0, 0, 0 },
};

static void
expect_field(const struct cg_record *rec, enum cg_field_id id, uint64_t want)
{
	if (want == NA) {
		assert_false(record_has(rec, id));
		return;
	}
	assert_true(record_has(rec, id));
	assert_int_equal(rec->val[id], want);
}

static void
test_map_row(void **state)
{
	const struct map_case *c = *state;
	static const enum cg_field_id never[] = { CG_F_SWAP_TOTAL,
	    CG_F_SWAP_FREE, CG_F_PGSCAN_KSWAPD, CG_F_REFAULT, CG_F_PSI_SOME_US,
	    CG_F_PSI_FULL_US, CG_F_URGENT, CG_F_PSI_SOME_AVG10, CG_F_HAS_PSI,
	    CG_F_OOM_KILL, CG_F_ALLOCSTALL, CG_F_PGSCAN_DIRECT,
	    CG_F_WMARK_LOW };
	struct lvrec_stats st;
	struct cg_record rec;
	size_t i;

	mkstats(&c->s, &st);
	memset(&rec, 0xa5, sizeof(rec));
	assert_int_equal(lvrec_from_stats(&st, 42, 2048 * MIB, c->autodeflate,
	    &rec), c->rc);
	if (c->rc != 0)
		return;
	expect_field(&rec, CG_F_V, 1);
	expect_field(&rec, CG_F_SEQ, 42);
	expect_field(&rec, CG_F_MEM_TOTAL, c->total);
	expect_field(&rec, CG_F_MEM_FREE, c->free_kb);
	expect_field(&rec, CG_F_MEM_AVAIL, c->avail);
	expect_field(&rec, CG_F_CACHED, c->cached);
	expect_field(&rec, CG_F_PSWPIN, c->pswpin);
	expect_field(&rec, CG_F_PSWPOUT, c->pswpout);
	expect_field(&rec, CG_F_PGMAJFAULT, c->majflt);
	for (i = 0; i < sizeof(never) / sizeof(never[0]); i++)
		assert_false(record_has(&rec, never[i]));
	/* what it builds passes the core's check */
	assert_int_equal(record_validate(&rec, lvrec_required, NULL), 0);
}

/* ---- the safety floor ---------------------------------------------------- */

struct floor_case {
	const char *name;
	uint64_t total, avail, actual, want;
	bool has_rec;
};

static struct floor_case floor_cases[] = {
	/* used 300, overhead 24, margin 64 */
	{ "small-used", 1000 * MIB, 700 * MIB, 1024 * MIB, 388 * MIB, true },
	/* used 1000, overhead 24, margin 10 % = 100 */
	{ "pct-margin", 2000 * MIB, 1000 * MIB, 2024 * MIB, 1124 * MIB, true },
	/* never above the balloon: it stops shrinks, never asks for memory */
	{ "capped-at-actual", 500 * MIB, 10 * MIB, 520 * MIB, 520 * MIB, true },
	/* overhead capped at 128 MiB (actual / 8 = 128 MiB here) */
	{ "overhead-cap", 700 * MIB, 600 * MIB, 1024 * MIB, 292 * MIB, true },
	/* actual below MemTotal (shrinking now): no overhead */
	{ "actual-below-total", 1000 * MIB, 700 * MIB, 900 * MIB, 364 * MIB,
	  true },
	{ "no-record", 0, 0, 1024 * MIB, 0, false },
};

static void
test_floor_row(void **state)
{
	const struct floor_case *c = *state;
	struct cg_record rec;

	memset(&rec, 0, sizeof(rec));
	if (c->has_rec) {
		record_set(&rec, CG_F_MEM_TOTAL, c->total);
		record_set(&rec, CG_F_MEM_AVAIL, c->avail);
	}
	assert_int_equal(lvrec_safe_floor_kb(&rec, c->actual), c->want);
}

/* ---- autodeflate in the domain XML ------------------------------------- */

struct xml_case {
	const char *name;
	const char *xml;
	bool on;
};

static struct xml_case xml_cases[] = {
	{ "xml-on", "<devices><memballoon model='virtio' autodeflate='on'>"
	  "<stats period='1'/></memballoon></devices>", true },
	{ "xml-on-dquote", "<memballoon autodeflate=\"on\" model=\"virtio\"/>",
	  true },
	{ "xml-off", "<memballoon model='virtio' autodeflate='off'/>", false },
	{ "xml-absent", "<memballoon model='virtio'><stats period='1'/>"
	  "</memballoon>", false },
	{ "xml-no-balloon", "<domain><devices/></domain>", false },
	{ "xml-other-element", "<memballoonx autodeflate='on'/>"
	  "<memballoon model='none'/>", false },
	{ "xml-child-not-attr", "<memballoon model='virtio'><x autodeflate="
	  "'on'/></memballoon>", false },
	{ "xml-attr-suffix", "<memballoon noautodeflate='on'/>", false },
	{ "xml-unterminated", "<memballoon autodeflate='on'", false },
};

static void
test_xml_row(void **state)
{
	const struct xml_case *c = *state;

	assert_int_equal(lvrec_xml_autodeflate(c->xml), c->on);
}

/* ---- the agent channel in the domain XML ------------------------------ */

#define CH_OK "<channel type='unix'><source mode='bind' " \
	"path='/run/cagma/g1.agent.sock'/><target type='virtio' " \
	"name='org.cagma.agent.0' state='connected'/></channel>"

static struct xml_chan_case {
	const char *name;
	const char *xml;
	size_t cap;
	const char *want;	/* NULL: -ENOENT */
} chan_cases[] = {
	{ "chan-ok", "<devices>" CH_OK "</devices>", 108,
	  "/run/cagma/g1.agent.sock" },
	{ "chan-dquote", "<channel type=\"unix\"><target type=\"virtio\" "
	  "name=\"org.cagma.agent.0\"/><source mode=\"bind\" path=\"/a/b\"/>"
	  "</channel>", 108, "/a/b" },
	{ "chan-after-qga", "<channel type='unix'><source mode='bind' "
	  "path='/q.sock'/><target type='virtio' name='org.qemu.guest_agent.0'"
	  "/></channel>" CH_OK, 108, "/run/cagma/g1.agent.sock" },
	{ "chan-pty", "<channel type='pty'><source path='/dev/pts/3'/><target "
	  "type='virtio' name='org.cagma.agent.0'/></channel>", 108, NULL },
	{ "chan-guestfwd", "<channel type='unix'><source path='/x'/><target "
	  "type='guestfwd' name='org.cagma.agent.0'/></channel>", 108, NULL },
	{ "chan-relative", "<channel type='unix'><source path='x.sock'/>"
	  "<target type='virtio' name='org.cagma.agent.0'/></channel>", 108,
	  NULL },
	{ "chan-too-long", "<devices>" CH_OK "</devices>", 10, NULL },
	{ "chan-unterminated", "<channel type='unix'><source path='/x'/>"
	  "<target type='virtio' name='org.cagma.agent.0'/>", 108, NULL },
	{ "chan-none", "<domain><devices/></domain>", 108, NULL },
	{ "chan-source-elsewhere", "<channel type='unix'><target type='virtio'"
	  " name='org.cagma.agent.0'/></channel><source path='/y'/>", 108,
	  NULL },
};

static void
test_chan_row(void **state)
{
	const struct xml_chan_case *c = *state;
	char path[256] = "untouched";

	if (c->want == NULL) {
		assert_int_equal(lvrec_xml_channel(c->xml, path, c->cap),
		    -ENOENT);
		assert_string_equal(path, "untouched");
		return;
	}
	assert_int_equal(lvrec_xml_channel(c->xml, path, c->cap), 0);
	assert_string_equal(path, c->want);
}

/* ---- record_validate ----------------------------------------------------- */

static void
base_rec(struct cg_record *r)
{
	memset(r, 0, sizeof(*r));
	record_set(r, CG_F_V, 1);
	record_set(r, CG_F_SEQ, 1);
	record_set(r, CG_F_MEM_TOTAL, 1000 * MIB);
	record_set(r, CG_F_MEM_FREE, 100 * MIB);
	record_set(r, CG_F_MEM_AVAIL, 500 * MIB);
}

static void
test_validate(void **state)
{
	struct record_error e = { RECORD_OK, -1 };
	struct cg_record r;

	(void)state;
	base_rec(&r);
	assert_int_equal(record_validate(&r, lvrec_required, &e), 0);
	/* the wire form's mandatory set is not this source's */
	assert_int_equal(record_validate(&r, cg_mandatory_mask, &e), -EINVAL);
	assert_int_equal(e.reason, RECORD_E_MISSING);
	base_rec(&r);
	r.present &= ~CG_BIT(CG_F_MEM_AVAIL);
	assert_int_equal(record_validate(&r, lvrec_required, &e), -EINVAL);
	assert_int_equal(e.reason, RECORD_E_MISSING);
	assert_int_equal(e.field, CG_F_MEM_AVAIL);
	base_rec(&r);
	r.present &= ~CG_BIT(CG_F_SEQ);
	assert_int_equal(record_validate(&r, 0, &e), -EINVAL);
	base_rec(&r);
	record_set(&r, CG_F_MEM_TOTAL, CG_MAX_KB + 1);
	assert_int_equal(record_validate(&r, lvrec_required, &e), -EINVAL);
	assert_int_equal(e.reason, RECORD_E_RANGE);
	assert_int_equal(e.field, CG_F_MEM_TOTAL);
	base_rec(&r);
	record_set(&r, CG_F_V, 2);
	assert_int_equal(record_validate(&r, lvrec_required, &e), -EINVAL);
	assert_int_equal(e.reason, RECORD_E_VERSION);
	base_rec(&r);
	record_set(&r, CG_F_MEM_FREE, 1001 * MIB);
	assert_int_equal(record_validate(&r, lvrec_required, &e), -EINVAL);
	assert_int_equal(e.reason, RECORD_E_INCONSISTENT);
	/* a pair with one side absent is not compared */
	base_rec(&r);
	record_set(&r, CG_F_SWAP_FREE, 5);
	assert_int_equal(record_validate(&r, lvrec_required, &e), 0);
	record_set(&r, CG_F_SWAP_TOTAL, 4);
	assert_int_equal(record_validate(&r, lvrec_required, &e), -EINVAL);
	base_rec(&r);
	r.present |= 1U << 31;	/* no such field */
	assert_int_equal(record_validate(&r, lvrec_required, &e), -EINVAL);
}

/* ---- the core on agentless records ------------------------------------- */

/* Feed one sample through lvrec and dom_intake_built(). */
static enum dom_intake
intake(struct dom *d, const struct policy_cfg *pcfg, const struct sample *s,
    uint64_t seq, uint64_t now_ms)
{
	struct dom_reject why = { "", -1 };
	struct lvrec_stats st;
	struct cg_record rec;

	mkstats(s, &st);
	assert_int_equal(lvrec_from_stats(&st, seq, d->static_max_kb, false,
	    &rec), 0);
	return dom_intake_built(d, policy_find("cagma"), pcfg, &rec,
	    lvrec_required, now_ms, 10000, &why);
}

static void
test_intake_agentless(void **state)
{
	struct dom_table *t = calloc(1, sizeof(*t));
	struct sample s = OK_SAMPLE;
	struct policy_cfg pcfg;
	struct dom *d;
	int i;

	(void)state;
	assert_non_null(t);
	policy_cfg_default(&pcfg);
	dom_table_init(t);
	d = dom_add(t, 3, 1024 * MIB, 1024 * MIB, 2048 * MIB);
	assert_non_null(d);
	assert_int_equal(intake(d, &pcfg, &s, 1, 1000), DOM_INTAKE_NORMAL);
	assert_int_equal(d->vm.state, VM_OK);
	assert_int_equal(d->vm.est.used_kb, 300 * MIB);
	/* absent fields are zero and absent, never junk */
	assert_false(record_has(&d->vm.rec, CG_F_PSI_SOME_US));
	assert_int_equal(d->vm.rec.val[CG_F_URGENT], 0);
	/* the same seq again: ignored */
	assert_int_equal(intake(d, &pcfg, &s, 1, 2000), DOM_INTAKE_SAME);
	/* demand grows by 100 MiB a second: the need follows, no PSI needed */
	for (i = 2; i <= 5; i++) {
		s.usable -= 100 * MIB;
		s.unused -= 100 * MIB;
		assert_int_not_equal(intake(d, &pcfg, &s, (uint64_t)i,
		    (uint64_t)i * 1000), DOM_INTAKE_REJECTED);
	}
	assert_int_equal(d->vm.est.used_kb, 700 * MIB);
	assert_true(d->vm.est.need_kb > 700 * MIB);
	assert_int_equal(d->vm.est.psi_some_pct100, 0);
	assert_int_equal(d->vm.est.refault_rate, 0);
	/* swap-ins under a tight MemAvailable are pressure */
	s.usable = 20 * MIB;
	s.unused = 10 * MIB;
	s.swap_in += 4096 * 100;	/* 100 MiB read back from swap in 1 s */
	assert_int_not_equal(intake(d, &pcfg, &s, 6, 6000),
	    DOM_INTAKE_REJECTED);
	assert_true(d->vm.est.swapin_rate > 0);
	assert_true(d->vm.est.pressure);
	/* a counter that goes backwards is a lie */
	s.swap_in = 0;
	assert_int_equal(intake(d, &pcfg, &s, 7, 7000), DOM_INTAKE_REJECTED);
	assert_int_equal(d->vm.state, VM_BAD_DATA);
	dom_table_free(t);
	free(t);
}

/* The safety floor is the floor every policy clamps to. */
static void
test_floor_blocks_shrink(void **state)
{
	static const char *const names[] = { "cagma", "threshold",
	    "coordinator", "two-pointer", "gt-rules", "static" };
	struct dom_table *t = calloc(1, sizeof(*t));
	struct sample s = OK_SAMPLE;
	struct policy_host host = { 8192 * MIB, 256 * MIB, 0, 0 };
	struct vm_target out[1];
	struct policy_cfg pcfg;
	struct policy_vm vm;
	struct dom *d;
	uint64_t floor_kb, t_ms;
	unsigned undershoot = 0;
	size_t i, n;

	(void)state;
	assert_non_null(t);
	policy_cfg_default(&pcfg);
	pcfg.max_shrink_kb = 4096 * MIB;	/* one step could go anywhere */
	dom_table_init(t);
	d = dom_add(t, 3, 1024 * MIB, 1024 * MIB, 2048 * MIB);
	assert_non_null(d);
	s.usable = 500 * MIB;		/* used 500 MiB */
	s.unused = 400 * MIB;
	for (t_ms = 1000; t_ms <= 200000; t_ms += 1000)
		(void)intake(d, &pcfg, &s, t_ms, t_ms);
	floor_kb = lvrec_safe_floor_kb(&d->vm.rec, 1024 * MIB);
	assert_int_equal(floor_kb, (500 + 24 + 64) * MIB);
	dom_set_floor(d, 256 * MIB, floor_kb);
	assert_int_equal(d->vm.floor_kb, floor_kb);
	assert_false(dom_target_ok(d, floor_kb - 1));
	assert_true(dom_target_ok(d, floor_kb));
	/* a configured floor above it wins */
	dom_set_floor(d, 900 * MIB, floor_kb);
	assert_int_equal(d->vm.floor_kb, 900 * MIB);
	/*
	 * The policies' own targets here sit near used + slack, the floor's
	 * formula; a floor above them (the guest's used rose after the
	 * policy's estimate, e.g.) must hold for every policy.
	 */
	pcfg.floor_kb = 0;
	floor_kb = 1000 * MIB;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		assert_non_null(policy_find(names[i]));
		/* without the safety floor */
		dom_set_floor(d, 0, 0);
		vm = d->vm;
		host.now_ms = 200000 + 1000 * i;
		n = 0;
		assert_int_equal(policy_decide(policy_find(names[i]), &pcfg,
		    &host, &vm, 1, out, &n), 0);
		if (n == 1 && out[0].target_kb < floor_kb)
			undershoot++;
		/* with it */
		dom_set_floor(d, 0, floor_kb);
		vm = d->vm;
		n = 0;
		assert_int_equal(policy_decide(policy_find(names[i]), &pcfg,
		    &host, &vm, 1, out, &n), 0);
		if (n == 1)
			assert_true(out[0].target_kb >= floor_kb);
	}
	print_message("%u of the policies would go below the floor\n",
	    undershoot);
	assert_true(undershoot > 0);
	dom_table_free(t);
	free(t);
}

/* ---- lvside: stats vs the agent's channel, host free memory -------------- */

static void
test_side_prefers_channel(void **state)
{
	struct cagmad *c = calloc(1, sizeof(*c));
	struct lvside_dom ld;
	struct lvrec_stats st;
	struct sample s = OK_SAMPLE;
	static uint32_t ids[8];
	struct dom *d;

	(void)state;
	assert_non_null(c);
	c->tbl = calloc(1, sizeof(*c->tbl));
	assert_non_null(c->tbl);
	dom_table_init(c->tbl);
	cfg_defaults(&c->cfg);
	c->cfg.stale_ms = 10000;
	cfg_policy_cfg(&c->cfg, &c->pcfg);
	c->ops = policy_find("cagma");
	emerg_init(&c->emerg, ids, 8);
	sched_init(&c->sched, 1000, 100);
	d = dom_add(c->tbl, 5, 1024 * MIB, 1024 * MIB, 2048 * MIB);
	assert_non_null(d);
	dom_set_floor(d, 256 * MIB, 0);
	memset(&ld, 0, sizeof(ld));
	ld.c = c;
	ld.slot = 5;
	ld.max_kb = 2048 * MIB;
	ld.actual_kb = 1024 * MIB;
	mkstats(&s, &st);
	lvside_take_stats(c, &ld, &st, 1000);
	assert_int_equal(d->records, 1);
	assert_int_equal(c->records, 1);
	/* the safety floor came with it: used 300 + overhead 24 + 64 */
	assert_int_equal(d->vm.floor_kb, 388 * MIB);
	/* an agent record 1 s ago: the stats-built one is skipped */
	ld.chan_rec_ms = 1500;
	lvside_take_stats(c, &ld, &st, 2000);
	assert_int_equal(d->records, 1);
	/* the agent went quiet for longer than stale: stats again */
	lvside_take_stats(c, &ld, &st, 1500 + 10001);
	assert_int_equal(d->records, 2);
	/* an inconsistent sample is a rejected record */
	st.val[LVREC_UNUSED] = st.val[LVREC_AVAILABLE] + 1;
	ld.chan_rec_ms = 0;
	lvside_take_stats(c, &ld, &st, 20000);
	assert_int_equal(d->rejected, 1);
	assert_int_equal(d->vm.state, VM_BAD_DATA);
	/* no balloon driver: no record, no rejection */
	memset(&st, 0, sizeof(st));
	lvside_take_stats(c, &ld, &st, 21000);
	assert_int_equal(d->records, 2);
	assert_int_equal(d->rejected, 1);
	dom_table_free(c->tbl);
	free(c->tbl);
	free(c);
}

static void
test_side_free_kb(void **state)
{
	uint64_t free_kb = 0, less = 0;

	(void)state;
	assert_int_equal(lvside_free_kb(0, &free_kb), 0);
	assert_true(free_kb > 0);
	assert_int_equal(lvside_free_kb(1024, &less), 0);
	assert_true(less < free_kb + 1024 * 1024);	/* moves under us */
	assert_int_equal(lvside_free_kb(UINT64_MAX, &less), 0);
	assert_int_equal(less, 0);
}

int
main(void)
{
	enum { NM = sizeof(map_cases) / sizeof(map_cases[0]),
	    NF = sizeof(floor_cases) / sizeof(floor_cases[0]),
	    NX = sizeof(xml_cases) / sizeof(xml_cases[0]),
	    NC = sizeof(chan_cases) / sizeof(chan_cases[0]) };
	struct CMUnitTest tests[NM + NF + NX + NC + 6];
	size_t i, n = 0;

	for (i = 0; i < NM; i++) {
		tests[n] = (struct CMUnitTest)cmocka_unit_test_prestate(
		    test_map_row, (void *)&map_cases[i]);
		tests[n++].name = map_cases[i].name;
	}
	for (i = 0; i < NF; i++) {
		tests[n] = (struct CMUnitTest)cmocka_unit_test_prestate(
		    test_floor_row, (void *)&floor_cases[i]);
		tests[n++].name = floor_cases[i].name;
	}
	for (i = 0; i < NX; i++) {
		tests[n] = (struct CMUnitTest)cmocka_unit_test_prestate(
		    test_xml_row, (void *)&xml_cases[i]);
		tests[n++].name = xml_cases[i].name;
	}
	for (i = 0; i < NC; i++) {
		tests[n] = (struct CMUnitTest)cmocka_unit_test_prestate(
		    test_chan_row, (void *)&chan_cases[i]);
		tests[n++].name = chan_cases[i].name;
	}
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_validate);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(
	    test_intake_agentless);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(
	    test_floor_blocks_shrink);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(
	    test_side_prefers_channel);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_side_free_kb);
	return _cmocka_run_group_tests("lvrec", tests, n, NULL, NULL);
}
