/*
 * policy.h - the decision core: CMA estimator and planner (pure: no I/O, no
 * syscalls, no logging, no globals; time is an argument).
 *
 * Shared by cagmad (dom0/), the simulator (bench/sim/) and the unit tests.
 * The daemon owns struct policy_vm arrays; it fills the dom0 facts and the
 * latest validated records, calls policy_observe() when a record arrives and
 * policy_decide() for a planning round, then applies the returned targets in
 * order (donors first).
 */
#ifndef CAGMA_POLICY_H
#define CAGMA_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "record.h"

enum vm_state {
	VM_OK,			/* agent reporting, balloon following */
	VM_STARVING,		/* below its CMA / under pressure */
	VM_STUCK,		/* no progress toward target for 5 s */
	VM_UNCOOPERATIVE,	/* no progress for 20 s: memory not counted on */
	VM_NO_AGENT,		/* never published a record */
	VM_STALE,		/* agent stopped publishing (heartbeat missed) */
	VM_BAD_DATA,		/* last record rejected by the decoder */
	VM_STATE_COUNT
};

enum policy_reason {
	POLICY_R_NONE,		/* unchanged */
	POLICY_R_EMERGENCY,	/* urgent record: grant now */
	POLICY_R_GROW,		/* below CMA: grow toward it */
	POLICY_R_SHRINK,	/* donor: above need + slack, shrink a step */
	POLICY_R_SURPLUS,	/* share of surplus by weight */
	POLICY_R_RECLAIM,	/* host below reserve: take back */
	POLICY_R_CLAMP,		/* target outside [floor, max] corrected */
	POLICY_R_COUNT
};

/* Estimator state; zero-initialised by the owner, written by the policy. */
struct policy_est {
	uint64_t cma_kb;	/* current critical memory amount */
	uint64_t need_kb;	/* CMA plus slack: what the planner aims for */
	uint64_t swapin_rate;	/* pages/s over the last record interval */
	uint64_t refault_rate;	/* pages/s */
	uint64_t psi_some_pct100; /* stall share over the last interval */
	uint64_t psi_full_pct100; /* all tasks stalled, same interval */
	uint64_t oom_kills;	/* OOM kills in the last interval */
	uint64_t stall_rate;	/* direct-reclaim stalls per second */
	bool lowmem;		/* mem_avail below wmark_low + margin */
	bool dropped;		/* used fell sharply in the last interval */
	uint64_t last_pressure_ms; /* when pressure was last seen */
	uint64_t last_round_ms;	/* previous planning round (pol_period_due) */
	uint64_t round_used_kb;	/* two-pointer: used at its last round (0: none) */
	bool pressure;		/* pressure in the latest interval */
	/* derived by policy_observe() from the latest record (KiB) */
	uint64_t used_kb;	/* mem_total - mem_avail */
	uint64_t avail_kb;	/* mem_avail */
	uint64_t free_kb;	/* mem_free */
	uint64_t swap_used_kb;	/* swap_total - swap_free */
	uint64_t used_trend_kbps; /* growth of used_kb, KiB/s (0 if shrinking) */
	uint64_t calm_since_ms;	/* first calm record after the last pressure */
	uint64_t last_shrink_ms; /* when the planner last shrank it (0: never) */
	/*
	 * Balloon allocation the guest kernel does not show in MemTotal
	 * (page tables of the balloon, reserved pages: about 68 MiB for a
	 * small Linux PV guest).  Guest-space sizes (CMA, need) plus this
	 * give balloon targets.  Measured while the balloon is settled,
	 * capped (a guest that under-reports MemTotal gains at most the cap).
	 */
	uint64_t overhead_kb;
	/*
	 * Bursts, fast up and slow down (as ESX's working-set estimate):
	 * the demand (used + swap in use) risen since its last calm point,
	 * the largest such rise and the fastest rise rate seen, both decaying
	 * with CAGMA_BURST_TAU_MS.  KiB, KiB/s.
	 */
	uint64_t rise_base_kb;	/* demand where the current rise started */
	uint64_t rise_calm_ms;	/* demand not rising since (0: rising) */
	uint64_t rise_calm_kb;	/* demand at rise_calm_ms */
	uint64_t burst_kb;
	uint64_t burst_kbps;
	uint64_t rise_need_kb;	/* highest need of the current rise (0: none):
				   no voluntary shrink below it */
	uint64_t rise_from_kb;	/* target when the current rise started */
	/*
	 * Set when a rise ends: what the guest held when it started plus
	 * the rise itself.  A calm guest's headroom is kept up to this, not
	 * up to a target that the rise's lookahead pushed past it (0: none,
	 * headroom up to what it holds).  Cleared by a rise or pressure.
	 */
	uint64_t held_cap_kb;
	uint64_t fall_from_kb;	/* used before the current fall (0: none) */
	bool urgent;		/* latest record had urgent=1 */
	/*
	 * Set by the estimator when this record predicts a shortfall before
	 * the next periodic round (need above target and growing): the owner
	 * should plan at once, as for an urgent record.  See policy_act_now().
	 */
	bool act_now;
};

