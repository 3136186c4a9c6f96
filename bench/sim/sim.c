/*
 * sim.c - cagma-sim run loop (see sim.h).  dom0's side is what cagmad
 * does: per-domain struct policy_vm, the records the agent model
 * publishes, stuck/uncooperative/stale tracking, policy_observe() on each
 * arrival, policy_decide() on urgent records and every period, targets
 * applied in the order returned.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "model.h"
#include "sim.h"

#define EPISODE_CALM_MS	2000	/* pressure episode ends after this calm */
#define PROGRESS_KB	1024.0	/* balloon moved: progress */

struct sim_run {
	const struct sim_scenario *sc;
	const struct sim_opts *o;
	size_t n;
	struct sim_guest *g;
	struct policy_vm *vm;
	struct vm_target *out;
	double *last_alloc;
	uint64_t *last_progress_ms;
	double *react;
	size_t nreact, react_cap;
	uint64_t rng;
	bool in_violation;
	double alloc_integral, host_free_kb;
};

static uint64_t
rng_next(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 2685821657736338717ULL;
}

static double
rng_unit(uint64_t *s)
{
	return (double)(rng_next(s) >> 11) / 9007199254740992.0;
}

static int
setup(struct sim_run *r)
{
	const struct sim_scenario *sc = r->sc;
	size_t i, k, n = 0;
	unsigned j;

	for (i = 0; i < sc->nguests; i++)
		n += sc->guests[i].count;
	r->n = n;
	r->g = calloc(n, sizeof(*r->g));
	r->vm = calloc(n, sizeof(*r->vm));
	r->out = calloc(n, sizeof(*r->out));
	r->last_alloc = calloc(n, sizeof(double));
	r->last_progress_ms = calloc(n, sizeof(uint64_t));
	r->react_cap = n * 256 + 256;
	r->react = calloc(r->react_cap, sizeof(double));
	if (!r->g || !r->vm || !r->out || !r->last_alloc ||
	    !r->last_progress_ms || !r->react)
		return -ENOMEM;
	r->rng = r->o->seed * 0x9E3779B97F4A7C15ULL + 1;
	for (i = 0, k = 0; i < sc->nguests; i++) {
		const struct sim_guest_cfg *c = &sc->guests[i];

		for (j = 0; j < c->count; j++, k++) {
			uint64_t off = c->jitter_ms ? (uint64_t)(rng_unit(
			    &r->rng) * (double)c->jitter_ms) : 0;
			double acc = 0.8 + 0.4 * rng_unit(&r->rng);
			struct policy_vm *vm = &r->vm[k];

			model_guest_init(&r->g[k], c, (uint32_t)k + 1, off, acc);
			if (c->count > 1)
				snprintf(r->g[k].name, sizeof(r->g[k].name),
				    "%s-%u", c->name, j + 1);
			else
				snprintf(r->g[k].name, sizeof(r->g[k].name),
				    "%s", c->name);
			vm->domid = (uint32_t)k + 1;
			vm->current_kb = vm->target_kb = c->start_kb;
			vm->floor_kb = c->min_kb;
			vm->max_kb = c->max_kb;
			vm->weight = c->weight;
			vm->enabled = true;
			vm->state = VM_NO_AGENT;
			r->last_alloc[k] = (double)c->start_kb;
		}
	}
	return 0;
}

/* Balloons: shrinks release memory before grows take it. */
static void
step_balloons(struct sim_run *r, uint64_t dt_ms)
{
	double used = 0;
	size_t i;
	int pass;

	for (i = 0; i < r->n; i++)
		used += r->g[i].alloc_kb;
	r->host_free_kb = (double)r->sc->host_kb - used;
	for (pass = 0; pass < 2; pass++)
		for (i = 0; i < r->n; i++) {
			struct sim_guest *g = &r->g[i];
			bool grow = (double)g->target_kb > g->alloc_kb;

			if (grow == (pass == 1))
				model_balloon(g, dt_ms, &r->host_free_kb);
		}
}

