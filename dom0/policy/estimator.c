/*
 * estimator.c - measurements derived from the guest's records, and the
 * cagma CMA estimator.  The formula and the reasoning behind every
 * constant are in dom0/policy/README.md ("The cagma estimator").  Pure.
 */
#include <stdbool.h>
#include <stdint.h>

#include "policy.h"
#include "policy_int.h"

/* Pressure signals (any one of them is pressure). */
#define CAGMA_SWAPIN_MIN_PPS	1	/* swap-ins, pages/s, while tight */
#define CAGMA_SWAPIN_HOT_PPS	256	/* swap-ins, pages/s: reading back */
#define CAGMA_STALL_MIN_PS	1	/* direct-reclaim stalls per second */
#define CAGMA_PSI_FULL_MIN_PCT100 100	/* PSI full, hundredths of % (1 %) */
#define CAGMA_LOWMEM_MARGIN_KB	(16 * POL_MIB_KB) /* as the agent's */
/* A job ended: used fell by this much in one interval (not "calm"). */
#define CAGMA_DROP_MIN_KB	(256 * POL_MIB_KB)
#define CAGMA_DROP_PCT		25	/* ... or this % of the CMA */
#define CAGMA_REFAULT_MIN_PPS	256	/* refaults, pages/s (1 MiB/s) */
#define CAGMA_PSI_MIN_PCT100	200	/* PSI some, hundredths of % (2 %) */
/* Pressure without visible swap: grow the estimate by this much. */
#define CAGMA_BOOST_PCT		10	/* % of used */
#define CAGMA_BOOST_MIN_KB	(32 * POL_MIB_KB)
/* Bursts (fast up, slow down). */
#define CAGMA_RISE_MIN_KB	(4 * POL_MIB_KB) /* less is not a rise */
#define CAGMA_RISE_END_MS	2000	/* not rising this long: rise over */
#define CAGMA_BURST_TAU_MS	600000	/* burst memory decays over 10 min */
/* Decay after calm. */
#define CAGMA_HOLD_MS		30000	/* calm this long before decaying */
#define CAGMA_DECAY_TAU_MS	60000	/* exponential time constant */
/* need = CMA + slack + trend lookahead */
#define CAGMA_SLACK_PCT		10	/* % of CMA */
#define CAGMA_SLACK_MIN_KB	(64 * POL_MIB_KB)
#define CAGMA_LOOKAHEAD_MS	2000	/* project used growth this far */
#define CAGMA_LOOKAHEAD_MAX_PCT	100	/* at most this % of CMA */
#define CAGMA_ACT_NOW_KB	(16 * POL_MIB_KB) /* shortfall worth a round */

/* delta per second over dt_ms, without overflow. */
static uint64_t
rate_per_s(uint64_t delta, uint64_t dt_ms)
{
	if (dt_ms == 0)
		return 0;
	if (delta > UINT64_MAX / 1000)
		return delta / dt_ms * 1000;
	return delta * 1000 / dt_ms;
}

/* Growth of a counter between the two records (0 unless both have it). */
static uint64_t
counter_delta(const struct policy_vm *vm, enum cg_field_id id)
{
	uint64_t cur = record_get(&vm->rec, id, 0);
	uint64_t old = record_get(&vm->prev, id, 0);

	if (!record_has(&vm->rec, id) || !record_has(&vm->prev, id))
		return 0;
	return cur >= old ? cur - old : 0;
}

static uint64_t
rec_used_kb(const struct cg_record *rec)
{
	return pol_sub(record_get(rec, CG_F_MEM_TOTAL, 0),
	    record_get(rec, CG_F_MEM_AVAIL, 0));
}

/*
 * current (dom0's tot_pages) minus the guest's MemTotal, only while the
 * balloon is settled (current within 2 MiB of target: both describe the
 * same allocation) and capped at max(128 MiB, current / 8).  Kept from the
 * last settled record otherwise.
 */
