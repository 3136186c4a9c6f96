/*
 * planner.c - the cagma planner (DESIGN.md "Planner"): emergencies first,
 * guarantee each domain its need (CMA + slack), donors before acceptors,
 * in-flight memory counted once, gradual shrink, host reserve kept,
 * hysteresis, surplus left on the host or shared by weight.  Pure; O(n).
 */
#include <stdbool.h>
#include <stdint.h>

#include "policy.h"
#include "policy_int.h"

/* Burst to balloon growth: agent sample, record, round, balloon start. */
#define CAGMA_REACT_MS	1000

/*
 * Under pressure by the estimator's judgement (swap-ins that matter, OOM
 * kills, reclaim stalls, PSI, refaults): served first, never a donor.  An
 * urgent record whose reason the estimator does not count as pressure (a
 * trickle of swap-ins with memory available) is planned like any other.
 */
static bool
is_emergency(const struct policy_vm *vm)
{
	return vm->est.pressure;
}

/* CMA as a balloon target: guest-visible CMA plus the kernel overhead. */
static uint64_t
cma_target_kb(const struct policy_cfg *cfg, const struct policy_vm *vm)
{
	return pol_clamp_kb(cfg, vm, vm->est.cma_kb + vm->est.overhead_kb);
}

/* What the domain should hold, before budget: its need within bounds. */
static uint64_t
want_kb(const struct policy_cfg *cfg, const struct policy_vm *vm)
{
	return pol_clamp_kb(cfg, vm, vm->est.need_kb);
}

/*
 * Burst headroom (README.md): on top of its need, a calm domain may keep
 * headroom_pct of the need, never more than it holds (headroom is no
 * reason to grow), so a burst finds memory in place instead of waiting for
 * its balloon.  The headroom comes out of spare memory: while the host's
 * own spare (avail) is smaller than all the domains' headroom together,
 * each domain keeps only that fraction of it (scale, 1024 = all).
 */
/*
 * headroom = auto: what the domain's own bursts need before its own
 * balloon catches up.  A burst of S KiB rising at r KiB/s, met by a
 * balloon that grows at b KiB/s after CAGMA_REACT_MS, is short of
 * S x (1 - b / r) when r > b, plus r x the reaction time in any case.
 * Until both the burst and the balloon have been measured, the prior
 * (POLICY_HEADROOM_PRIOR_PCT of the need).
 */
static uint64_t
auto_room_kb(const struct policy_vm *vm, uint64_t want)
{
	uint64_t r = vm->est.burst_kbps, b = vm->balloon_up_kbps;
	uint64_t s = vm->est.burst_kb, lag = 0;

	if (r == 0 || b == 0)
		return want * POLICY_HEADROOM_PRIOR_PCT / 100;
	if (r > b)
		lag = s / r * (r - b) + s % r * (r - b) / r;
	return lag + r * CAGMA_REACT_MS / 1000;
}

/*
 * The headroom a calm domain keeps: headroom_pct of its need (or auto),
 * never more than it holds; after a rise, never more than it held before
 * the rise plus the rise (est.held_cap_kb: the rise's lookahead that did
 * not come true goes back) unless its own measured bursts need more
 * (auto_room_kb()).
 */
static uint64_t
room_kb(const struct policy_cfg *cfg, const struct policy_vm *vm)
{
	uint64_t want = want_kb(cfg, vm), held = vm->target_kb;
	uint64_t room = cfg->headroom_pct == POLICY_HEADROOM_AUTO ?
	    auto_room_kb(vm, want) : want * cfg->headroom_pct / 100;

	if (!pol_movable(vm) || is_emergency(vm))
		return 0;
	if (vm->est.held_cap_kb != 0)
		held = pol_min(held, pol_max(vm->est.held_cap_kb, want +
		    auto_room_kb(vm, want)));
	return pol_sub(pol_min(held, pol_clamp_kb(cfg, vm, want + room)),
	    want);
}

static uint64_t
headroom_scale(const struct policy_cfg *cfg, const struct policy_vm *vms,
    size_t n, int64_t avail)
{
	uint64_t total = 0;
	size_t i;

	for (i = 0; i < n; i++)
		total += room_kb(cfg, &vms[i]);
	if (avail <= 0)
		return 0;
	if ((uint64_t)avail >= total)
		return 1024;
	return (uint64_t)avail * 1024 / total;
}

/*
 * What a calm donor keeps: its need plus its (scaled) headroom, and while
 * its demand rises at least the highest need of the rise.
 */
static uint64_t
keep_kb(const struct policy_cfg *cfg, const struct policy_vm *vm,
    uint64_t scale)
{
	return pol_max(want_kb(cfg, vm) + room_kb(cfg, vm) * scale / 1024,
	    pol_clamp_kb(cfg, vm, vm->est.rise_need_kb));
}

