/*
 * sim.c - cagma-sim run loop (see sim.h).  The guests are the model
 * (model.c, with cagma-agent's own publish rules); dom0 is cagmad's own
 * core: the domain table, dom_intake() for every record that reaches it,
 * dom_progress() for the balloons a round queries, plan_round() and
 * dom_target_ok() for every round, struct sched for when to plan, and
 * struct emerg for the emergency path: urgent domains queue, and at most
 * one emergency round per step serves all of them (querying only their
 * balloons) while the host-wide budget has a token, as cagmad's event
 * loop runs them (dom0/daemon.c, dom0/round.c), and cagmad's reservations
 * for every VM start (plan_resv_request(), then plan_round() each round,
 * as `cagmactl create` and the control socket do).  Only the I/O differs.
 * What a run measures is metrics.c.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sim_int.h"

/* See sim.h. */
void
sim_opts_default(struct sim_opts *o)
{
	policy_cfg_default(&o->cfg);
	o->period_ms = SCHED_PERIOD_DEF_MS;
	o->coalesce_ms = SCHED_COALESCE_DEF_MS;
	o->stuck_ms = DOM_STUCK_DEF_MS;
	o->uncoop_ms = DOM_UNCOOP_DEF_MS;
	o->retry_ms = DOM_RETRY_DEF_MS;
}

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
alloc_run(struct sim_run *r)
{
	size_t n = r->n, ns = r->sc->nvm_start + 1;

	r->g = calloc(n, sizeof(*r->g));
	r->tbl = calloc(1, sizeof(*r->tbl));
	r->dom = calloc(n, sizeof(*r->dom));
	r->vms = calloc(n, sizeof(*r->vms));
	r->tgt = calloc(n, sizeof(*r->tgt));
	r->urgent = calloc(n, sizeof(*r->urgent));
	r->emerg_ids = calloc(n, sizeof(*r->emerg_ids));
	r->escratch = calloc(n, sizeof(*r->escratch));
	r->react_cap = n * 256 + 256;
	r->react = calloc(r->react_cap, sizeof(double));
	r->drop_ring = calloc(n * DROP_SLOTS, sizeof(double));
	r->want_prev = calloc(n, sizeof(double));
	r->reclaim_to = calloc(n, sizeof(double));
	r->gb = calloc(n, sizeof(*r->gb));
	r->flap = calloc(n, sizeof(*r->flap));
	r->rel = calloc(n, sizeof(*r->rel));
	r->use_kb = calloc(r->sc->nhost_use + 1, sizeof(double));
	r->start_state = calloc(ns, sizeof(int));
	r->start_id = calloc(ns, sizeof(uint32_t));
	if (!r->g || !r->tbl || !r->dom || !r->vms || !r->tgt || !r->urgent ||
	    !r->emerg_ids || !r->escratch || !r->react || !r->drop_ring ||
	    !r->want_prev || !r->reclaim_to || !r->gb || !r->flap || !r->rel ||
	    !r->use_kb || !r->start_state || !r->start_id)
		return -ENOMEM;
	dom_table_init(r->tbl);
	emerg_init(&r->emerg, r->emerg_ids, n);
	resv_init(&r->resv);
	return 0;
}

/* dom0 learns of guest k as cagmad does (dom_add + its settings). */
static int
add_dom(struct sim_run *r, size_t k, const struct sim_guest_cfg *c)
{
	struct dom *d;
	size_t j;

	d = dom_add(r->tbl, (uint32_t)k + 1, c->start_kb, c->start_kb,
	    c->max_kb);
	if (d == NULL)
		return -ENOMEM;
	snprintf(d->name, sizeof(d->name), "%s", r->g[k].name);
	d->vm.floor_kb = c->min_kb;
	d->vm.weight = c->weight;
	r->dom[k] = d;
	for (j = 0; j < DROP_SLOTS; j++)
		r->drop_ring[k * DROP_SLOTS + j] = (double)c->start_kb;
	return 0;
}