/* Workloads, then the shared swap disk. */
static void
step_guests(struct sim_run *r, uint64_t now_ms, uint64_t dt_ms)
{
	double want = 0, scale;
	size_t i;

	for (i = 0; i < r->n; i++) {
		model_demand(&r->g[i], now_ms, dt_ms);
		want += r->g[i].want_swapin_pps;
	}
	scale = want > (double)r->sc->disk_pps ?
	    (double)r->sc->disk_pps / want : 1.0;
	for (i = 0; i < r->n; i++)
		model_swapin(&r->g[i], r->g[i].want_swapin_pps * scale, dt_ms);
}

static void
step_metrics(struct sim_run *r, uint64_t now_ms, uint64_t dt_ms,
    struct sim_result *res)
{
	double used = 0;
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
		}
		if (pressure)
			g->episode_calm_ms = now_ms;
		else if (g->in_episode && now_ms >= g->episode_calm_ms +
		    EPISODE_CALM_MS)
			g->in_episode = false;
	}
	r->alloc_integral += used * (double)dt_ms;
	viol = (double)r->sc->host_kb - used < (double)r->sc->reserve_kb - 1;
	if (viol && !r->in_violation)
		res->reserve_violations++;
	r->in_violation = viol;
}

/* dom0's view: facts and states, as cagmad tracks them. */
static void
update_states(struct sim_run *r, uint64_t now_ms)
{
	size_t i;

	for (i = 0; i < r->n; i++) {
		struct policy_vm *vm = &r->vm[i];
		struct sim_guest *g = &r->g[i];
		double gap = fabs(g->alloc_kb - (double)g->target_kb);

		vm->current_kb = (uint64_t)g->alloc_kb;
		vm->target_kb = g->target_kb;
		if (gap < PROGRESS_KB || fabs(g->alloc_kb -
		    r->last_alloc[i]) >= PROGRESS_KB) {
			r->last_progress_ms[i] = now_ms;
			r->last_alloc[i] = g->alloc_kb;
		}
		if (!vm->has_rec)
			vm->state = VM_NO_AGENT;
		else if (now_ms > vm->rec_ms + r->o->cfg.stale_ms)
			vm->state = VM_STALE;
		else if (now_ms >= r->last_progress_ms[i] + SIM_UNCOOP_MS)
			vm->state = VM_UNCOOPERATIVE;
		else if (now_ms >= r->last_progress_ms[i] + SIM_STUCK_MS)
			vm->state = VM_STUCK;
		else
			vm->state = vm->est.pressure ? VM_STARVING : VM_OK;
	}
}

static int
plan_round(struct sim_run *r, uint64_t now_ms, struct sim_result *res)
{
	struct policy_host host;
	size_t k, n_out = 0;
	int rc;

	update_states(r, now_ms);
	host.free_kb = r->host_free_kb > 0 ? (uint64_t)r->host_free_kb : 0;
	host.reserve_kb = r->sc->reserve_kb;
	host.now_ms = now_ms;
	rc = policy_decide(r->o->ops, &r->o->cfg, &host, r->vm, r->n, r->out,
	    &n_out);
	if (rc != 0)
		return rc;
	res->rounds++;
	for (k = 0; k < n_out; k++) {
		size_t i = r->out[k].domid - 1;
		struct sim_guest *g = &r->g[i];

		if (r->out[k].target_kb > g->target_kb && g->in_episode &&
		    !g->episode_reacted && r->nreact < r->react_cap) {
			g->episode_reacted = true;
			r->react[r->nreact++] = (double)(now_ms -
			    g->episode_start_ms);
			res->reacted++;
		}
		g->target_kb = r->out[k].target_kb;
		r->vm[i].target_kb = g->target_kb;
	}
	return 0;
}

/* Agents publish; records that reached dom0 are observed.  Returns true
 * when an urgent record arrived (cagmad plans at once). */
