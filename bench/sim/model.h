/*
 * model.h - cagma-sim's guest model: workload phases, memory (resident
 * anon, swapped anon, page cache), swap, balloon, and the agent that
 * publishes records.  Doubles in KiB; the model is not policy code.
 */
#ifndef CAGMA_SIM_MODEL_H
#define CAGMA_SIM_MODEL_H

#include <stdbool.h>
#include <stdint.h>

#include "record.h"
#include "report.h"
#include "scenario.h"

#define SIM_PAGE_KB		4.0
#define SIM_AGENT_DELAY_MS	20	/* publish -> dom0 watch fires */
#define SIM_SWAPIN_STALL_US	5000	/* stall per major fault (PSI) */
#define SIM_RECLAIM_STALL_US	200	/* direct reclaim stall per MiB */
#define SIM_COLD_REUSE_MS	300000	/* a cold page is touched again
					   once per this, on average */

struct sim_guest {
	const struct sim_guest_cfg *cfg;
	char name[SIM_NAME_MAX + 8];
	uint32_t domid;
	uint64_t offset_ms;	/* workload starts this late */
	double access_scale;	/* per-instance access-rate noise */
	/* memory */
	double alloc_kb;	/* balloon current */
	uint64_t target_kb;	/* in force */
	double demand_kb;	/* anon working set incl. base (ramps) */
	double resident_kb;	/* anon resident (hot + cold) */
	double swapped_kb;	/* anon in swap (hot + cold) */
	double cold_kb;		/* of demand: written once, not touched */
	double cold_swapped_kb;	/* of swapped: cold pages */
	double cache_kb;	/* page cache resident */
	double file_want_kb;
	/* cumulative counters, pages / us */
	double pswpin, pswpout, pgscan, pgscan_direct, allocstall, refault;
	double psi_some_us, psi_full_us, oom_kills;
	/* per step */
	double want_swapin_pps;	/* what the workload would fault in */
	bool reclaimed;		/* kswapd/direct reclaim ran this step */
	bool stalled;		/* an allocation waited in direct reclaim */
	/* agent: cagma-agent's own publish rules (guest-agent/report.c) */
	struct report_cfg rep_cfg;
	struct report_state rep;
	uint64_t next_sample_ms, seq;
	bool has_last;		/* last_vals: the previous sample */
	struct report_vals last_vals;
	uint64_t last_sample_ms;
	uint64_t psi_win_ms;	/* PSI trigger: current window start */
	double psi_win_base_us;	/* psi_some_us at its start */
	bool psi_win_fired;	/* the trigger fired in this window */
	bool pending;		/* a record is on its way to dom0 */
	uint64_t pending_at_ms;
	char pending_buf[CG_RECORD_MAX_LEN + 1];
	size_t pending_len;
	/* metrics */
	double starved_ms;
	uint64_t oom_events, oom_quiet_ms;
	bool in_episode;
	uint64_t episode_start_ms, episode_calm_ms;
	bool episode_reacted;
};

/* Initialise instance g of cfg (domid, start memory). */
void model_guest_init(struct sim_guest *g, const struct sim_guest_cfg *cfg,
    uint32_t domid, uint64_t offset_ms, double access_scale);

/*
 * Move the balloon toward its target for dt_ms at now_ms; grows take at
 * most *host_free_kb, which is updated.  Shrinking below what the guest
 * holds forces reclaim (cache first, then swap-out).  Faults: stuck
 * (always, or from stuck_from, or intermittently), hidden floor and
 * ceiling, a balloon that stops balloon_slack short of its target.
 */
void model_balloon(struct sim_guest *g, uint64_t now_ms, uint64_t dt_ms,
    double *host_free_kb);

/* Whether g's balloon is stuck at now_ms (scenario faults). */
bool model_balloon_stuck(const struct sim_guest *g, uint64_t now_ms);

/* Workload and reclaim for one step at time now_ms. */
void model_demand(struct sim_guest *g, uint64_t now_ms, uint64_t dt_ms);

/* Serve swap-ins at granted_pps for dt_ms (the host shares the disk). */
void model_swapin(struct sim_guest *g, double granted_pps, uint64_t dt_ms);

/*
 * The agent at now_ms: when a sample is due (every AGENT_DEF_INTERVAL_MS)
 * or the PSI trigger fired, sample and let cagma-agent's own decision
 * (report_decide()) say whether to publish; a record is encoded with
 * record_encode() and kept pending until SIM_AGENT_DELAY_MS later (a newer
 * one replaces it, as a second xenstore write before dom0 read the first).
 * Returns true if it published.
 */
bool model_agent(struct sim_guest *g, uint64_t now_ms);

/* The guest's /proc as the agent would parse it. */
void model_sample(const struct sim_guest *g, struct sample *s_out);

/* MemFree / MemAvailable as the guest's kernel would report, KiB. */
double model_free_kb(const struct sim_guest *g);
double model_avail_kb(const struct sim_guest *g);

#endif