static int
setup(struct sim_run *r)
{
	const struct sim_scenario *sc = r->sc;
	size_t i, k, n = 0;
	unsigned j;
	int rc;

	for (i = 0; i < sc->nguests; i++)
		n += sc->guests[i].count;
	r->n = n;
	rc = alloc_run(r);
	if (rc != 0)
		return rc;
	sched_init(&r->sched, r->o->period_ms, r->o->coalesce_ms);
	r->rng = r->o->seed * 0x9E3779B97F4A7C15ULL + 1;
	for (i = 0, k = 0; i < sc->nguests; i++) {
		const struct sim_guest_cfg *c = &sc->guests[i];

		for (j = 0; j < c->count; j++, k++) {
			uint64_t off = c->jitter_ms ? (uint64_t)(rng_unit(
			    &r->rng) * (double)c->jitter_ms) : 0;
			double acc = 0.8 + 0.4 * rng_unit(&r->rng);

			model_guest_init(&r->g[k], c, (uint32_t)k + 1, off, acc);
			if (c->count > 1)
				snprintf(r->g[k].name, sizeof(r->g[k].name),
				    "%s-%u", c->name, j + 1);
			else
				snprintf(r->g[k].name, sizeof(r->g[k].name),
				    "%s", c->name);
			rc = add_dom(r, k, c);
			if (rc != 0)
				return rc;
		}
	}
	return 0;
}

/* Host free memory now: the host less the guests and host-side use. */
double
sim_host_free(const struct sim_run *r)
{
	double used = r->host_used_kb;
	size_t i;

	for (i = 0; i < r->n; i++)
		used += r->g[i].alloc_kb;
	return (double)r->sc->host_kb - used;
}

/* host_use lines take what they want of the free memory, or give back. */
static void
step_host_use(struct sim_run *r, uint64_t now_ms)
{
	const struct sim_scenario *sc = r->sc;
	double free_kb = sim_host_free(r), want, take;
	size_t i;

	for (i = 0; i < sc->nhost_use; i++) {
		const struct sim_host_use *h = &sc->host_use[i];

		want = now_ms >= h->at_ms && (h->until_ms == 0 ||
		    now_ms < h->until_ms) ? (double)h->size_kb : 0;
		take = want - r->use_kb[i];
		if (take > 0)
			take = fmin(take, fmax(0, free_kb));
		r->use_kb[i] += take;
		r->host_used_kb += take;
		free_kb -= take;
	}
}

/*
 * A start asks cagmad for size + overhead within its deadline, as
 * `cagmactl create` does (plan_resv_request(): refused at once when the
 * domains cannot free that much); false if refused.
 */
static bool
vm_start_request(struct sim_run *r, size_t i, uint64_t now_ms)
{
	const struct sim_vm_start *s = &r->sc->vm_start[i];
	struct policy_host host;
	uint64_t freeable, free_kb = sim_host_free(r) > 0 ?
	    (uint64_t)sim_host_free(r) : 0;

	host.free_kb = free_kb;
	host.reserve_kb = r->sc->reserve_kb;
	host.resv_kb = 0;
	host.now_ms = now_ms;
	if (plan_resv_request(r->tbl, &r->o->cfg, &host, &r->resv, r->vms,
	    s->size_kb + s->overhead_kb, s->deadline_ms == 0 ? 1 :
	    s->deadline_ms > RESV_TIMEOUT_MAX_MS ? RESV_TIMEOUT_MAX_MS :
	    s->deadline_ms, &r->start_id[i], &freeable) != 0)
		return false;
	sched_note_record(&r->sched);	/* plan soon: reclaim for it */
	return true;
}

/*
 * VM starts through cagmad's reservations: created (and the reservation
 * released) once it is ready; failed when refused or expired.  Start
 * latency: request to ready.
 */
static void
step_vm_starts(struct sim_run *r, uint64_t now_ms, struct sim_result *res)
{
	const struct sim_scenario *sc = r->sc;
	const struct resv *rv;
	double need, waited;
	size_t i;

	for (i = 0; i < sc->nvm_start; i++) {
		const struct sim_vm_start *s = &sc->vm_start[i];

		if (r->start_state[i] != 0 || now_ms < s->at_ms)
			continue;
		if (r->start_id[i] == 0 && !vm_start_request(r, i, now_ms)) {
			r->start_state[i] = -1;
			res->failed_starts++;
			continue;
		}
		rv = resv_find(&r->resv, r->start_id[i]);
		need = (double)(s->size_kb + s->overhead_kb);
		if (rv != NULL && rv->state == RESV_READY &&
		    sim_host_free(r) >= need) {
			waited = (double)(rv->ready_ms - s->at_ms);
			r->start_state[i] = 1;
			r->host_used_kb += need;
			res->vm_starts++;
			if (waited > res->start_ms_max)
				res->start_ms_max = waited;
			(void)resv_release(&r->resv, r->start_id[i], now_ms);
		} else if (rv == NULL || !resv_live(rv->state)) {
			r->start_state[i] = -1;
			res->failed_starts++;
		}
	}
}

