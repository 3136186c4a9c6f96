/*
 * model.c - cagma-sim guest model (see model.h and FORMAT.md "Model").
 *
 * A guest holds alloc KiB.  Its tasks want demand KiB of anonymous memory
 * (random access, so every page is hot) and file_want KiB of page cache.
 * Anonymous pages that do not fit are in swap; the tasks touch them at
 * access x swapped / demand pages/s, each touch a swap-in (bounded by the
 * host's shared disk) that needs a free page, or evicts another (thrash).
 * Reclaim drops page cache before it swaps.  The balloon moves at a
 * bounded rate (variants: ideal, slow, stuck, hidden floor).
 */
#include <math.h>
#include <string.h>

#include "agent.h"
#include "model.h"

#define MIN_FREE_PCT	1.0		/* low watermark, % of alloc */
#define MIN_FREE_KB	(8.0 * 1024)
#define OOM_QUIET_MS	1000		/* one OOM event per second */

static double
dmin(double a, double b)
{
	return a < b ? a : b;
}

static double
dmax(double a, double b)
{
	return a > b ? a : b;
}

static double
min_free_kb(const struct sim_guest *g)
{
	return dmax(MIN_FREE_KB, g->alloc_kb * MIN_FREE_PCT / 100);
}

/* Room for new pages without reclaim, KiB. */
static double
room_kb(const struct sim_guest *g)
{
	return g->alloc_kb - min_free_kb(g) - g->resident_kb - g->cache_kb;
}

/* See model.h. */
double
model_free_kb(const struct sim_guest *g)
{
	return dmax(0, g->alloc_kb - g->resident_kb - g->cache_kb);
}

/* See model.h. */
double
model_avail_kb(const struct sim_guest *g)
{
	return dmax(0, model_free_kb(g) + g->cache_kb - min_free_kb(g));
}

/* Swap space left, KiB. */
static double
swap_room_kb(const struct sim_guest *g)
{
	return dmax(0, (double)g->cfg->swap_kb - g->swapped_kb);
}

/* Anonymous memory reclaim could still swap out, KiB. */
static double
swappable_kb(const struct sim_guest *g)
{
	return dmin(dmax(0, g->resident_kb), swap_room_kb(g));
}

/*
 * Free up to need KiB: drop page cache, then swap anonymous pages out
 * (cold, i.e. inactive, pages first) while swap has room.  direct: an
 * allocation waits for it (PSI stall, pgscan_direct).  Returns KiB freed.
 */
static double
reclaim(struct sim_guest *g, double need, bool direct, uint64_t dt_ms)
{
	double from_cache, from_anon, cold_res, cold_out;

	if (need <= 0)
		return 0;
	g->reclaimed = true;
	from_cache = dmin(need, g->cache_kb);
	g->cache_kb -= from_cache;
	from_anon = dmin(need - from_cache, swappable_kb(g));
	cold_res = dmax(0, g->cold_kb - g->cold_swapped_kb);
	cold_out = dmin(from_anon, cold_res);
	g->cold_swapped_kb += cold_out;
	g->resident_kb -= from_anon;
	g->swapped_kb += from_anon;
	g->pswpout += from_anon / SIM_PAGE_KB;
	g->pgscan += (from_cache + from_anon) / SIM_PAGE_KB;
	if (direct) {
		g->stalled = true;
		g->allocstall += 1;	/* one allocation entered reclaim */
		g->pgscan_direct += (from_cache + from_anon) / SIM_PAGE_KB;
		g->psi_some_us += dmin((double)dt_ms * 1000,
		    (from_cache + from_anon) / 1024 * SIM_RECLAIM_STALL_US);
	}
	return from_cache + from_anon;
}

/* See model.h. */
void
model_guest_init(struct sim_guest *g, const struct sim_guest_cfg *cfg,
    uint32_t domid, uint64_t offset_ms, double access_scale)
{
	memset(g, 0, sizeof(*g));
	g->cfg = cfg;
	g->domid = domid;
	g->offset_ms = offset_ms;
	g->access_scale = access_scale;
	g->alloc_kb = (double)cfg->start_kb;
	g->target_kb = cfg->start_kb;
	g->demand_kb = (double)cfg->base_kb;
	g->resident_kb = dmin(g->demand_kb, g->alloc_kb - min_free_kb(g));
	g->swapped_kb = dmin(g->demand_kb - g->resident_kb,
	    (double)cfg->swap_kb);
	g->demand_kb = g->resident_kb + g->swapped_kb;
	g->rep_cfg.thresh_kb = REPORT_DEF_THRESH_KB;
	g->rep_cfg.thresh_pct100 = REPORT_DEF_THRESH_PCT100;
	g->rep_cfg.heartbeat_ms = REPORT_DEF_HEARTBEAT_MS;
	g->rep_cfg.kswapd_burst_pages = REPORT_DEF_KSWAPD_BURST;
	g->rep_cfg.urgent_gap_ms = REPORT_DEF_URGENT_GAP_MS;
}

