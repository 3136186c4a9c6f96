/*
 * metrics.c - what cagma-sim measures of a run (sim.h: struct sim_result):
 * pressure episodes, the largest 2 s allocation drop outside reclaim, the
 * give-back time after a demand fall, mean allocation, host free memory
 * and reserve violations, and the run's totals.
 */
#include <math.h>
#include <stdlib.h>

#include "sim_int.h"

/* A give-back event ends at now_ms (given back, or demand rose again). */
static void
giveback_end(struct giveback *gb, bool half, uint64_t now_ms,
    struct sim_result *res)
{
	double s = (double)(now_ms - gb->t0_ms) / 1000;

	if (half) {
		gb->half_open = false;
		res->giveback_half_s_max = fmax(res->giveback_half_s_max, s);
	} else {
		gb->open = false;
		res->giveback_s_max = fmax(res->giveback_s_max, s);
	}
}

/*
 * The largest fall of guest i's allocation within SIM_DROP_WINDOW_MS,
 * outside reclaim for an emergency or the reserve (which may take what it
 * needs at once): while such a target is in force the window restarts.
 */
static void
metric_drop(struct sim_run *r, size_t i, uint64_t slot, struct sim_result *res)
{
	double *ring = &r->drop_ring[i * DROP_SLOTS], top = 0;
	double alloc = r->g[i].alloc_kb;
	size_t j;

	if (r->dom[i]->reason == POLICY_R_RECLAIM ||
	    (r->reclaim_to[i] > 0 && alloc > r->reclaim_to[i] + 1024)) {
		for (j = 0; j < DROP_SLOTS; j++)
			ring[j] = alloc;
		return;
	}
	r->reclaim_to[i] = 0;	/* the reclaim has landed */
	ring[slot % DROP_SLOTS] = alloc;
	for (j = 0; j < DROP_SLOTS; j++)
		top = fmax(top, ring[j]);
	if ((top - alloc) / 1024 > res->max_drop_mib)
		res->max_drop_mib = (top - alloc) / 1024;
}

/* What guest i's tasks want in all (anon, cold, cache), KiB. */
static double
want_kb(const struct sim_guest *g)
{
	return g->demand_kb + g->file_want_kb;
}

/*
 * Give-back: when a guest's demand falls by SIM_GIVEBACK_MIN_KB or more
 * and it holds that much above the new demand (and its floor), time until
 * SIM_GIVEBACK_PCT % of that excess has left it.
 */
static void
metric_giveback(struct sim_run *r, size_t i, uint64_t now_ms,
    struct sim_result *res)
{
	const struct sim_guest *g = &r->g[i];
	struct giveback *gb = &r->gb[i];
	double want = want_kb(g), floor_kb, excess;

	if (want + SIM_GIVEBACK_MIN_KB <= r->want_prev[i]) {
		floor_kb = fmax(want, (double)g->cfg->min_kb);
		excess = g->alloc_kb - floor_kb;
		if (excess >= SIM_GIVEBACK_MIN_KB && !gb->open) {
			gb->open = true;
			gb->half_open = true;
			gb->t0_ms = now_ms;
			gb->alloc0_kb = g->alloc_kb;
			gb->excess_kb = excess;
			gb->want0_kb = want;
		}
	}
	r->want_prev[i] = want;
	/* demand rose again before the memory was back: counted until then */
	if ((gb->open || gb->half_open) &&
	    want >= gb->want0_kb + SIM_GIVEBACK_MIN_KB) {
		if (gb->half_open)
			giveback_end(gb, true, now_ms, res);
		if (gb->open)
			giveback_end(gb, false, now_ms, res);
		return;
	}
	if (gb->half_open && gb->alloc0_kb - g->alloc_kb >= gb->excess_kb / 2)
		giveback_end(gb, true, now_ms, res);
	if (gb->open && gb->alloc0_kb - g->alloc_kb >= gb->excess_kb *
	    SIM_GIVEBACK_PCT / 100)
		giveback_end(gb, false, now_ms, res);
}

/*
 * Release (issue 17): when guest i's demand falls by SIM_RELEASE_MIN_KB
 * or more, the time until its allocation is within 10 % of its new need
 * (demand + max(64 MiB, 10 %), at least its floor) plus the configured
 * headroom of that need (the prior, 100 %, for headroom = auto).
 */
