/*
 * policy.c - policy registry and the two entry points every caller uses:
 * policy_observe() (derive measurements, then the policy's estimator) and
 * policy_decide() (the policy's planner, then the shared safety net: clamp
 * to [floor, max], no growth without fresh data, the host budget, and the
 * output order donors first).  Pure: no I/O, no globals but const tables.
 */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "policy.h"
#include "policy_int.h"

#define POLICY_DEFAULT_FLOOR_KB		(256 * POL_MIB_KB)
#define POLICY_DEFAULT_SHRINK_INTERVAL_MS 1000	/* one step per periodic round */
#define POLICY_DEFAULT_HYST_KB		(8 * POL_MIB_KB)
#define POLICY_DEFAULT_STALE_MS		30000	/* 6 missed 5 s heartbeats */
#define POLICY_DEFAULT_HEADROOM_PCT	100	/* README.md, "Burst headroom" */

const struct policy_ops *const policy_all[] = {
	&policy_cagma,
	&policy_cagma_paper,
	&policy_threshold,
	&policy_coordinator,
	&policy_two_pointer,
	&policy_gt_rules,
	&policy_qmemman,
	&policy_static,
	NULL,
};

/* See policy.h. */
size_t
policy_count(void)
{
	return sizeof(policy_all) / sizeof(policy_all[0]) - 1;
}

/* See policy.h.  name: trusted (config), NUL-terminated. */
const struct policy_ops *
policy_find(const char *name)
{
	size_t i;

	if (name == NULL)
		return NULL;
	for (i = 0; policy_all[i] != NULL; i++)
		if (strcmp(policy_all[i]->name, name) == 0)
			return policy_all[i];
	return NULL;
}

/* See policy.h. */
void
policy_cfg_default(struct policy_cfg *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->floor_kb = POLICY_DEFAULT_FLOOR_KB;
	/* one step per interval, at the release rate */
	cfg->max_shrink_kb = POLICY_DEFAULT_SHRINK_RATE_KBPS *
	    POLICY_DEFAULT_SHRINK_INTERVAL_MS / 1000;
	cfg->hysteresis_kb = POLICY_DEFAULT_HYST_KB;
	cfg->stale_ms = POLICY_DEFAULT_STALE_MS;
	cfg->shrink_interval_ms = POLICY_DEFAULT_SHRINK_INTERVAL_MS;
	cfg->surplus = POLICY_SURPLUS_HOST;
	cfg->headroom_pct = POLICY_DEFAULT_HEADROOM_PCT;
}

/* See policy_int.h. */
uint64_t
pol_floor_kb(const struct policy_cfg *cfg, const struct policy_vm *vm)
{
	uint64_t floor_kb = vm->floor_kb ? vm->floor_kb : cfg->floor_kb;

	return pol_min(floor_kb, vm->max_kb);
}

/* See policy_int.h. */
uint64_t
pol_clamp_kb(const struct policy_cfg *cfg, const struct policy_vm *vm,
    uint64_t kb)
{
	return pol_min(pol_max(kb, pol_floor_kb(cfg, vm)), vm->max_kb);
}

/* See policy_int.h. */
bool
pol_has_data(const struct policy_vm *vm)
{
	return vm->has_rec && vm->state != VM_STALE &&
	    vm->state != VM_BAD_DATA && vm->state != VM_NO_AGENT;
}

/* See policy_int.h. */
bool
pol_follows(const struct policy_vm *vm)
{
	return vm->state != VM_STUCK && vm->state != VM_UNCOOPERATIVE;
}

/* See policy_int.h. */
bool
pol_movable(const struct policy_vm *vm)
{
	return vm->enabled && pol_has_data(vm) && pol_follows(vm);
}