/* See model.h. */
bool
model_balloon_stuck(const struct sim_guest *g, uint64_t now_ms)
{
	const struct sim_guest_cfg *c = g->cfg;
	uint64_t cycle = c->stuck_on_ms + c->stuck_off_ms;

	if (c->balloon == SIM_BALLOON_STUCK)
		return true;
	if (!c->has_stuck_from || now_ms < c->stuck_from_ms)
		return false;
	if (c->stuck_off_ms == 0)
		return true;
	return (now_ms - c->stuck_from_ms) % cycle < c->stuck_on_ms;
}

/* Where the balloon is heading: the target, bent by the faults. */
static double
balloon_goal(const struct sim_guest *g)
{
	const struct sim_guest_cfg *c = g->cfg;
	double goal = (double)g->target_kb;

	if (c->hidden_floor_kb > 0)
		goal = dmax(goal, (double)c->hidden_floor_kb);
	if (c->hidden_max_kb > 0)
		goal = dmin(goal, (double)c->hidden_max_kb);
	if (c->balloon_slack_kb > 0 && goal > g->alloc_kb)
		goal = dmax(g->alloc_kb, goal - (double)c->balloon_slack_kb);
	else if (c->balloon_slack_kb > 0 && goal < g->alloc_kb)
		goal = dmin(g->alloc_kb, goal + (double)c->balloon_slack_kb);
	return goal;
}

/* See model.h. */
void
model_balloon(struct sim_guest *g, uint64_t now_ms, uint64_t dt_ms,
    double *host_free_kb)
{
	const struct sim_guest_cfg *c = g->cfg;
	double rate = (double)c->rate_kbps, step, goal;

	if (model_balloon_stuck(g, now_ms))
		return;
	goal = balloon_goal(g);
	if (c->balloon == SIM_BALLOON_SLOW)
		rate /= 16;
	step = c->balloon == SIM_BALLOON_IDEAL ? INFINITY :
	    rate * (double)dt_ms / 1000;
	if (goal > g->alloc_kb) {
		step = dmin(dmin(step, goal - g->alloc_kb), dmax(0,
		    *host_free_kb));
		g->alloc_kb += step;
		*host_free_kb -= step;
	} else if (goal < g->alloc_kb) {
		/*
		 * Linux's balloon driver allocates without retrying or
		 * invoking the OOM killer: it only gets pages that are free
		 * or reclaimable (cache, anon while swap has room).
		 */
		step = dmin(dmin(step, g->alloc_kb - goal),
		    dmax(0, room_kb(g)) + g->cache_kb + swappable_kb(g));
		if (step <= 0)
			return;
		g->alloc_kb -= step;
		*host_free_kb += step;
		(void)reclaim(g, -room_kb(g), false, dt_ms);
	}
}

/* Phase demand at now_ms (the last phase holds after the end). */
static void
phase_at(const struct sim_guest *g, uint64_t now_ms, double *anon,
    double *file, double *cold)
{
	const struct sim_guest_cfg *c = g->cfg;
	uint64_t t;
	size_t i;

	*anon = 0;
	*file = 0;
	*cold = 0;
	if (now_ms < g->offset_ms || c->nphases == 0)
		return;
	t = now_ms - g->offset_ms;
	for (i = 0; i < c->nphases; i++) {
		if (t < c->phases[i].dur_ms || i + 1 == c->nphases)
			break;
		t -= c->phases[i].dur_ms;
	}
	*anon = (double)c->phases[i].anon_kb;
	*file = (double)c->phases[i].file_kb;
	*cold = (double)c->phases[i].cold_kb;
}

/*
 * An allocation of over KiB that neither free memory, reclaim nor swap
 * could place: the OOM killer frees it (a task dies; the excess demand
 * goes).  Less than a page is rounding, not a kill.
 */
static void
oom_kill(struct sim_guest *g, double over, uint64_t now_ms, uint64_t dt_ms)
{
	if (over < SIM_PAGE_KB)
		return;
	g->oom_kills++;
	g->psi_some_us += (double)dt_ms * 1000;
	g->psi_full_us += (double)dt_ms * 1000;
	if (now_ms >= g->oom_quiet_ms) {
		g->oom_events++;
		g->oom_quiet_ms = now_ms + OOM_QUIET_MS;
	}
}