/* Balloons: shrinks release memory before grows take it. */
static void
step_balloons(struct sim_run *r, uint64_t now_ms, uint64_t dt_ms)
{
	size_t i;
	int pass;

	r->host_free_kb = sim_host_free(r);
	for (pass = 0; pass < 2; pass++)
		for (i = 0; i < r->n; i++) {
			struct sim_guest *g = &r->g[i];
			bool grow = (double)g->target_kb > g->alloc_kb;

			if (grow == (pass == 1))
				model_balloon(g, now_ms, dt_ms,
				    &r->host_free_kb);
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

/* One target reaches the model's balloon (cagmad: daemon_apply()). */
static void
apply(struct sim_run *r, const struct vm_target *t, uint64_t now_ms,
    struct sim_result *res)
{
	size_t i = t->domid - 1;
	struct sim_guest *g = &r->g[i];
	struct dom *d = r->dom[i];

	if (t->target_kb == d->vm.target_kb || !dom_target_ok(d, t->target_kb))
		return;
	if (t->target_kb > g->target_kb && g->in_episode &&
	    !g->episode_reacted && r->nreact < r->react_cap) {
		g->episode_reacted = true;
		r->react[r->nreact++] = (double)(now_ms - g->episode_start_ms);
		res->reacted++;
	}
	g->target_kb = t->target_kb;
	if (t->reason == POLICY_R_RECLAIM)
		r->reclaim_to[i] = (double)t->target_kb;
	dom_target_set(d, t->target_kb, now_ms, t->reason);
}

/*
 * One planning round (cagmad: daemon_round()).  nurgent == 0: periodic or
 * coalesced, every balloon read, retries, pacing.  Else an emergency round
 * for urgent[0..nurgent): only their balloons are read, the others keep
 * the last round's facts; the host's free memory is always fresh.
 */
static int
sim_round(struct sim_run *r, uint64_t now_ms, const uint32_t *urgent,
    size_t nurgent, struct sim_result *res)
{
	struct plan_out out = { 0, 0, 0 };
	struct plan_in in;
	size_t i, k;
	int rc;

	for (i = 0; i < (nurgent > 0 ? nurgent : r->n); i++) {
		k = nurgent > 0 ? urgent[i] - 1 : i;
		dom_progress(r->dom[k], (uint64_t)r->g[k].alloc_kb, now_ms,
		    r->o->stuck_ms, r->o->uncoop_ms);
	}
	in.ops = r->o->ops;
	in.pcfg = &r->o->cfg;
	in.host.free_kb = r->host_free_kb > 0 ? (uint64_t)r->host_free_kb : 0;
	in.host.reserve_kb = r->sc->reserve_kb;
	in.host.resv_kb = 0;
	in.host.now_ms = now_ms;
	in.stale_ms = r->o->cfg.stale_ms;
	in.urgent = nurgent > 0 ? urgent : NULL;
	in.nurgent = nurgent;
	in.resv = &r->resv;
	in.build_grace_ms = 0;	/* started domains are not in the table */
	in.unbuilt = false;
	rc = plan_round(r->tbl, &in, r->vms, r->tgt, r->escratch, &out);
	if (rc != 0)
		return rc;
	for (i = 0; i < out.nt; i++)
		apply(r, &r->tgt[i], now_ms, res);
	res->rounds++;
	if (out.deferred > 0)
		sched_note_record(&r->sched);	/* their grows: soon */
	if (nurgent > 0)
		return 0;
	/* an uncooperative balloon gets its target again: the model's
	 * balloon already sees its target, so only the clock moves */
	for (i = 0; i < r->n; i++)
		(void)dom_retry_due(r->dom[i], now_ms, r->o->retry_ms);
	sched_done(&r->sched, now_ms);
	return 0;
}

/*
 * Records that reached dom0 by now_ms go through cagmad's intake; then
 * the agents sample.  Urgent domains (within their budget) join the
 * emergency queue, others ask for a coalesced round (emerg_intake()).
 */
static void
step_records(struct sim_run *r, uint64_t now_ms, struct sim_result *res)
{
	struct dom_reject why;
	enum dom_intake verdict;
	size_t i;

	for (i = 0; i < r->n; i++) {
		struct sim_guest *g = &r->g[i];

		if (g->pending && g->pending_at_ms <= now_ms) {
			g->pending = false;
			verdict = dom_intake(r->dom[i], r->o->ops, &r->o->cfg,
			    g->pending_buf, g->pending_len, now_ms,
			    r->o->cfg.stale_ms, &why);
			if (verdict == DOM_INTAKE_REJECTED)
				res->rejected++;
			if (emerg_intake(&r->emerg, &r->sched, r->dom[i],
			    verdict))
				res->records++;
		}
		(void)model_agent(g, now_ms);
	}
}

/*
 * dom0's event loop for this step (cagmad: daemon_xs_ready() after the
 * batch, then daemon_tick()): at most one emergency round for every queued
 * domain, then a due round.
 */
static int
step_dom0(struct sim_run *r, uint64_t now_ms, struct sim_result *res)
{
	size_t nu;
	int rc;

	nu = emerg_take(&r->emerg, r->tbl, now_ms, r->urgent, r->n);
	if (nu > 0) {
		rc = sim_round(r, now_ms, r->urgent, nu, res);
		if (rc != 0)
			return rc;
	}
	if (sched_due(&r->sched, now_ms))
		return sim_round(r, now_ms, NULL, 0, res);
	return 0;
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
		    (double)r->dom[i]->vm.est.cma_kb / 1024,
		    g->demand_kb / 1024, g->swapped_kb / 1024, g->pswpin,
		    g->want_swapin_pps, r->host_free_kb / 1024);
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
		    (double)r->dom[i]->vm.est.cma_kb / 1024,
		    g->demand_kb / 1024, g->pswpin,
		    policy_state_str(r->dom[i]->vm.state));
	}
	fflush(o->live);
	if (o->live_sleep_us)
		usleep((useconds_t)o->live_sleep_us);
}