/*
 * Surplus by weight: the host's spare memory plus every domain's excess
 * over its need is split by weight on top of the needs (capped at max).
 * Returns the extra KiB per weight unit, scaled by 1024.
 */
static uint64_t
surplus_per_weight(const struct policy_cfg *cfg, struct policy_vm *vms,
    size_t n, int64_t avail, uint64_t scale)
{
	uint64_t pool = avail > 0 ? (uint64_t)avail : 0, weights = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		const struct policy_vm *vm = &vms[i];

		if (!pol_movable(vm))
			continue;
		pool += pol_sub(vm->target_kb, keep_kb(cfg, vm, scale));
		weights += vm->weight ? vm->weight : 100;
	}
	if (weights == 0)
		return 0;
	return pool * 1024 / weights;
}

/*
 * A donor shrinks gradually: at most one step per shrink interval, and only
 * once its previous step has landed (current within hysteresis of target),
 * so the guest's records can show the effect before the next step.
 */
static bool
shrink_paced(const struct policy_cfg *cfg, const struct policy_vm *vm,
    uint64_t now_ms)
{
	if (vm->current_kb > vm->target_kb + cfg->hysteresis_kb)
		return true;
	return vm->est.last_shrink_ms != 0 &&
	    now_ms - vm->est.last_shrink_ms < cfg->shrink_interval_ms;
}

/*
 * Donors: shrink toward what they keep (need + headroom, or need + their
 * share of the surplus, and while they rise at least the rise's highest
 * need: keep_kb()) by at most max_shrink_kb per step, never under
 * pressure.
 */
static void
plan_donors(const struct policy_cfg *cfg, struct policy_vm *vms, size_t n,
    uint64_t per_w, uint64_t scale, uint64_t now_ms)
{
	size_t i;

	for (i = 0; i < n; i++) {
		struct policy_vm *vm = &vms[i];
		uint64_t want, w = vms[i].weight ? vms[i].weight : 100;

		if (!pol_movable(vm) || is_emergency(vm) ||
		    shrink_paced(cfg, vm, now_ms))
			continue;
		want = pol_max(keep_kb(cfg, vm, scale), pol_clamp_kb(cfg, vm,
		    want_kb(cfg, vm) + per_w * w / 1024));
		if (vm->target_kb <= want + cfg->hysteresis_kb)
			continue;
		pol_plan(vm, pol_max(want, pol_sub(vm->target_kb,
		    cfg->max_shrink_kb)), POLICY_R_SHRINK);
		vm->est.last_shrink_ms = now_ms;
	}
}

/*
 * Raise vm's plan toward want_kb from what the host can give now; the
 * part it cannot give is added to *short_kb.
 */
static void
grant(struct policy_vm *vm, uint64_t want_kb, int64_t *avail,
    enum policy_reason why, uint64_t *short_kb)
{
	uint64_t have = pol_max(vm->plan_kb, vm->current_kb), cost, give;

	if (want_kb <= vm->plan_kb)
		return;
	cost = pol_sub(want_kb, have);
	give = *avail > 0 ? pol_min(cost, (uint64_t)*avail) : 0;
	*short_kb += cost - give;
	*avail -= (int64_t)give;
	want_kb = pol_max(vm->plan_kb, pol_min(want_kb, have + give));
	if (want_kb > vm->plan_kb)
		pol_plan(vm, want_kb, why);
}

/*
 * Acceptors, from what the host can give now: emergencies up to their CMA
 * (pass 0), then up to their need (pass 1), then ordinary grows (pass 2,
 * with hysteresis: the need first, then a surplus share).  Adds the
 * emergencies' shortfalls to *short_cma and *short_need, and what ordinary
 * grows lack of their need to *short_grow (KiB).
 */
static void
plan_acceptors(const struct policy_cfg *cfg, struct policy_vm *vms,
    size_t n, int64_t *avail, uint64_t per_w, uint64_t *short_cma,
    uint64_t *short_need, uint64_t *short_grow)
{
	uint64_t ignored = 0;
	size_t i;
	int pass;

	for (pass = 0; pass < 3; pass++) {
		for (i = 0; i < n; i++) {
			struct policy_vm *vm = &vms[i];
			uint64_t w = vm->weight ? vm->weight : 100, base, want;
			bool emerg = is_emergency(vm);

			if (!pol_movable(vm) || emerg != (pass < 2))
				continue;
			base = want_kb(cfg, vm);
			if (pass == 0) {
				grant(vm, cma_target_kb(cfg, vm),
				    avail, POLICY_R_EMERGENCY, short_cma);
			} else if (pass == 1) {
				grant(vm, base, avail, POLICY_R_EMERGENCY,
				    short_need);
			} else {
				want = pol_clamp_kb(cfg, vm, base + per_w * w /
				    1024);
				if (want < vm->target_kb + cfg->hysteresis_kb)
					continue;
				if (base > vm->target_kb)
					grant(vm, base, avail, POLICY_R_GROW,
					    short_grow);
				grant(vm, want, avail, base > vm->target_kb ?
				    POLICY_R_GROW : POLICY_R_SURPLUS, &ignored);
			}
		}
	}
}