static void
derive_overhead(struct policy_vm *vm)
{
	uint64_t total = record_get(&vm->rec, CG_F_MEM_TOTAL, 0);
	uint64_t gap = vm->current_kb > vm->target_kb ?
	    vm->current_kb - vm->target_kb : vm->target_kb - vm->current_kb;
	uint64_t cap = pol_max(POL_OVERHEAD_MAX_KB, vm->current_kb / 8);

	if (vm->current_kb == 0 || gap > POL_SETTLED_KB)
		return;
	vm->est.overhead_kb = pol_min(pol_sub(vm->current_kb, total), cap);
}

/*
 * MemAvailable below the guest's low watermark plus max(watermark,
 * CAGMA_LOWMEM_MARGIN_KB): the agent's own line (report.c), so that a
 * record says "low" exactly when the agent would publish it urgently.
 */
static bool
derive_lowmem(const struct cg_record *rec)
{
	uint64_t low = record_get(rec, CG_F_WMARK_LOW, 0);

	return low != 0 && record_get(rec, CG_F_MEM_AVAIL, 0) < low +
	    pol_max(low, CAGMA_LOWMEM_MARGIN_KB);
}

/* See policy_int.h.  vm->rec: validated guest claims (bounded by schema). */
void
pol_derive(struct policy_vm *vm, uint64_t now_ms)
{
	struct policy_est *est = &vm->est;
	const struct cg_record *rec = &vm->rec;
	uint64_t dt_ms = 0, psi;

	est->used_kb = rec_used_kb(rec);
	est->avail_kb = record_get(rec, CG_F_MEM_AVAIL, 0);
	est->free_kb = record_get(rec, CG_F_MEM_FREE, 0);
	est->swap_used_kb = pol_sub(record_get(rec, CG_F_SWAP_TOTAL, 0),
	    record_get(rec, CG_F_SWAP_FREE, 0));
	est->urgent = record_get(rec, CG_F_URGENT, 0) != 0;
	est->swapin_rate = 0;
	est->refault_rate = 0;
	est->psi_some_pct100 = 0;
	est->psi_full_pct100 = 0;
	est->oom_kills = 0;
	est->stall_rate = 0;
	est->dropped = false;
	est->lowmem = derive_lowmem(rec);
	est->used_trend_kbps = 0;
	est->act_now = false;
	if (vm->has_prev && vm->rec_ms > vm->prev_ms)
		dt_ms = vm->rec_ms - vm->prev_ms;
	if (dt_ms > 0) {
		est->swapin_rate = rate_per_s(counter_delta(vm, CG_F_PSWPIN),
		    dt_ms);
		est->refault_rate = rate_per_s(counter_delta(vm,
		    CG_F_REFAULT), dt_ms);
		/* us stalled per ms elapsed, x10 = hundredths of a percent */
		psi = counter_delta(vm, CG_F_PSI_SOME_US);
		psi = psi > UINT64_MAX / 10 ? UINT64_MAX : psi * 10 / dt_ms;
		est->psi_some_pct100 = pol_min(psi, 10000);
		psi = counter_delta(vm, CG_F_PSI_FULL_US);
		psi = psi > UINT64_MAX / 10 ? UINT64_MAX : psi * 10 / dt_ms;
		est->psi_full_pct100 = pol_min(psi, 10000);
		est->stall_rate = rate_per_s(counter_delta(vm,
		    CG_F_ALLOCSTALL), dt_ms);
		est->used_trend_kbps = rate_per_s(pol_sub(est->used_kb,
		    rec_used_kb(&vm->prev)), dt_ms);
	}
	/* a kill needs no interval: the first record after it shows it */
	if (vm->has_prev)
		est->oom_kills = counter_delta(vm, CG_F_OOM_KILL);
	derive_overhead(vm);
	est->pressure = est->urgent || est->swapin_rate > 0 ||
	    est->oom_kills > 0;
	if (est->pressure) {
		est->last_pressure_ms = now_ms;
		est->calm_since_ms = 0;
	} else if (est->calm_since_ms == 0) {
		est->calm_since_ms = now_ms;
	}
}