/* Demand grows by up to d KiB (new pages of hot and cold_d cold). */
static void
demand_grow(struct sim_guest *g, double d, double cold_d, uint64_t now_ms,
    uint64_t dt_ms)
{
	double room, placed, to_swap;

	if (d > dmax(0, room_kb(g)))
		(void)reclaim(g, d - dmax(0, room_kb(g)), true, dt_ms);
	room = dmax(0, room_kb(g));
	placed = dmin(d, room);
	/* what reclaim could not make room for goes to swap, if any left */
	to_swap = dmin(d - placed, swap_room_kb(g));
	g->resident_kb += placed;
	g->swapped_kb += to_swap;
	g->pswpout += to_swap / SIM_PAGE_KB;
	if (to_swap > 0)
		g->stalled = true;
	g->demand_kb += placed + to_swap;
	g->cold_kb += dmin(cold_d, placed + to_swap);
	oom_kill(g, d - placed - to_swap, now_ms, dt_ms);
}

/* Demand falls to want (the tasks exit): their pages go, pro rata. */
static void
demand_fall(struct sim_guest *g, double want, double cold_want)
{
	double fr = (g->demand_kb - want) / g->demand_kb;
	double hot_sw = g->swapped_kb - g->cold_swapped_kb;

	g->resident_kb -= g->resident_kb * fr;
	g->swapped_kb -= g->swapped_kb * fr;
	g->demand_kb = want;
	if (g->cold_kb > cold_want) {
		g->cold_swapped_kb = dmin(g->cold_swapped_kb * cold_want /
		    g->cold_kb, g->swapped_kb);
		g->cold_kb = cold_want;
	}
	(void)hot_sw;
}

/* Swap-ins the tasks would cause, pages/s: hot at the access rate, cold
 * pages once per SIM_COLD_REUSE_MS. */
static double
want_swapin(const struct sim_guest *g)
{
	double hot_d = g->demand_kb - g->cold_kb;
	double hot_sw = dmax(0, g->swapped_kb - g->cold_swapped_kb);
	double pps = 0;

	if (hot_d > 0)
		pps += (double)g->cfg->access_pps * g->access_scale *
		    dmin(1, hot_sw / hot_d);
	pps += g->cold_swapped_kb / SIM_PAGE_KB * 1000 / SIM_COLD_REUSE_MS;
	return pps;
}

/* See model.h. */
void
model_demand(struct sim_guest *g, uint64_t now_ms, uint64_t dt_ms)
{
	double anon, file, cold, want, d;

	g->reclaimed = false;
	g->stalled = false;
	phase_at(g, now_ms, &anon, &file, &cold);
	want = (double)g->cfg->base_kb + anon + cold;
	if (want > g->demand_kb) {
		d = dmin(want - g->demand_kb, (double)g->cfg->ramp_kbps *
		    (double)dt_ms / 1000);
		demand_grow(g, d, dmax(0, dmin(d, cold - g->cold_kb)), now_ms,
		    dt_ms);
	} else if (want < g->demand_kb) {
		demand_fall(g, want, cold);
	}
	/* page cache: grows into free room, refaults for what is missing */
	g->file_want_kb = file;
	if (g->cache_kb > file)
		g->cache_kb = file;
	g->cache_kb += dmin(file - g->cache_kb, dmax(0, room_kb(g)));
	if (file > 0)
		g->refault += (double)g->cfg->file_pps * (file - g->cache_kb) /
		    file * (double)dt_ms / 1000;
	g->want_swapin_pps = want_swapin(g);
}

/* See model.h. */
void
model_swapin(struct sim_guest *g, double granted_pps, uint64_t dt_ms)
{
	double kb = dmin(granted_pps * (double)dt_ms / 1000 * SIM_PAGE_KB,
	    g->swapped_kb), room;

	if (kb <= 0)
		return;
	g->pswpin += kb / SIM_PAGE_KB;
	g->psi_some_us += dmin(1.0, granted_pps * SIM_SWAPIN_STALL_US / 1e6) *
	    (double)dt_ms * 1000;
	/* cold pages come back in proportion to their share of the faults */
	g->cold_swapped_kb -= dmin(g->cold_swapped_kb, kb * (g->cold_swapped_kb /
	    SIM_PAGE_KB * 1000 / SIM_COLD_REUSE_MS) / dmax(1e-9, granted_pps));
	g->swapped_kb -= kb;
	room = dmax(0, room_kb(g));
	if (kb > room)	/* evicts others: thrashing */
		(void)reclaim(g, kb - room, true, dt_ms);
	g->resident_kb += kb;
}