struct policy_vm {
	uint32_t domid;
	/* dom0 facts, trusted, KiB */
	uint64_t current_kb;	/* balloon current (tot_pages) */
	uint64_t balloon_up_kbps; /* measured grow speed, KiB/s (0: unknown) */
	uint64_t target_kb;	/* target in force */
	uint64_t floor_kb;	/* configured minimum */
	uint64_t max_kb;	/* min(configured max, memory/static-max) */
	uint32_t weight;	/* share of surplus, default 100 */
	bool enabled;		/* false: never moved (static / dom0) */
	enum vm_state state;
	/* guest facts: decoded records, validated but still guest-claimed */
	bool has_rec;
	bool has_prev;
	struct cg_record rec;	/* latest */
	struct cg_record prev;	/* the one before, for rates */
	uint64_t rec_ms;	/* dom0 monotonic arrival time of rec */
	uint64_t prev_ms;
	struct policy_est est;
	/* planner scratch, written by policy_decide() (ignore elsewhere) */
	uint64_t plan_kb;	/* proposed target */
	enum policy_reason plan_reason;	/* POLICY_R_NONE: no change */
};

/*
 * free_kb is the memory the hypervisor reports free NOW (Xen: physinfo
 * free_pages; sim: host size minus the sum of currents).  Do not subtract
 * in-flight balloon moves: the planner subtracts every grow still in flight
 * (target_kb > current_kb) itself, exactly once.
 */
struct policy_host {
	uint64_t free_kb;	/* host free memory reported now, KiB */
	uint64_t reserve_kb;	/* never hand out below this */
	uint64_t now_ms;
	/*
	 * Held out like the reserve (reserve.h): the pending and ready
	 * reservations for new domains, or, while a new domain is being
	 * built, all the free memory (plan.c).  Every policy sees it through
	 * pol_host_avail_kb(); the cagma planner reclaims a shortfall as for
	 * the reserve (down to CMA, never below CMA / floor).  KiB.
	 */
	uint64_t resv_kb;
};

enum policy_surplus {
	POLICY_SURPLUS_HOST,	/* leave surplus on the host (default) */
	POLICY_SURPLUS_WEIGHT,	/* share surplus by weight */
};

struct policy_cfg {
	uint64_t floor_kb;	/* global default floor, KiB */
	uint64_t max_shrink_kb;	/* largest shrink per step, KiB */
	/*
	 * cagma: at most one shrink step per this; the seed policies
	 * (threshold, coordinator, two-pointer, gt-rules): one round per
	 * this, their polling interval.  cagmad: its period.  ms.
	 */
	uint64_t shrink_interval_ms;
	uint64_t hysteresis_kb;	/* ignore moves smaller than this, KiB */
	uint64_t stale_ms;	/* record older than this: no data */
	enum policy_surplus surplus;
	/*
	 * cagma planner: a calm donor keeps up to its need x (100 +
	 * headroom_pct) / 100 of what it holds (burst headroom: memory a
	 * slow balloon could not bring back in time).  Only voluntary
	 * shrinks respect it; reclaim for the reserve or an emergency goes
	 * down to the need.
	 */
	uint32_t headroom_pct;	/* 0 .. POLICY_HEADROOM_MAX_PCT, or AUTO */
};