/*
 * Swap-ins are pressure when the guest cannot take its swapped pages back
 * without more memory: MemAvailable below its slack (tight), or below
 * what is in swap plus that slack while pages come back fast (>= 256/s:
 * the working set is being read back).  Pages coming back into memory the
 * guest has available (an earlier burst's leftovers, a job that ended
 * with pages in swap) are no reason to keep, or grow, the estimate.
 */
static bool
swapin_pressure(const struct policy_est *est)
{
	uint64_t tight = pol_max(CAGMA_SLACK_MIN_KB, est->cma_kb *
	    CAGMA_SLACK_PCT / 100);

	if (est->swapin_rate < CAGMA_SWAPIN_MIN_PPS)
		return false;
	if (est->avail_kb < tight)
		return true;
	return est->swapin_rate >= CAGMA_SWAPIN_HOT_PPS &&
	    est->avail_kb < est->swap_used_kb + tight;
}

/*
 * Ample: everything the guest has in swap could come back and it would
 * still have twice its slack available.  Stalls (PSI some) and refaults
 * then come from reading pages back, not from a shortage of memory.
 */
static bool
ample(const struct policy_est *est)
{
	uint64_t tight = pol_max(CAGMA_SLACK_MIN_KB, est->cma_kb *
	    CAGMA_SLACK_PCT / 100);

	return est->avail_kb >= est->swap_used_kb + 2 * tight;
}

/*
 * The signs of exhaustion a guest without swap shows (the agent publishes
 * them): an OOM kill, allocations stalling in direct reclaim, every task
 * stalled (PSI full), MemAvailable at the low watermark.
 */
static bool
exhaustion_pressure(const struct policy_est *est)
{
	return est->oom_kills > 0 || est->stall_rate >= CAGMA_STALL_MIN_PS ||
	    est->psi_full_pct100 >= CAGMA_PSI_FULL_MIN_PCT100 || est->lowmem;
}

/* Raw estimate from this record alone, KiB. */
static uint64_t
cagma_raw_kb(const struct policy_vm *vm, bool pressure)
{
	const struct policy_est *est = &vm->est;
	uint64_t raw = est->used_kb;

	if (!pressure)
		return raw;
	/* an OOM kill: the guest needed more than all it had */
	if (est->oom_kills > 0)
		raw = pol_max(raw, record_get(&vm->rec, CG_F_MEM_TOTAL, 0));
	/* swap is hot only while it is being read back */
	if (swapin_pressure(est))
		raw += est->swap_used_kb;
	else
		raw += pol_max(CAGMA_BOOST_MIN_KB,
		    raw * CAGMA_BOOST_PCT / 100);
	return raw;
}

/*
 * A job ended: used fell by CAGMA_DROP_MIN_KB or CAGMA_DROP_PCT of the CMA
 * over consecutive records, each lower than the last (a big process takes
 * more than one record interval to exit under load: the Xen lab's 900 MiB
 * hog took two).  That is not calm to wait out: the estimate follows at
 * once, and the planner gives the memory back at its release rate.
 * est->fall_from_kb: used before the current fall began (0: not falling).
 */
static bool
used_dropped(struct policy_vm *vm)
{
	struct policy_est *est = &vm->est;
	uint64_t before, fall;

	before = vm->has_prev ? rec_used_kb(&vm->prev) : 0;
	if (est->used_kb >= before) {
		est->fall_from_kb = 0;
		return false;
	}
	est->fall_from_kb = pol_max(est->fall_from_kb, before);
	fall = est->fall_from_kb - est->used_kb;
	return fall >= pol_min(CAGMA_DROP_MIN_KB, est->cma_kb *
	    CAGMA_DROP_PCT / 100);
}

/*
 * Whether the guest's demand (used + swap in use) is in a rise: risen by
 * at least CAGMA_RISE_MIN_KB since its last calm point, which
 * track_bursts() moves up to the demand once it has not risen for
 * CAGMA_RISE_END_MS.
 */