/* See policy_int.h. */
int64_t
pol_host_avail_kb(const struct policy_host *host,
    const struct policy_vm *vms, size_t n)
{
	int64_t avail = (int64_t)host->free_kb - (int64_t)host->reserve_kb -
	    (int64_t)host->resv_kb;
	size_t i;

	for (i = 0; i < n; i++)
		avail -= (int64_t)pol_sub(vms[i].target_kb, vms[i].current_kb);
	return avail;
}

/* See policy_int.h. */
bool
pol_unused_extremes(const struct policy_vm *vms, size_t n,
    size_t *least_out, size_t *most_out)
{
	size_t i, least = n, most = n;

	for (i = 0; i < n; i++) {
		if (!pol_movable(&vms[i]))
			continue;
		if (least == n || vms[i].est.free_kb < vms[least].est.free_kb)
			least = i;
		if (most == n || vms[i].est.free_kb > vms[most].est.free_kb)
			most = i;
	}
	if (least == n)
		return false;
	*least_out = least;
	*most_out = most;
	return true;
}

/* See policy_int.h. */
bool
pol_period_due(const struct policy_host *host, struct policy_vm *vms,
    size_t n, uint64_t period_ms)
{
	uint64_t last_ms = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		last_ms = pol_max(last_ms, vms[i].est.last_round_ms);
		vms[i].est.last_round_ms = host->now_ms;
	}
	if (period_ms == 0)
		return true;
	return last_ms / period_ms < host->now_ms / period_ms;
}

/* See policy.h.  vm->rec has been validated by record_decode(). */
void
policy_observe(const struct policy_ops *ops, const struct policy_cfg *cfg,
    struct policy_vm *vm, uint64_t now_ms)
{
	if (ops == NULL || cfg == NULL || vm == NULL || !vm->has_rec)
		return;
	pol_derive(vm, now_ms);
	if (ops->observe != NULL)
		ops->observe(cfg, vm, now_ms);
}

/* See policy.h. */
bool
policy_act_now(const struct policy_vm *vm)
{
	return vm != NULL && vm->has_rec && (vm->est.urgent ||
	    vm->est.act_now);
}

/* Clamp, refuse growth without data, classify. */
static void
fixup_one(const struct policy_cfg *cfg, struct policy_vm *vm)
{
	uint64_t t = vm->plan_kb, c;

	if (!vm->enabled || vm->max_kb == 0) {
		vm->plan_reason = POLICY_R_NONE;
		return;
	}
	if (vm->plan_reason == POLICY_R_NONE)
		t = vm->target_kb;
	c = pol_clamp_kb(cfg, vm, t);
	if (c != t && c != vm->target_kb)
		vm->plan_reason = POLICY_R_CLAMP;
	if (c > vm->target_kb && vm->plan_reason != POLICY_R_CLAMP &&
	    !pol_movable(vm))
		c = vm->target_kb;
	if (c == vm->target_kb)
		vm->plan_reason = POLICY_R_NONE;
	vm->plan_kb = c;
}

/*
 * Cut grows so that they never spend more than the host can give: free -
 * reserve - grows in flight.  Emergencies are served first and may also
 * spend what this round's shrinks of cooperative domains will release (the
 * host dips under its reserve by at most that while the donors' balloons
 * deflate); other grows wait until the released memory has landed, so
 * ordinary rebalancing never takes the host below its reserve.
 */