static bool
step_agents(struct sim_run *r, uint64_t now_ms, struct sim_result *res)
{
	bool urgent = false;
	size_t i;

	for (i = 0; i < r->n; i++) {
		struct sim_guest *g = &r->g[i];
		struct policy_vm *vm = &r->vm[i];

		if (g->in_episode && g->episode_start_ms == now_ms)
			res->episodes++;
		if (!g->pending || g->pending_at_ms > now_ms) {
			model_agent(g, now_ms);
			continue;
		}
		g->pending = false;
		if (vm->has_rec) {
			vm->prev = vm->rec;
			vm->prev_ms = vm->rec_ms;
			vm->has_prev = true;
		}
		vm->rec = g->pending_rec;
		vm->rec_ms = now_ms;
		vm->has_rec = true;
		policy_observe(r->o->ops, &r->o->cfg, vm, now_ms);
		if (r->o->no_act_now ? vm->est.urgent : policy_act_now(vm))
			urgent = true;
		model_agent(g, now_ms);
	}
	return urgent;
}

static void
emit(struct sim_run *r, uint64_t now_ms)
{
	const struct sim_opts *o = r->o;
	size_t i;

	for (i = 0; o->csv != NULL && i < r->n; i++) {
		struct sim_guest *g = &r->g[i];

		fprintf(o->csv, "%.2f,%s,%.1f,%.1f,%.1f,%.1f,%.1f,%.0f,%.0f,"
		    "%.1f\n", (double)now_ms / 1000, g->name,
		    g->alloc_kb / 1024, (double)g->target_kb / 1024,
		    (double)r->vm[i].est.cma_kb / 1024, g->demand_kb / 1024,
		    g->swapped_kb / 1024, g->pswpin, g->want_swapin_pps,
		    r->host_free_kb / 1024);
	}
	if (o->live == NULL || o->live_every_ms == 0 ||
	    now_ms % o->live_every_ms != 0)
		return;
	for (i = 0; i < r->n && i < 8; i++) {
		struct sim_guest *g = &r->g[i];

		fprintf(o->live, "t=%6.1fs %-8s alloc=%5.0f MiB target=%5.0f "
		    "cma=%5.0f demand=%5.0f swapins=%8.0f %s\n",
		    (double)now_ms / 1000, g->name, g->alloc_kb / 1024,
		    (double)g->target_kb / 1024,
		    (double)r->vm[i].est.cma_kb / 1024, g->demand_kb / 1024,
		    g->pswpin, policy_state_str(r->vm[i].state));
	}
	fflush(o->live);
	if (o->live_sleep_us)
		usleep((useconds_t)o->live_sleep_us);
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static void
finish(struct sim_run *r, struct sim_result *res)
{
	size_t i;

	for (i = 0; i < r->n; i++) {
		res->swapin_pages += r->g[i].pswpin;
		res->starved_s += r->g[i].starved_ms / 1000;
		res->oom_events += r->g[i].oom_events;
	}
	res->mean_alloc_mib = r->alloc_integral /
	    (double)r->sc->duration_ms / 1024;
	res->reaction_ms_p50 = -1;
	if (r->nreact > 0) {
		qsort(r->react, r->nreact, sizeof(double), cmp_double);
		res->reaction_ms_p50 = r->react[r->nreact / 2];
	}
}

/* See sim.h. */
int
sim_run(const struct sim_scenario *sc, const struct sim_opts *o,
    struct sim_result *res_out)
{
	struct sim_run r;
	struct sim_result res;
	uint64_t now, step = sc->step_ms, next_round = 0, period;
	int rc;

	memset(&r, 0, sizeof(r));
	memset(&res, 0, sizeof(res));
	r.sc = sc;
	r.o = o;
	period = SIM_DEFAULT_PERIOD_MS;
	rc = setup(&r);
	if (rc != 0)
		goto out;
	for (now = 0; now < sc->duration_ms; now += step) {
		bool urgent;

		step_balloons(&r, step);
		step_guests(&r, now, step);
		step_metrics(&r, now, step, &res);
		urgent = step_agents(&r, now, &res);
		if (urgent || now >= next_round) {
			rc = plan_round(&r, now, &res);
			if (rc != 0)
				goto out;
			if (now >= next_round)
				next_round = now + period;
		}
		emit(&r, now);
	}
	finish(&r, &res);
	*res_out = res;
out:
	free(r.g);
	free(r.vm);
	free(r.out);
	free(r.last_alloc);
	free(r.last_progress_ms);
	free(r.react);
	return rc;
}