static void
metric_release(struct sim_run *r, size_t i, double want_before,
    uint64_t now_ms, struct sim_result *res)
{
	const struct sim_guest *g = &r->g[i];
	struct release *rl = &r->rel[i];
	double want = want_kb(g), need, room;
	uint32_t pct = r->o->cfg.headroom_pct;

	if (want + SIM_RELEASE_MIN_KB <= want_before && !rl->open) {
		need = fmax(want + fmax(64.0 * 1024, want / 10),
		    (double)g->cfg->min_kb);
		room = pct == POLICY_HEADROOM_AUTO ?
		    POLICY_HEADROOM_PRIOR_PCT : pct;
		*rl = (struct release){ .open = true, .t0_ms = now_ms,
			.bound_kb = need * 1.1 + need * room / 100 };
	}
	if (rl->open && (g->alloc_kb <= rl->bound_kb ||
	    want >= rl->bound_kb)) {
		rl->open = false;
		res->release_s_max = fmax(res->release_s_max,
		    (double)(now_ms - rl->t0_ms) / 1000);
	}
}

/*
 * Flaps: guest i's target reversing its previous change (a grow after a
 * shrink, or a shrink after a grow) within SIM_FLAP_WINDOW_MS, i.e. a
 * target going up and down with the estimate's noise.
 */
static void
metric_flap(struct sim_run *r, size_t i, uint64_t now_ms,
    struct sim_result *res)
{
	struct flap *f = &r->flap[i];
	uint64_t t = r->dom[i]->vm.target_kb;
	int dir;

	if (f->target_kb == 0 || t == f->target_kb) {
		if (f->target_kb == 0)
			f->target_kb = t;
		return;
	}
	dir = t > f->target_kb ? 1 : -1;
	if (f->dir != 0 && dir != f->dir && now_ms - f->ms < SIM_FLAP_WINDOW_MS)
		res->flaps++;
	*f = (struct flap){ .target_kb = t, .ms = now_ms, .dir = dir };
}

void
sim_step_metrics(struct sim_run *r, uint64_t now_ms, uint64_t dt_ms,
    struct sim_result *res)
{
	uint64_t slot = now_ms / DROP_SLOT_MS;
	double used = 0, free_kb = sim_host_free(r), before;
	size_t i;
	bool viol;

	for (i = 0; i < r->n; i++) {
		struct sim_guest *g = &r->g[i];
		bool pressure = g->reclaimed || g->want_swapin_pps > 0.5;

		used += g->alloc_kb;
		if (g->swapped_kb >= SIM_PAGE_KB && g->want_swapin_pps > 0)
			g->starved_ms += (double)dt_ms;
		if (pressure && !g->in_episode) {
			g->in_episode = true;
			g->episode_reacted = false;
			g->episode_start_ms = now_ms;
			res->episodes++;
		}
		if (pressure)
			g->episode_calm_ms = now_ms;
		else if (g->in_episode && now_ms >= g->episode_calm_ms +
		    EPISODE_CALM_MS)
			g->in_episode = false;
		if (slot != r->drop_slot || now_ms == 0)
			metric_drop(r, i, slot, res);
		before = r->want_prev[i];
		metric_giveback(r, i, now_ms, res);
		metric_release(r, i, before, now_ms, res);
		metric_flap(r, i, now_ms, res);
	}
	r->drop_slot = slot;
	r->alloc_integral += used * (double)dt_ms;
	if (free_kb / 1024 < res->host_min_free_mib)
		res->host_min_free_mib = free_kb / 1024;
	viol = free_kb < (double)r->sc->reserve_kb - 1;
	if (viol && !r->in_violation)
		res->reserve_violations++;
	r->in_violation = viol;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

void
sim_finish(struct sim_run *r, struct sim_result *res)
{
	size_t i;

	for (i = 0; i < r->n; i++) {
		res->swapin_pages += r->g[i].pswpin;
		res->starved_s += r->g[i].starved_ms / 1000;
		res->oom_events += r->g[i].oom_events;
		if (r->gb[i].open)	/* never given back: until the end */
			res->giveback_s_max = fmax(res->giveback_s_max,
			    (double)(r->sc->duration_ms - r->gb[i].t0_ms) /
			    1000);
		if (r->gb[i].half_open)
			res->giveback_half_s_max = fmax(
			    res->giveback_half_s_max, (double)(
			    r->sc->duration_ms - r->gb[i].t0_ms) / 1000);
		if (r->rel[i].open)
			res->release_s_max = fmax(res->release_s_max,
			    (double)(r->sc->duration_ms - r->rel[i].t0_ms) /
			    1000);
	}
	for (i = 0; i < r->sc->nvm_start; i++)
		if (r->start_state[i] == 0 &&
		    r->sc->vm_start[i].at_ms < r->sc->duration_ms)
			res->failed_starts++;	/* still waiting at the end */
	res->mean_alloc_mib = r->alloc_integral /
	    (double)r->sc->duration_ms / 1024;
	res->reaction_ms_p50 = -1;
	if (r->nreact > 0) {
		qsort(r->react, r->nreact, sizeof(double), cmp_double);
		res->reaction_ms_p50 = r->react[r->nreact / 2];
	}
}
