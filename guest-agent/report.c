/*
 * report.c - publish decision and record building (report.h).  Pure.
 */
#include <stdio.h>
#include <string.h>

#include "procfs.h"
#include "record.h"
#include "report.h"

void
report_vals_from_sample(const struct sample *s, struct report_vals *out)
{
	const uint64_t *kb = s->mem.kb;
	uint64_t swap_total = kb[PROCFS_MEM_SWAP_TOTAL];
	uint64_t swap_free = kb[PROCFS_MEM_SWAP_FREE];

	if (!(s->mem.present & PROCFS_BIT(PROCFS_MEM_SWAP_TOTAL)))
		swap_total = 0;
	if (!(s->mem.present & PROCFS_BIT(PROCFS_MEM_SWAP_FREE)))
		swap_free = swap_total;
	out->mem_total_kb = kb[PROCFS_MEM_TOTAL];
	out->mem_free_kb = kb[PROCFS_MEM_FREE];
	out->mem_avail_kb = kb[PROCFS_MEM_AVAIL];
	out->swap_used_kb = swap_total > swap_free ? swap_total - swap_free : 0;
	out->pswpin = (s->vm.present & PROCFS_BIT(PROCFS_VM_PSWPIN)) ?
	    s->vm.val[PROCFS_VM_PSWPIN] : 0;
	out->pgscan_kswapd =
	    (s->vm.present & PROCFS_BIT(PROCFS_VM_PGSCAN_KSWAPD)) ?
	    s->vm.val[PROCFS_VM_PGSCAN_KSWAPD] : 0;
	out->oom_kill = (s->vm.present & PROCFS_BIT(PROCFS_VM_OOM_KILL)) ?
	    s->vm.val[PROCFS_VM_OOM_KILL] : 0;
	out->allocstall = s->has_allocstall ? s->allocstall : 0;
	out->wmark_low_kb = s->wmark_low_kb;
}

/* MemAvailable below the low watermark plus a margin (0: unknown). */
static bool
report_lowmem(const struct report_vals *v)
{
	uint64_t margin = v->wmark_low_kb > REPORT_LOWMEM_MARGIN_KB ?
	    v->wmark_low_kb : REPORT_LOWMEM_MARGIN_KB;

	return v->wmark_low_kb != 0 &&
	    v->mem_avail_kb < v->wmark_low_kb + margin;
}

/* |a - b| above the absolute or the relative (to total_kb) threshold. */
static bool
report_moved(const struct report_cfg *cfg, uint64_t a, uint64_t b,
    uint64_t total_kb)
{
	uint64_t d = a > b ? a - b : b - a;

	if (d > cfg->thresh_kb)
		return true;
	/* d and total_kb are below 2^54 KiB: no overflow with pct <= 10000 */
	return cfg->thresh_pct100 != 0 &&
	    d * 10000 > (uint64_t)cfg->thresh_pct100 * total_kb;
}

static bool
report_changed(const struct report_cfg *cfg, const struct report_state *st,
    const struct report_vals *v)
{
	const struct report_vals *p = &st->pub;
	uint64_t total = v->mem_total_kb;

	return report_moved(cfg, v->mem_total_kb, p->mem_total_kb, total) ||
	    report_moved(cfg, v->mem_free_kb, p->mem_free_kb, total) ||
	    report_moved(cfg, v->mem_avail_kb, p->mem_avail_kb, total) ||
	    report_moved(cfg, v->swap_used_kb, p->swap_used_kb, total);
}

