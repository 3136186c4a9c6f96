/*
 * sim.h - cagma-sim's run loop: the host, its guests (model.c) and dom0
 * driving the policy exactly as cagmad does (observe on each record,
 * urgent records plan at once, periodic rounds at the policy's period).
 */
#ifndef CAGMA_SIM_SIM_H
#define CAGMA_SIM_SIM_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "policy.h"
#include "scenario.h"

#define SIM_STUCK_MS		5000	/* no balloon progress: stuck */
#define SIM_UNCOOP_MS		20000	/* ... uncooperative */
#define SIM_DEFAULT_PERIOD_MS	1000	/* cagmad's default round */

struct sim_opts {
	const struct policy_ops *ops;
	struct policy_cfg cfg;
	uint64_t seed;
	FILE *csv;		/* per-step CSV, or NULL */
	FILE *live;		/* live per-guest lines, or NULL */
	uint64_t live_every_ms;	/* sim time between live lines */
	uint64_t live_sleep_us;	/* wall sleep per live line */
	bool no_act_now;	/* plan on urgent records only */
};

struct sim_result {
	double swapin_pages;	/* sum over guests */
	double starved_s;	/* guest-seconds with hot pages in swap */
	uint64_t oom_events;
	uint64_t reserve_violations; /* times host free fell below reserve */
	double mean_alloc_mib;	/* time average of the sum of allocations */
	double reaction_ms_p50;	/* pressure onset -> first grow; -1: none */
	uint64_t episodes, reacted, rounds;
};

/*
 * Run one simulation.  Returns 0, or -ENOMEM / -EINVAL.  Deterministic for
 * a given scenario, policy and seed.
 */
int sim_run(const struct sim_scenario *sc, const struct sim_opts *o,
    struct sim_result *res_out);

#endif