static void
free_run(struct sim_run *r)
{
	if (r->tbl != NULL)
		dom_table_free(r->tbl);
	free(r->tbl);
	free(r->g);
	free(r->dom);
	free(r->vms);
	free(r->tgt);
	free(r->urgent);
	free(r->emerg_ids);
	free(r->escratch);
	free(r->react);
	free(r->drop_ring);
	free(r->want_prev);
	free(r->reclaim_to);
	free(r->gb);
	free(r->flap);
	free(r->rel);
	free(r->use_kb);
	free(r->start_state);
	free(r->start_id);
}

/* See sim.h. */
int
sim_run(const struct sim_scenario *sc, const struct sim_opts *o,
    struct sim_result *res_out)
{
	struct sim_run r;
	struct sim_result res;
	uint64_t now, step = sc->step_ms;
	int rc;

	memset(&r, 0, sizeof(r));
	memset(&res, 0, sizeof(res));
	res.start_ms_max = -1;
	res.giveback_s_max = -1;
	res.giveback_half_s_max = -1;
	res.release_s_max = -1;
	res.host_min_free_mib = (double)sc->host_kb / 1024;
	r.sc = sc;
	r.o = o;
	rc = setup(&r);
	if (rc != 0)
		goto out;
	for (now = 0; now < sc->duration_ms; now += step) {
		step_host_use(&r, now);
		step_vm_starts(&r, now, &res);
		step_balloons(&r, now, step);
		step_guests(&r, now, step);
		sim_step_metrics(&r, now, step, &res);
		step_records(&r, now, &res);
		rc = step_dom0(&r, now, &res);
		if (rc != 0)
			goto out;
		emit(&r, now);
	}
	sim_finish(&r, &res);
	*res_out = res;
out:
	free_run(&r);
	return rc;
}