uint32_t
report_decide(const struct report_cfg *cfg, struct report_state *st,
    const struct report_vals *v, bool psi_fired, uint64_t now_ms)
{
	uint32_t why = 0;

	/* Counters that went backwards (reboot, bad read) are not growth. */
	if (st->have_prev) {
		if (v->pswpin > st->prev_pswpin)
			st->pending |= REPORT_SWAPIN;
		if (v->pgscan_kswapd > st->prev_pgscan &&
		    v->pgscan_kswapd - st->prev_pgscan >
		    cfg->kswapd_burst_pages)
			st->pending |= REPORT_KSWAPD;
		if (v->oom_kill > st->prev_oom)
			st->pending |= REPORT_OOM;
		if (v->allocstall > st->prev_stall)
			st->pending |= REPORT_STALL;
	}
	/* the crossing is the event; staying low is what the others show */
	if (report_lowmem(v) && !st->lowmem)
		st->pending |= REPORT_LOWMEM;
	st->lowmem = report_lowmem(v);
	if (psi_fired)
		st->pending |= REPORT_PSI;
	st->prev_pswpin = v->pswpin;
	st->prev_pgscan = v->pgscan_kswapd;
	st->prev_oom = v->oom_kill;
	st->prev_stall = v->allocstall;
	st->have_prev = true;

	if (st->pending != 0) {
		if (st->urgent_sent &&
		    now_ms - st->last_urgent_ms < cfg->urgent_gap_ms &&
		    now_ms >= st->last_urgent_ms)
			return 0;	/* held back, and so is the rest */
		why |= st->pending;
	}
	if (!st->published)
		return why | REPORT_FIRST;
	if (report_changed(cfg, st, v))
		why |= REPORT_CHANGE;
	if (now_ms < st->last_pub_ms ||
	    now_ms - st->last_pub_ms >= cfg->heartbeat_ms)
		why |= REPORT_HEARTBEAT;
	return why;
}

void
report_published(struct report_state *st, const struct report_vals *v,
    uint32_t why, uint64_t now_ms)
{
	st->published = true;
	st->pub = *v;
	st->last_pub_ms = now_ms;
	if (why & REPORT_URGENT_MASK) {
		st->urgent_sent = true;
		st->last_urgent_ms = now_ms;
		st->pending &= ~why;
	}
}

void
report_reset(struct report_state *st)
{
	st->published = false;
}

uint64_t
report_wake_ms(const struct report_cfg *cfg, const struct report_state *st)
{
	if (st->pending != 0)
		return st->urgent_sent ?
		    st->last_urgent_ms + cfg->urgent_gap_ms : 0;
	if (!st->published)
		return 0;
	return st->last_pub_ms + cfg->heartbeat_ms;
}

uint64_t
report_next_seq(uint64_t last, uint64_t boot_ms)
{
	uint64_t next = last + 1;

	if (next < boot_ms)
		next = boot_ms;
	return next > CG_MAX_COUNT ? CG_MAX_COUNT : next;
}

