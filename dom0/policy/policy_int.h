/*
 * policy_int.h - helpers shared by the policy files (private to
 * dom0/policy/).  Pure: no I/O, no globals.
 */
#ifndef CAGMA_POLICY_INT_H
#define CAGMA_POLICY_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "policy.h"

/* balloon vs guest-visible memory (see policy_est.overhead_kb) */
#define POL_OVERHEAD_MAX_KB	(128 * 1024ULL)	/* KiB, floor of the cap */
#define POL_SETTLED_KB		(2 * 1024ULL)	/* KiB: balloon at target */
#define POL_MIB_KB	1024ULL		/* KiB per MiB */
#define POL_MB_KB	977ULL		/* KiB per (decimal) MB, rounded */

static inline uint64_t
pol_min(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

static inline uint64_t
pol_max(uint64_t a, uint64_t b)
{
	return a > b ? a : b;
}

/* a - b, or 0 when b >= a. */
static inline uint64_t
pol_sub(uint64_t a, uint64_t b)
{
	return a > b ? a - b : 0;
}

/* The domain's effective floor: its own, else the global one, <= max. */
uint64_t pol_floor_kb(const struct policy_cfg *cfg,
    const struct policy_vm *vm);

/* kb clamped to [pol_floor_kb(), vm->max_kb]. */
uint64_t pol_clamp_kb(const struct policy_cfg *cfg,
    const struct policy_vm *vm, uint64_t kb);

/* The domain has a usable, fresh record (not STALE/BAD_DATA/NO_AGENT). */
bool pol_has_data(const struct policy_vm *vm);

/* The balloon follows targets: its promised releases can be counted on. */
bool pol_follows(const struct policy_vm *vm);

/*
 * The policy may plan a new target for this domain, in either direction:
 * it is enabled, its record is fresh (pol_has_data) and its balloon follows
 * targets (pol_follows).  Planners pick both donors and acceptors with it;
 * why a domain gives or takes (pressure, thresholds) is each policy's own
 * rule.  policy_decide() refuses growth to any other domain but still
 * applies shrinks and clamps to every enabled one.
 */
bool pol_movable(const struct policy_vm *vm);

/*
 * Memory the host can hand out now: free - reserve - held reservations
 * (host->resv_kb) - every grow still in flight (target > current), counted
 * once.  Negative when the host is
 * already below its reserve.  KiB.
 */
int64_t pol_host_avail_kb(const struct policy_host *host,
    const struct policy_vm *vms, size_t n);

/*
 * Period pacing for a policy that acts once per period of its own, as a
 * polling loop does (cagma-paper's 3 s poll, the seeds' "every X seconds"):
 * true at the first round at or after each multiple of period_ms of the
 * clock (host->now_ms), false at the rounds in between (cagmad also plans
 * on records, coalesced to one round per 100 ms, and at once on urgent
 * ones).  The latest est.last_round_ms over vms is the previous round;
 * every domain's is set to now_ms.  period_ms 0: always true.
 */
bool pol_period_due(const struct policy_host *host, struct policy_vm *vms,
    size_t n, uint64_t period_ms);

/* Propose a new target (the wrapper clamps and filters no-ops). */
static inline void
pol_plan(struct policy_vm *vm, uint64_t target_kb, enum policy_reason reason)
{
	vm->plan_kb = target_kb;
	vm->plan_reason = reason;
}

/*
 * The seed policies (threshold, coordinator, two-pointer, gt-rules) set a
 * domain's memory to what it has now plus or minus an amount ("available
 * memory + LOADED_THRESHOLD", seeds/001:45): kb more (less) than the
 * balloon's current allocation.  A grow never lowers, and a shrink never
 * raises, a target still in flight.
 */
static inline void
pol_plan_more(struct policy_vm *vm, uint64_t kb, enum policy_reason reason)
{
	pol_plan(vm, pol_max(vm->target_kb, vm->current_kb + kb), reason);
}

static inline void
pol_plan_less(struct policy_vm *vm, uint64_t kb, enum policy_reason reason)
{
	pol_plan(vm, pol_min(vm->target_kb, pol_sub(vm->current_kb, kb)),
	    reason);
}

/*
 * The seeds' "domain with the least / the most unused memory" among the
 * domains the policy may move (pol_movable), unused = est.free_kb (the
 * guest's MemFree, libvirt's "unused"); the first one wins a tie.  Writes
 * *least_out and *most_out (indexes into vms) and returns true, or returns
 * false when no domain is movable.
 */
bool pol_unused_extremes(const struct policy_vm *vms, size_t n,
    size_t *least_out, size_t *most_out);

/*
 * Unused host memory as the seeds count it: free minus every grow still in
 * flight and the held reservations, without cagma's reserve
 * (policy_decide() applies that).  KiB,
 * negative when in-flight grows exceed free memory.
 */
static inline int64_t
pol_host_unused_kb(const struct policy_host *host,
    const struct policy_vm *vms, size_t n)
{
	return pol_host_avail_kb(host, vms, n) + (int64_t)host->reserve_kb;
}

/*
 * Derive the measurements in vm->est from vm->rec / vm->prev: used, avail,
 * swap in use, rates per second, trend, urgent, and a generic pressure flag
 * (urgent or any swap-in).  Counters that went backwards (guest reboot) give
 * rate 0.
 */
void pol_derive(struct policy_vm *vm, uint64_t now_ms);

/* Estimators and planners reused by several policy files. */
void pol_estimate_cagma(const struct policy_cfg *cfg, struct policy_vm *vm,
    uint64_t now_ms);
int pol_plan_cagma(const struct policy_cfg *cfg,
    const struct policy_host *host, struct policy_vm *vms, size_t n);

/* The policies (one file each). */
extern const struct policy_ops policy_cagma;
extern const struct policy_ops policy_cagma_paper;
extern const struct policy_ops policy_threshold;
extern const struct policy_ops policy_coordinator;
extern const struct policy_ops policy_two_pointer;
extern const struct policy_ops policy_gt_rules;
extern const struct policy_ops policy_qmemman;
extern const struct policy_ops policy_static;

#endif