static bool
rising(const struct policy_est *est)
{
	return est->rise_base_kb != 0 && est->used_kb + est->swap_used_kb >=
	    est->rise_base_kb + CAGMA_RISE_MIN_KB;
}

/* x decays with time constant tau over dt (linear within one tau). */
static uint64_t
decay(uint64_t x, uint64_t dt_ms, uint64_t tau_ms)
{
	uint64_t d = pol_min(dt_ms, tau_ms);

	return x - (x / tau_ms * d + (x % tau_ms) * d / tau_ms);
}

/*
 * Burst memory (fast up, slow down): the guest's demand (used + swap in
 * use) risen since it last stopped rising for CAGMA_RISE_END_MS, the
 * largest such rise and the fastest rise rate, both decaying slowly.
 */
static void
track_bursts(struct policy_vm *vm, uint64_t dt_ms, uint64_t now_ms)
{
	struct policy_est *est = &vm->est;
	uint64_t demand = est->used_kb + est->swap_used_kb, prev, rate;

	est->burst_kb = decay(est->burst_kb, dt_ms, CAGMA_BURST_TAU_MS);
	est->burst_kbps = decay(est->burst_kbps, dt_ms, CAGMA_BURST_TAU_MS);
	if (!vm->has_prev || est->rise_base_kb == 0 ||
	    demand < est->rise_base_kb) {
		est->rise_base_kb = demand ? demand : 1;
		est->rise_from_kb = vm->target_kb;
		est->rise_calm_ms = now_ms;
		est->rise_calm_kb = demand;
		return;
	}
	prev = rec_used_kb(&vm->prev) + pol_sub(record_get(&vm->prev,
	    CG_F_SWAP_TOTAL, 0), record_get(&vm->prev, CG_F_SWAP_FREE, 0));
	/*
	 * Rising: up by CAGMA_RISE_MIN_KB since the last record, or since
	 * the calm point within CAGMA_RISE_END_MS of it (records may come
	 * faster than a growth shows in one of them: the agent publishes at
	 * once on a change, several times a second).
	 */
	if (demand >= prev + CAGMA_RISE_MIN_KB) {
		rate = rate_per_s(demand - prev, dt_ms);
	} else if (est->rise_calm_ms != 0 && now_ms < est->rise_calm_ms +
	    CAGMA_RISE_END_MS && demand >= est->rise_calm_kb +
	    CAGMA_RISE_MIN_KB) {
		rate = rate_per_s(demand - est->rise_calm_kb, now_ms -
		    est->rise_calm_ms);
	} else {
		if (est->rise_calm_ms == 0) {
			est->rise_calm_ms = now_ms;
			est->rise_calm_kb = demand;
		} else if (now_ms >= est->rise_calm_ms + CAGMA_RISE_END_MS) {
			est->rise_base_kb = demand ? demand : 1; /* over */
			est->rise_from_kb = vm->target_kb;
			est->rise_calm_ms = now_ms;	/* next window */
			est->rise_calm_kb = demand;
		}
		rate = 0;
	}
	if (rate > 0) {
		est->rise_calm_ms = 0;
		est->burst_kbps = pol_max(est->burst_kbps, rate);
	}
	est->burst_kb = pol_max(est->burst_kb, pol_sub(demand,
	    est->rise_base_kb));
}

/*
 * The rise's bookkeeping after this record's need: the highest need of the
 * current rise, below which the planner does not shrink the guest (the
 * lookahead comes and goes with each record's growth, a job allocating in
 * steps, and following it down made the target shrink and grow round after
 * round); once the rise is over (flat for CAGMA_RISE_END_MS) it goes.  At
 * that point what the guest may keep as headroom is capped at what it held
 * when the rise started plus the rise (base_kb, from_kb: the rise's start
 * before this record): a lookahead that did not come true is not headroom.
 */