static uint64_t
report_min(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

static uint64_t
report_mem(const struct sample *s, int id)
{
	if (!(s->mem.present & PROCFS_BIT(id)))
		return 0;
	return report_min(s->mem.kb[id], CG_MAX_KB);
}

static uint64_t
report_vm(const struct sample *s, int id)
{
	if (!(s->vm.present & PROCFS_BIT(id)))
		return 0;
	return report_min(s->vm.val[id], CG_MAX_COUNT);
}

void
report_build(const struct sample *s, uint64_t seq, bool urgent,
    struct cg_record *rec)
{
	uint64_t total = report_mem(s, PROCFS_MEM_TOTAL);
	uint64_t swap_total = report_mem(s, PROCFS_MEM_SWAP_TOTAL);
	uint64_t swap_free = swap_total;
	uint64_t some = 0, full = 0;

	if (s->mem.present & PROCFS_BIT(PROCFS_MEM_SWAP_FREE))
		swap_free = report_min(report_mem(s, PROCFS_MEM_SWAP_FREE),
		    swap_total);
	if (total == 0)
		total = 1;	/* schema minimum; no real kernel has 0 */
	if (s->has_psi) {
		some = report_min(s->psi.some.total_us, CG_MAX_COUNT);
		if (s->psi.has_full)
			full = report_min(s->psi.full.total_us, some);
	}
	memset(rec, 0, sizeof(*rec));
	record_set(rec, CG_F_V, CG_RECORD_VERSION);
	record_set(rec, CG_F_SEQ, report_min(seq, CG_MAX_COUNT));
	record_set(rec, CG_F_MEM_TOTAL, total);
	record_set(rec, CG_F_MEM_FREE,
	    report_min(report_mem(s, PROCFS_MEM_FREE), total));
	record_set(rec, CG_F_MEM_AVAIL,
	    report_min(report_mem(s, PROCFS_MEM_AVAIL), total));
	record_set(rec, CG_F_SWAP_TOTAL, swap_total);
	record_set(rec, CG_F_SWAP_FREE, swap_free);
	record_set(rec, CG_F_PSWPIN, report_vm(s, PROCFS_VM_PSWPIN));
	record_set(rec, CG_F_PSWPOUT, report_vm(s, PROCFS_VM_PSWPOUT));
	record_set(rec, CG_F_PGSCAN_KSWAPD,
	    report_vm(s, PROCFS_VM_PGSCAN_KSWAPD));
	record_set(rec, CG_F_PGMAJFAULT, report_vm(s, PROCFS_VM_PGMAJFAULT));
	record_set(rec, CG_F_REFAULT, report_min(s->refault, CG_MAX_COUNT));
	record_set(rec, CG_F_PSI_SOME_US, some);
	record_set(rec, CG_F_PSI_FULL_US, full);
	record_set(rec, CG_F_URGENT, urgent ? 1 : 0);
	if (s->mem.present & PROCFS_BIT(PROCFS_MEM_CACHED))
		record_set(rec, CG_F_CACHED, report_mem(s, PROCFS_MEM_CACHED));
	if (s->has_psi)
		record_set(rec, CG_F_PSI_SOME_AVG10, s->psi.some.avg10_pct100);
	record_set(rec, CG_F_HAS_PSI, s->has_psi ? 1 : 0);
	if (s->vm.present & PROCFS_BIT(PROCFS_VM_OOM_KILL))
		record_set(rec, CG_F_OOM_KILL, report_vm(s, PROCFS_VM_OOM_KILL));
	if (s->has_allocstall)
		record_set(rec, CG_F_ALLOCSTALL,
		    report_min(s->allocstall, CG_MAX_COUNT));
	if (s->vm.present & PROCFS_BIT(PROCFS_VM_PGSCAN_DIRECT))
		record_set(rec, CG_F_PGSCAN_DIRECT,
		    report_vm(s, PROCFS_VM_PGSCAN_DIRECT));
	if (s->wmark_low_kb != 0)
		record_set(rec, CG_F_WMARK_LOW,
		    report_min(s->wmark_low_kb, total));
}

uint64_t
report_interval_ms(uint64_t fast_ms, uint64_t slow_ms,
    const struct report_vals *v, const struct report_vals *prev,
    uint64_t dt_ms)
{
	uint64_t line = v->wmark_low_kb != 0 ? v->wmark_low_kb +
	    (v->wmark_low_kb > REPORT_LOWMEM_MARGIN_KB ? v->wmark_low_kb :
	    REPORT_LOWMEM_MARGIN_KB) : 4 * REPORT_LOWMEM_MARGIN_KB;
	uint64_t room, t;

	(void)dt_ms;
	if (slow_ms <= fast_ms || v->mem_avail_kb <= line)
		return fast_ms;
	if (v->swap_used_kb > 0 && v->mem_avail_kb < v->swap_used_kb + line)
		return fast_ms;
	if (prev != NULL && prev->mem_avail_kb >= v->mem_avail_kb +
	    REPORT_FALL_KB)
		return fast_ms;
	room = v->mem_avail_kb - line;
	t = room > UINT64_MAX / 1000 ? slow_ms : room * 1000 / REPORT_FILL_KBPS;
	return t < fast_ms ? fast_ms : t > slow_ms ? slow_ms : t;
}

const char *
report_why_str(uint32_t why, char *buf, size_t size)
{
	static const char *const names[] = { "first", "change", "heartbeat",
	    "swapin", "kswapd", "psi", "oom", "allocstall", "lowmem" };
	size_t i, o = 0;
	int n;

	buf[0] = '\0';
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (!(why & (1U << i)))
			continue;
		n = snprintf(buf + o, size - o, "%s%s", o ? "+" : "", names[i]);
		if (n < 0 || (size_t)n >= size - o)
			break;
		o += (size_t)n;
	}
	return buf;
}