/*
 * headroom = auto: each calm domain's headroom is what its own bursts
 * need given its own measured balloon speed (README.md, "Burst
 * headroom"), the percentage below until both are known.
 */
#define POLICY_HEADROOM_AUTO		UINT32_MAX
#define POLICY_HEADROOM_PRIOR_PCT	100

/*
 * Release rate: a calm donor's target falls by at most this much per
 * second (so at most 100 MiB in any 2 s window), except reclaim for an
 * emergency or the reserve.  cagmad.conf `shrink_rate`, KiB/s.
 */
#define POLICY_DEFAULT_SHRINK_RATE_KBPS	(50ULL * 1024)
#define POLICY_SHRINK_RATE_MAX_KBPS	(100000ULL * 1024)

/* Largest burst headroom a configuration may ask for, percent of need. */
#define POLICY_HEADROOM_MAX_PCT	1000U

/* One balloon request: the narrow struct that crosses to the actuator. */
struct vm_target {
	uint32_t domid;
	uint64_t target_kb;
	enum policy_reason reason;
};

struct policy_ops {
	const char *name;
	const char *summary;	/* one line for --help / docs */
	/* update vm->est from vm->rec / vm->prev; now_ms = arrival time */
	void (*observe)(const struct policy_cfg *cfg, struct policy_vm *vm,
	    uint64_t now_ms);
	/*
	 * plan one round: write vms[i].plan_kb / plan_reason through
	 * pol_plan() (policy_int.h), nothing else; policy_decide() then
	 * applies the safety net and emits the changes.  0 or -errno.
	 */
	int (*decide)(const struct policy_cfg *cfg,
	    const struct policy_host *host, struct policy_vm *vms, size_t n);
};

/* NULL-terminated list of all policies; the first one is the default. */
extern const struct policy_ops *const policy_all[];

/* Number of entries in policy_all (without the NULL). */
size_t policy_count(void);

/* Look a policy up by name; NULL if unknown. */
const struct policy_ops *policy_find(const char *name);

/*
 * Default settings (floor 256 MiB, shrink 64 MiB/round, hysteresis 8 MiB,
 * headroom 100 %).
 */
void policy_cfg_default(struct policy_cfg *cfg);

/*
 * Update the estimator after vm->rec changed (the owner has moved the old
 * record to vm->prev).  Pure.
 */
void policy_observe(const struct policy_ops *ops, const struct policy_cfg *cfg,
    struct policy_vm *vm, uint64_t now_ms);

/*
 * Plan one round.  ops->decide writes vms[i].plan_kb / plan_reason; this
 * wrapper then clamps, enforces the host budget and emits the changes.
 * out must have room for n entries.  Writes *n_out changed
 * targets, donors (shrinks) before acceptors (grows); every target is within
 * [vm->floor_kb, vm->max_kb]; the sum of grows never exceeds what shrinks and
 * host->free_kb - host->reserve_kb provide.  Domains with state STALE,
 * BAD_DATA or NO_AGENT never grow; UNCOOPERATIVE memory is not counted on.
 * Returns 0 or -EINVAL on bad arguments.  Pure.
 */
int policy_decide(const struct policy_ops *ops, const struct policy_cfg *cfg,
    const struct policy_host *host, struct policy_vm *vms, size_t n,
    struct vm_target *out, size_t *n_out);

/*
 * True when the record just observed calls for a planning round now: the
 * record was urgent, or the estimator predicts a shortfall (est.act_now).
 * cagmad and the simulator plan at once when this returns true.  Pure.
 */
bool policy_act_now(const struct policy_vm *vm);

const char *policy_reason_str(enum policy_reason reason);
const char *policy_state_str(enum vm_state state);

#endif
