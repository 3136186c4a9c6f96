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

/* Make need KiB of room: drop cache, then swap anon out. */
static void
reclaim(struct sim_guest *g, double need)
{
	double from_cache, from_anon;

	if (need <= 0)
		return;
	g->reclaimed = true;
	from_cache = dmin(need, g->cache_kb);
	g->cache_kb -= from_cache;
	from_anon = dmin(need - from_cache, g->resident_kb);
	g->resident_kb -= from_anon;
	g->swapped_kb += from_anon;
	g->pswpout += from_anon / SIM_PAGE_KB;
	g->pgscan += need / SIM_PAGE_KB;
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
	g->swapped_kb = g->demand_kb - g->resident_kb;
}

/* See model.h. */
void
model_balloon(struct sim_guest *g, uint64_t dt_ms, double *host_free_kb)
{
	const struct sim_guest_cfg *c = g->cfg;
	double rate = (double)c->rate_kbps, step, goal = (double)g->target_kb;

	if (c->balloon == SIM_BALLOON_STUCK)
		return;
	if (c->hidden_floor_kb > 0)
		goal = dmax(goal, (double)c->hidden_floor_kb);
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
		step = dmin(step, g->alloc_kb - goal);
		g->alloc_kb -= step;
		*host_free_kb += step;
		reclaim(g, -room_kb(g));
	}
}

/* Phase demand at now_ms (the last phase holds after the end). */
static void
phase_at(const struct sim_guest *g, uint64_t now_ms, double *anon,
    double *file)
{
	const struct sim_guest_cfg *c = g->cfg;
	uint64_t t;
	size_t i;

	*anon = 0;
	*file = 0;
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
}

static void
oom_check(struct sim_guest *g, uint64_t now_ms)
{
	double over = g->swapped_kb - (double)g->cfg->swap_kb;

	if (over <= 0)
		return;
	/* the OOM killer frees the excess (a task dies) */
	g->swapped_kb -= over;
	g->demand_kb -= over;
	if (now_ms >= g->oom_quiet_ms) {
		g->oom_events++;
		g->oom_quiet_ms = now_ms + OOM_QUIET_MS;
	}
}

/* See model.h. */
void
model_demand(struct sim_guest *g, uint64_t now_ms, uint64_t dt_ms)
{
	double anon, file, want, d, fr, room;

	g->reclaimed = false;
	phase_at(g, now_ms, &anon, &file);
	want = (double)g->cfg->base_kb + anon;
	if (want > g->demand_kb) {
		d = dmin(want - g->demand_kb, (double)g->cfg->ramp_kbps *
		    (double)dt_ms / 1000);
		reclaim(g, d - dmax(0, room_kb(g)));
		room = dmax(0, room_kb(g));
		/* new pages are resident; what reclaim could not free
		 * (nothing left to evict) goes straight to swap */
		g->resident_kb += dmin(d, room);
		g->swapped_kb += d - dmin(d, room);
		g->demand_kb += d;
	} else if (want < g->demand_kb) {
		fr = (g->demand_kb - want) / g->demand_kb;
		g->resident_kb -= g->resident_kb * fr;
		g->swapped_kb -= g->swapped_kb * fr;
		g->demand_kb = want;
	}
	oom_check(g, now_ms);
	/* page cache: grows into free room, refaults for what is missing */
	g->file_want_kb = file;
	if (g->cache_kb > file)
		g->cache_kb = file;
	g->cache_kb += dmin(file - g->cache_kb, dmax(0, room_kb(g)));
	if (file > 0)
		g->refault += (double)g->cfg->file_pps * (file - g->cache_kb) /
		    file * (double)dt_ms / 1000;
	g->want_swapin_pps = g->demand_kb > 0 ? (double)g->cfg->access_pps *
	    g->access_scale * g->swapped_kb / g->demand_kb : 0;
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
	g->swapped_kb -= kb;
	room = dmax(0, room_kb(g));
	if (kb > room)
		reclaim(g, kb - room);	/* evicts others: thrashing */
	g->resident_kb += kb;
}

static void
make_record(struct sim_guest *g, struct cg_record *r)
{
	double total = g->alloc_kb, sw = (double)g->cfg->swap_kb;

	memset(r, 0, sizeof(*r));
	record_set(r, CG_F_V, 1);
	record_set(r, CG_F_SEQ, ++g->seq);
	record_set(r, CG_F_MEM_TOTAL, (uint64_t)total);
	record_set(r, CG_F_MEM_FREE, (uint64_t)model_free_kb(g));
	record_set(r, CG_F_MEM_AVAIL, (uint64_t)dmin(model_avail_kb(g),
	    total));
	record_set(r, CG_F_SWAP_TOTAL, (uint64_t)sw);
	record_set(r, CG_F_SWAP_FREE, (uint64_t)dmax(0, sw - g->swapped_kb));
	record_set(r, CG_F_PSWPIN, (uint64_t)g->pswpin);
	record_set(r, CG_F_PSWPOUT, (uint64_t)g->pswpout);
	record_set(r, CG_F_PGSCAN_KSWAPD, (uint64_t)g->pgscan);
	record_set(r, CG_F_PGMAJFAULT, (uint64_t)g->pswpin);
	record_set(r, CG_F_REFAULT, (uint64_t)g->refault);
	record_set(r, CG_F_PSI_SOME_US, (uint64_t)g->psi_some_us);
	record_set(r, CG_F_PSI_FULL_US, 0);
	record_set(r, CG_F_CACHED, (uint64_t)g->cache_kb);
	record_set(r, CG_F_HAS_PSI, 1);
}

/* See model.h: the agent's publish rules (DESIGN.md "guest agent"). */
bool
model_agent(struct sim_guest *g, uint64_t now_ms)
{
	bool urgent, moved, heartbeat;
	double avail;

	if (now_ms < g->next_sample_ms)
		return false;
	g->next_sample_ms = now_ms + SIM_AGENT_SAMPLE_MS;
	/* pressure since the last sample: swap-in or kswapd scanning */
	urgent = (uint64_t)g->pswpin > (uint64_t)g->last_sample_pswpin ||
	    g->pgscan - g->last_sample_pgscan > SIM_AGENT_KSWAPD_PAGES;
	g->last_sample_pswpin = g->pswpin;
	g->last_sample_pgscan = g->pgscan;
	avail = model_avail_kb(g);
	moved = fabs(avail - g->last_pub_avail_kb) >= SIM_AGENT_DELTA_KB;
	heartbeat = g->seq == 0 || now_ms >= g->last_pub_ms +
	    SIM_AGENT_HEARTBEAT_MS;
	if (!urgent && !moved && !heartbeat)
		return false;
	make_record(g, &g->pending_rec);
	record_set(&g->pending_rec, CG_F_URGENT, urgent ? 1 : 0);
	/* a write before dom0 read the last one: the watch already fired,
	 * dom0 reads the newest value at the first event's time */
	if (!g->pending)
		g->pending_at_ms = now_ms + SIM_AGENT_DELAY_MS;
	g->pending = true;
	g->last_pub_ms = now_ms;
	g->last_pub_avail_kb = avail;
	return true;
}