/* Reclaim from calm domains down to their need (or CMA); returns rest. */
static uint64_t
plan_reclaim_to(const struct policy_cfg *cfg, struct policy_vm *vms,
    size_t n, uint64_t deficit_kb, bool to_cma)
{
	size_t i;

	for (i = 0; i < n && deficit_kb > 0; i++) {
		struct policy_vm *vm = &vms[i];
		uint64_t want, from, take;

		/* a domain in trouble gives too, but only what it holds
		 * above its own need (CMA): it is never pushed below */
		if (!pol_movable(vm))
			continue;
		want = to_cma ? cma_target_kb(cfg, vm) :
		    want_kb(cfg, vm);
		from = vm->plan_reason != POLICY_R_NONE ? vm->plan_kb :
		    vm->target_kb;
		if (from <= want)
			continue;
		take = pol_min(from - want, deficit_kb);
		deficit_kb -= take;
		pol_plan(vm, from - take, POLICY_R_RECLAIM);
	}
	return deficit_kb;
}

/*
 * Host below reserve or an emergency left short: take from other domains
 * at once (no step limit): first what they hold above their need, then,
 * if still short, their slack down to their CMA (CMA is guaranteed, the
 * slack is not).  The memory is granted in a later round, once the
 * balloons have released it (never spent before it is free).
 */
static void
plan_reclaim(const struct policy_cfg *cfg, struct policy_vm *vms, size_t n,
    uint64_t host_kb, uint64_t short_cma, uint64_t short_need)
{
	uint64_t rest;

	rest = plan_reclaim_to(cfg, vms, n, host_kb + short_need, false);
	rest = pol_min(rest, host_kb + short_cma);
	if (rest > 0)
		(void)plan_reclaim_to(cfg, vms, n, rest, true);
}

/*
 * An ordinary need the host cannot cover: taken from what calm donors
 * hold above their own need, but at the release pace (one max_shrink_kb
 * step per shrink interval per donor, as voluntary shrinks), since nobody
 * is in trouble yet; an emergency's shortfall is reclaimed at once.
 */
static void
plan_reclaim_paced(const struct policy_cfg *cfg, struct policy_vm *vms,
    size_t n, uint64_t deficit_kb, uint64_t now_ms)
{
	size_t i;

	for (i = 0; i < n && deficit_kb > 0; i++) {
		struct policy_vm *vm = &vms[i];
		uint64_t want, from, take;

		if (!pol_movable(vm) || is_emergency(vm) ||
		    shrink_paced(cfg, vm, now_ms) ||
		    vm->plan_reason != POLICY_R_NONE)
			continue;
		want = pol_max(want_kb(cfg, vm), pol_clamp_kb(cfg, vm,
		    vm->est.rise_need_kb));
		from = vm->target_kb;
		if (from <= want + cfg->hysteresis_kb)
			continue;
		take = pol_min(pol_min(from - want, cfg->max_shrink_kb),
		    deficit_kb);
		deficit_kb -= take;
		pol_plan(vm, from - take, POLICY_R_SHRINK);
		vm->est.last_shrink_ms = now_ms;
	}
}

/* See policy_int.h: the cagma planner. */
int
pol_plan_cagma(const struct policy_cfg *cfg, const struct policy_host *host,
    struct policy_vm *vms, size_t n)
{
	int64_t avail = pol_host_avail_kb(host, vms, n);
	uint64_t per_w = 0, deficit = 0, short_cma = 0, short_need = 0;
	uint64_t short_grow = 0;
	uint64_t scale = headroom_scale(cfg, vms, n, avail);

	if (cfg->surplus == POLICY_SURPLUS_WEIGHT)
		per_w = surplus_per_weight(cfg, vms, n, avail, scale);
	plan_donors(cfg, vms, n, per_w, scale, host->now_ms);
	if (avail < 0)
		deficit = (uint64_t)-avail;
	plan_acceptors(cfg, vms, n, &avail, per_w, &short_cma, &short_need,
	    &short_grow);
	/*
	 * A need the host cannot cover from free memory is taken from what
	 * others hold above their own need (their headroom first, as it is
	 * above the need), not only when the needy guest swaps: a guest
	 * without swap never does, and is OOM-killed instead.  At the
	 * release pace, as nobody is in trouble yet.
	 */
	if (short_grow > 0)
		plan_reclaim_paced(cfg, vms, n, short_grow, host->now_ms);
	if (deficit + short_need > 0)
		plan_reclaim(cfg, vms, n, deficit, short_cma, short_need);
	return 0;
}