static void
enforce_budget(const struct policy_host *host, struct policy_vm *vms,
    size_t n)
{
	int64_t avail = pol_host_avail_kb(host, vms, n), released = 0;
	size_t i;
	int pass;

	for (i = 0; i < n; i++) {
		struct policy_vm *vm = &vms[i];

		if (vm->plan_reason != POLICY_R_NONE &&
		    vm->plan_kb < vm->target_kb && pol_follows(vm))
			released += (int64_t)pol_sub(pol_min(vm->target_kb,
			    vm->current_kb), vm->plan_kb);
	}
	for (pass = 0; pass < 2; pass++) {
		for (i = 0; i < n; i++) {
			struct policy_vm *vm = &vms[i];
			uint64_t base, cost, give;
			bool emerg = vm->plan_reason == POLICY_R_EMERGENCY;
			int64_t funds = emerg ? avail + released : avail;

			if (vm->plan_reason == POLICY_R_NONE ||
			    vm->plan_kb <= vm->target_kb || emerg != !pass)
				continue;
			base = pol_max(vm->target_kb, vm->current_kb);
			cost = pol_sub(vm->plan_kb, base);
			give = funds > 0 ? pol_min(cost, (uint64_t)funds) : 0;
			if (give < cost)
				vm->plan_kb = pol_max(vm->target_kb,
				    base + give);
			avail -= (int64_t)give;
			if (vm->plan_kb == vm->target_kb)
				vm->plan_reason = POLICY_R_NONE;
		}
	}
}

/* Write the changes: shrinks, then emergency grows, then other grows. */
static void
emit(const struct policy_vm *vms, size_t n, struct vm_target *out,
    size_t *n_out)
{
	size_t i, k = 0;
	int pass;

	for (pass = 0; pass < 3; pass++) {
		for (i = 0; i < n; i++) {
			const struct policy_vm *vm = &vms[i];
			int p;

			if (vm->plan_reason == POLICY_R_NONE)
				continue;
			if (vm->plan_kb < vm->target_kb)
				p = 0;
			else if (vm->plan_reason == POLICY_R_EMERGENCY)
				p = 1;
			else
				p = 2;
			if (p != pass)
				continue;
			out[k].domid = vm->domid;
			out[k].target_kb = vm->plan_kb;
			out[k].reason = vm->plan_reason;
			k++;
		}
	}
	*n_out = k;
}

/* See policy.h. */
int
policy_decide(const struct policy_ops *ops, const struct policy_cfg *cfg,
    const struct policy_host *host, struct policy_vm *vms, size_t n,
    struct vm_target *out, size_t *n_out)
{
	size_t i;
	int rc;

	if (ops == NULL || ops->decide == NULL || cfg == NULL ||
	    host == NULL || n_out == NULL || (n > 0 && (vms == NULL ||
	    out == NULL)))
		return -EINVAL;
	for (i = 0; i < n; i++) {
		vms[i].plan_kb = vms[i].target_kb;
		vms[i].plan_reason = POLICY_R_NONE;
	}
	rc = ops->decide(cfg, host, vms, n);
	if (rc != 0)
		return rc;
	for (i = 0; i < n; i++)
		fixup_one(cfg, &vms[i]);
	enforce_budget(host, vms, n);
	emit(vms, n, out, n_out);
	return 0;
}

static const char *const reason_names[POLICY_R_COUNT] = {
	[POLICY_R_NONE] = "none",
	[POLICY_R_EMERGENCY] = "emergency",
	[POLICY_R_GROW] = "grow",
	[POLICY_R_SHRINK] = "shrink",
	[POLICY_R_SURPLUS] = "surplus",
	[POLICY_R_RECLAIM] = "reclaim",
	[POLICY_R_CLAMP] = "clamp",
};

static const char *const state_names[VM_STATE_COUNT] = {
	[VM_OK] = "ok",
	[VM_STARVING] = "starving",
	[VM_STUCK] = "stuck",
	[VM_UNCOOPERATIVE] = "uncooperative",
	[VM_NO_AGENT] = "no-agent",
	[VM_STALE] = "stale",
	[VM_BAD_DATA] = "bad-data",
};

/* See policy.h.  Static string; "?" when out of range. */
const char *
policy_reason_str(enum policy_reason reason)
{
	if ((unsigned)reason >= POLICY_R_COUNT)
		return "?";
	return reason_names[reason];
}

/* See policy.h.  Static string as in cagmactl status; "?" if invalid. */
const char *
policy_state_str(enum vm_state state)
{
	if ((unsigned)state >= VM_STATE_COUNT)
		return "?";
	return state_names[state];
}
