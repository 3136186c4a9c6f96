/*
 * sim_int.h - the simulator's run state, shared by its run loop (sim.c)
 * and its metrics (metrics.c).  Not an interface: sim.h is.
 */
#ifndef CAGMA_SIM_INT_H
#define CAGMA_SIM_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "domains.h"
#include "emerg.h"
#include "model.h"
#include "plan.h"
#include "reserve.h"
#include "sched.h"
#include "sim.h"

#define EPISODE_CALM_MS	2000	/* pressure episode ends after this calm */
#define DROP_SLOT_MS	100	/* allocation history resolution */
#define DROP_SLOTS	(SIM_DROP_WINDOW_MS / DROP_SLOT_MS + 1)

/* A demand fall whose memory has not been given back yet. */
struct giveback {
	bool open, half_open;
	uint64_t t0_ms;
	double alloc0_kb, excess_kb, want0_kb;
};

/* A fall of demand >= SIM_RELEASE_MIN_KB not released yet (bound_kb). */
struct release {
	bool open;
	uint64_t t0_ms;
	double bound_kb;
};

/* Guest i's last target change: value, time, direction (+1 up, -1 down). */
struct flap {
	uint64_t target_kb, ms;
	int dir;
};

struct sim_run {
	const struct sim_scenario *sc;
	const struct sim_opts *o;
	size_t n;
	struct sim_guest *g;
	struct dom_table *tbl;
	struct dom **dom;		/* guest i's entry */
	struct policy_vm *vms;		/* plan_round() scratch */
	struct vm_target *tgt;
	struct sched_etarget *escratch;	/* plan_round() emergency scratch */
	uint32_t *emerg_ids;		/* the emergency FIFO */
	uint32_t *urgent;		/* domids one emergency round serves */
	struct emerg emerg;
	struct sched sched;
	/* metrics */
	double *react;
	size_t nreact, react_cap;
	double *drop_ring;		/* n x DROP_SLOTS allocations */
	uint64_t drop_slot;
	double *want_prev;		/* guest i's demand last step */
	double *reclaim_to;		/* a reclaim target still landing */
	struct giveback *gb;
	struct flap *flap;
	struct release *rel;
	uint64_t rng;
	bool in_violation;
	double alloc_integral, host_free_kb, host_used_kb;
	/* host-side consumers */
	double *use_kb;			/* what host_use i holds now */
	int *start_state;		/* 0 waiting, 1 started, -1 failed */
	uint32_t *start_id;		/* its reservation (0: none yet) */
	struct resv_table resv;		/* cagmad's reservations */
};

/* Host free memory now: the host less the guests and host-side use. */
double sim_host_free(const struct sim_run *r);

/* Per-step metrics: episodes, 2 s drops, give-back, allocation, reserve. */
void sim_step_metrics(struct sim_run *r, uint64_t now_ms, uint64_t dt_ms,
    struct sim_result *res);

/* End of the run: totals, open give-backs, failed starts, percentiles. */
void sim_finish(struct sim_run *r, struct sim_result *res);

#endif
