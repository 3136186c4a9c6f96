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
#include "scenario.h"

#define SIM_PAGE_KB		4.0
#define SIM_AGENT_SAMPLE_MS	100	/* agent sampling period */
#define SIM_AGENT_HEARTBEAT_MS	5000	/* publish at least this often */
#define SIM_AGENT_DELTA_KB	(16.0 * 1024)	/* publish on avail change */
#define SIM_AGENT_KSWAPD_PAGES	1024	/* urgent: pgscan burst per sample */
#define SIM_AGENT_DELAY_MS	20	/* publish -> dom0 watch fires */
#define SIM_SWAPIN_STALL_US	5000	/* stall per major fault (PSI) */

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
	double resident_kb;	/* anon resident */
	double swapped_kb;	/* anon in swap (all hot: random access) */
	double cache_kb;	/* page cache resident */
	double file_want_kb;
	/* cumulative counters, pages / us */
	double pswpin, pswpout, pgscan, refault, psi_some_us;
	/* per step */
	double want_swapin_pps;	/* what the workload would fault in */
	bool reclaimed;		/* kswapd/direct reclaim ran this step */
	/* agent */
	uint64_t next_sample_ms, last_pub_ms;
	double last_pub_avail_kb, last_pub_pswpin, last_pub_pgscan;
	double last_sample_pswpin, last_sample_pgscan;
	uint64_t seq;
	bool pending;		/* a record is on its way to dom0 */
	uint64_t pending_at_ms;
	struct cg_record pending_rec;
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
 * Move the balloon toward its target for dt_ms; grows take at most
 * *host_free_kb, which is updated.  Shrinking below what the guest holds
 * forces reclaim (cache first, then swap-out).
 */
void model_balloon(struct sim_guest *g, uint64_t dt_ms, double *host_free_kb);

/* Workload and reclaim for one step at time now_ms. */
void model_demand(struct sim_guest *g, uint64_t now_ms, uint64_t dt_ms);

/* Serve swap-ins at granted_pps for dt_ms (the host shares the disk). */
void model_swapin(struct sim_guest *g, double granted_pps, uint64_t dt_ms);

/*
 * The agent: sample, and maybe publish a record (kept pending until
 * SIM_AGENT_DELAY_MS later).  Returns true if it published.
 */
bool model_agent(struct sim_guest *g, uint64_t now_ms);

/* MemFree / MemAvailable as the guest's kernel would report, KiB. */
double model_free_kb(const struct sim_guest *g);
double model_avail_kb(const struct sim_guest *g);

#endif
