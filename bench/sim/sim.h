/*
 * sim.h - cagma-sim's run loop: the host, its guests (model.c) and dom0
 * running cagmad's own per-domain core: each guest's record goes through
 * record_encode() -> dom_intake() (decode, monotonic counters, urgent
 * budget, estimator) -> dom_progress() / plan_round() -> policy_decide(),
 * with cagmad's round pacing (struct sched) and emergency path (struct
 * emerg: one coalesced emergency round per step within the host budget).
 */
#ifndef CAGMA_SIM_SIM_H
#define CAGMA_SIM_SIM_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "policy.h"
#include "scenario.h"

#define SIM_DROP_WINDOW_MS	2000	/* max_drop: one guest, this window */
#define SIM_GIVEBACK_MIN_KB	(64 * 1024) /* demand falls this much: event */
/* issue 17's release: demand falls >= 512 MiB; back within 10 % (plus the
   configured headroom) of the new need = demand + max(64 MiB, 10 %) */
#define SIM_RELEASE_MIN_KB	(512 * 1024)
#define SIM_FLAP_WINDOW_MS	5000	/* up then down (or down then up) */
#define SIM_GIVEBACK_PCT	90	/* ... given back when this share is */

struct sim_opts {
	const struct policy_ops *ops;
	struct policy_cfg cfg;
	/* cagmad's settings (cagmad.conf defaults) */
	uint64_t period_ms, coalesce_ms, stuck_ms, uncoop_ms, retry_ms;
	uint64_t seed;
	FILE *csv;		/* per-step CSV, or NULL */
	FILE *live;		/* live per-guest lines, or NULL */
	uint64_t live_every_ms;	/* sim time between live lines */
	uint64_t live_sleep_us;	/* wall sleep per live line */
};

struct sim_result {
	double swapin_pages;	/* sum over guests */
	double starved_s;	/* guest-seconds with hot pages in swap */
	uint64_t oom_events;	/* OOM kills (at most one per guest per s) */
	uint64_t reserve_violations; /* times host free fell below reserve */
	double mean_alloc_mib;	/* time average of the sum of allocations */
	double reaction_ms_p50;	/* pressure onset -> first grow; -1: none */
	uint64_t episodes, reacted, rounds;
	uint64_t flaps;		/* a target change reversing the guest's
				   previous one within SIM_FLAP_WINDOW_MS */
	uint64_t records, rejected;	/* records dom0 took / refused */
	uint64_t vm_starts, failed_starts;
	double start_ms_max;	/* longest successful start wait; -1: none */
	double max_drop_mib;	/* largest fall of one guest's allocation
				   within SIM_DROP_WINDOW_MS, outside
				   reclaim (emergency, reserve) */
	double giveback_s_max;	/* demand fell -> SIM_GIVEBACK_PCT % of it
				   returned (open events: until the end);
				   -1: no such event */
	double giveback_half_s_max; /* the same for half of the excess */
	double release_s_max;	/* demand fell >= SIM_RELEASE_MIN_KB -> the
				   allocation within 10 % (+ headroom) of the
				   new need (open: until the end); -1: none */
	double host_min_free_mib; /* lowest host free memory */
};

/* cagmad's defaults for the dom0 settings in o (cagmad.conf(5)). */
void sim_opts_default(struct sim_opts *o);

/*
 * Run one simulation.  Returns 0, or -ENOMEM / -EINVAL.  Deterministic for
 * a given scenario, policy and seed.
 */
int sim_run(const struct sim_scenario *sc, const struct sim_opts *o,
    struct sim_result *res_out);

#endif