static void
track_rise_end(struct policy_est *est, uint64_t base_kb, uint64_t from_kb)
{
	if (rising(est)) {
		est->rise_need_kb = pol_max(est->rise_need_kb, est->need_kb);
		est->held_cap_kb = 0;
		return;
	}
	if (est->rise_need_kb != 0)
		est->held_cap_kb = from_kb + pol_sub(est->used_kb +
		    est->swap_used_kb, base_kb);
	est->rise_need_kb = 0;
	if (est->pressure)	/* what it holds under pressure is needed */
		est->held_cap_kb = 0;
}

/*
 * See policy_int.h.  The cagma estimator: fast increase under pressure,
 * hold, then slow exponential decay toward the calm estimate; a sharp fall
 * of used memory is followed at once.  Pure.
 */
void
pol_estimate_cagma(const struct policy_cfg *cfg, struct policy_vm *vm,
    uint64_t now_ms)
{
	struct policy_est *est = &vm->est;
	uint64_t raw, dt_ms = 0, slack, ahead, base_kb, from_kb;
	bool pressure;

	(void)cfg;
	/*
	 * The agent's urgent flag is not pressure by itself (any swap-in
	 * sets it): what it reports is judged here, from the counters.
	 */
	pressure = swapin_pressure(est) || exhaustion_pressure(est) ||
	    (!ample(est) && (est->refault_rate >= CAGMA_REFAULT_MIN_PPS ||
	    est->psi_some_pct100 >= CAGMA_PSI_MIN_PCT100));
	/*
	 * A job that ended leaves the stalls (PSI, reclaim) of its last
	 * interval in the record that shows the fall: with memory now ample
	 * they are the ended job's, not a shortage.  An OOM kill is not a
	 * job ending: the guest needed more than it had.
	 */
	est->dropped = used_dropped(vm) && est->oom_kills == 0 && ample(est);
	if (est->dropped)
		pressure = false;
	est->pressure = pressure;
	if (pressure) {
		est->last_pressure_ms = now_ms;
		est->calm_since_ms = 0;
	} else if (est->calm_since_ms == 0) {
		est->calm_since_ms = now_ms;
	}
	if (vm->has_prev && vm->rec_ms > vm->prev_ms)
		dt_ms = vm->rec_ms - vm->prev_ms;
	base_kb = est->rise_base_kb;
	from_kb = est->rise_from_kb;
	track_bursts(vm, dt_ms, now_ms);
	raw = cagma_raw_kb(vm, pressure);
	if (raw >= est->cma_kb || est->cma_kb == 0 || est->dropped) {
		est->cma_kb = raw;
	} else if (!pressure && now_ms >= est->last_pressure_ms +
	    CAGMA_HOLD_MS) {
		uint64_t gap = est->cma_kb - raw;
		uint64_t drop = gap / CAGMA_DECAY_TAU_MS *
		    pol_min(dt_ms, CAGMA_DECAY_TAU_MS) + (gap %
		    CAGMA_DECAY_TAU_MS) * pol_min(dt_ms, CAGMA_DECAY_TAU_MS) /
		    CAGMA_DECAY_TAU_MS;

		est->cma_kb -= pol_min(gap, drop);
	}
	slack = pol_max(CAGMA_SLACK_MIN_KB, est->cma_kb * CAGMA_SLACK_PCT /
	    100);
	/* a step seen once may repeat: at least the last growth itself */
	ahead = pol_max(est->used_trend_kbps * CAGMA_LOOKAHEAD_MS / 1000,
	    vm->has_prev ? pol_sub(est->used_kb, pol_sub(record_get(&vm->prev,
	    CG_F_MEM_TOTAL, 0), record_get(&vm->prev, CG_F_MEM_AVAIL, 0))) :
	    0);
	ahead = pol_min(ahead, est->cma_kb * CAGMA_LOOKAHEAD_MAX_PCT / 100);
	est->need_kb = est->cma_kb + slack + ahead + est->overhead_kb;
	track_rise_end(est, base_kb, from_kb);
	/* growing and about to outrun its target: do not wait for the timer */
	est->act_now = ahead > 0 && est->need_kb > vm->target_kb +
	    CAGMA_ACT_NOW_KB;
}