/* See model.h: the guest's /proc as cagma-agent parses it. */
void
model_sample(const struct sim_guest *g, struct sample *s_out)
{
	struct procfs_meminfo *m = &s_out->mem;
	struct procfs_vmstat *v = &s_out->vm;
	double sw = (double)g->cfg->swap_kb;

	memset(s_out, 0, sizeof(*s_out));
	m->kb[PROCFS_MEM_TOTAL] = (uint64_t)g->alloc_kb;
	m->kb[PROCFS_MEM_FREE] = (uint64_t)model_free_kb(g);
	m->kb[PROCFS_MEM_AVAIL] = (uint64_t)model_avail_kb(g);
	m->kb[PROCFS_MEM_CACHED] = (uint64_t)g->cache_kb;
	m->kb[PROCFS_MEM_SWAP_TOTAL] = (uint64_t)sw;
	m->kb[PROCFS_MEM_SWAP_FREE] = (uint64_t)dmax(0, sw - g->swapped_kb);
	m->present = (1U << PROCFS_MEM_COUNT) - 1;
	v->val[PROCFS_VM_PSWPIN] = (uint64_t)g->pswpin;
	v->val[PROCFS_VM_PSWPOUT] = (uint64_t)g->pswpout;
	v->val[PROCFS_VM_PGSCAN_KSWAPD] = (uint64_t)(g->pgscan -
	    g->pgscan_direct);
	v->val[PROCFS_VM_PGMAJFAULT] = (uint64_t)g->pswpin;
	v->val[PROCFS_VM_REFAULT] = (uint64_t)g->refault;
	v->val[PROCFS_VM_OOM_KILL] = (uint64_t)g->oom_kills;
	v->val[PROCFS_VM_PGSCAN_DIRECT] = (uint64_t)g->pgscan_direct;
	v->present = PROCFS_BIT(PROCFS_VM_PSWPIN) |
	    PROCFS_BIT(PROCFS_VM_PSWPOUT) | PROCFS_BIT(PROCFS_VM_PGSCAN_KSWAPD) |
	    PROCFS_BIT(PROCFS_VM_PGMAJFAULT) | PROCFS_BIT(PROCFS_VM_REFAULT) |
	    PROCFS_BIT(PROCFS_VM_OOM_KILL) | PROCFS_BIT(PROCFS_VM_PGSCAN_DIRECT);
	s_out->has_allocstall = true;
	s_out->allocstall = (uint64_t)g->allocstall;
	/* the model's low watermark is its min free, as a kernel's would be */
	s_out->wmark_low_kb = (uint64_t)min_free_kb(g);
	s_out->refault = (uint64_t)g->refault;
	s_out->has_psi = true;
	s_out->psi.some.total_us = (uint64_t)g->psi_some_us;
	s_out->psi.full.total_us = (uint64_t)g->psi_full_us;
	s_out->psi.has_full = 1;
}

/*
 * The agent's PSI trigger ("some AGENT_DEF_PSI_STALL_MS in
 * AGENT_DEF_PSI_WINDOW_MS"): fires once per window in which the stall
 * reached the threshold, as the kernel's trigger does.
 */
static bool
psi_trigger(struct sim_guest *g, uint64_t now_ms)
{
	if (now_ms >= g->psi_win_ms + AGENT_DEF_PSI_WINDOW_MS) {
		g->psi_win_ms = now_ms;
		g->psi_win_base_us = g->psi_some_us;
		g->psi_win_fired = false;
	}
	if (g->psi_win_fired || g->psi_some_us - g->psi_win_base_us <
	    AGENT_DEF_PSI_STALL_MS * 1000.0)
		return false;
	g->psi_win_fired = true;
	return true;
}

/* See model.h: cagma-agent's own publish rules. */
bool
model_agent(struct sim_guest *g, uint64_t now_ms)
{
	struct report_vals vals;
	struct cg_record rec;
	struct sample smp;
	uint32_t why;
	bool fired;
	int len;

	fired = psi_trigger(g, now_ms);
	if (!fired && now_ms < g->next_sample_ms)
		return false;
	model_sample(g, &smp);
	report_vals_from_sample(&smp, &vals);
	/* the agent's adaptive period (report_interval_ms), as agent.c */
	g->next_sample_ms = now_ms + report_interval_ms(AGENT_DEF_INTERVAL_MS,
	    AGENT_DEF_INTERVAL_MAX_MS, &vals, g->has_last ? &g->last_vals :
	    NULL, now_ms - g->last_sample_ms);
	g->last_vals = vals;
	g->last_sample_ms = now_ms;
	g->has_last = true;
	why = report_decide(&g->rep_cfg, &g->rep, &vals, fired, now_ms);
	if (why == 0)
		return false;
	g->seq = report_next_seq(g->seq, now_ms);
	report_build(&smp, g->seq, (why & REPORT_URGENT_MASK) != 0, &rec);
	len = record_encode(&rec, g->pending_buf, sizeof(g->pending_buf));
	if (len < 0)
		return false;	/* cannot happen: report_build clamps */
	g->pending_len = (size_t)len;
	report_published(&g->rep, &vals, why, now_ms);
	/* a write before dom0 read the last one: the watch already fired,
	 * dom0 reads the newest value at the first event's time */
	if (!g->pending)
		g->pending_at_ms = now_ms + SIM_AGENT_DELAY_MS;
	g->pending = true;
	return true;
}
