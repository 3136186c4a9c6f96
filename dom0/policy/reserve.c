/*
 * reserve.c - reservations of host memory for new domains (reserve.h).
 * Pure: no I/O, no globals.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "policy_int.h"
#include "reserve.h"

/* See reserve.h. */
void
resv_init(struct resv_table *t)
{
	memset(t, 0, sizeof(*t));
	t->next_id = 1;
}

/* See reserve.h. */
bool
resv_live(enum resv_state state)
{
	return state == RESV_PENDING || state == RESV_READY;
}

/* See reserve.h. */
uint64_t
resv_held_kb(const struct resv_table *t)
{
	uint64_t held = 0;
	size_t i;

	for (i = 0; i < RESV_MAX; i++)
		if (resv_live(t->r[i].state))
			held += t->r[i].size_kb;
	return held;
}

/* See reserve.h. */
uint64_t
resv_pending_kb(const struct resv_table *t)
{
	uint64_t pending = 0;
	size_t i;

	for (i = 0; i < RESV_MAX; i++)
		if (t->r[i].state == RESV_PENDING)
			pending += t->r[i].size_kb;
	return pending;
}

/*
 * What a domain can give for a reservation: what it holds (its target)
 * above max(CMA + overhead, floor), clamped to its bounds.  The planner's
 * reclaim goes exactly this far and no further (planner.c,
 * cma_target_kb()).
 */
static uint64_t
resv_dom_kb(const struct policy_cfg *cfg, const struct policy_vm *vm)
{
	uint64_t keep;

	if (!pol_movable(vm))
		return 0;
	keep = pol_clamp_kb(cfg, vm, vm->est.cma_kb + vm->est.overhead_kb);
	return pol_sub(vm->target_kb, keep);
}

/* See reserve.h. */
uint64_t
resv_freeable_kb(const struct policy_cfg *cfg,
    const struct policy_host *host, const struct policy_vm *vms, size_t n,
    const struct resv_table *t)
{
	int64_t avail = (int64_t)host->free_kb - (int64_t)host->reserve_kb;
	uint64_t total;
	size_t i;

	for (i = 0; i < n; i++)
		avail -= (int64_t)pol_sub(vms[i].target_kb, vms[i].current_kb);
	total = avail > 0 ? (uint64_t)avail : 0;
	for (i = 0; i < n; i++)
		total += resv_dom_kb(cfg, &vms[i]);
	return pol_sub(total, resv_held_kb(t));
}

/* A free slot: unused, else the oldest ended entry; NULL if all live. */
static struct resv *
resv_slot(struct resv_table *t)
{
	struct resv *best = NULL;
	size_t i;

	for (i = 0; i < RESV_MAX; i++) {
		struct resv *r = &t->r[i];

		if (r->state == RESV_UNUSED)
			return r;
		if (!resv_live(r->state) && (best == NULL ||
		    r->end_ms < best->end_ms))
			best = r;
	}
	return best;
}

/* See reserve.h. */
int
resv_add(struct resv_table *t, uint64_t size_kb, uint64_t timeout_ms,
    uint64_t freeable_kb, uint64_t now_ms, uint32_t *id_out)
{
	struct resv *r;

	if (size_kb == 0 || size_kb > RESV_SIZE_MAX_KB || timeout_ms == 0 ||
	    timeout_ms > RESV_TIMEOUT_MAX_MS || id_out == NULL)
		return -EINVAL;
	if (size_kb > freeable_kb)
		return -ENOSPC;
	r = resv_slot(t);
	if (r == NULL)
		return -EBUSY;
	memset(r, 0, sizeof(*r));
	r->id = t->next_id++;
	r->state = RESV_PENDING;
	r->size_kb = size_kb;
	r->created_ms = now_ms;
	r->timeout_ms = timeout_ms;
	r->deadline_ms = now_ms + timeout_ms;
	*id_out = r->id;
	return 0;
}

/* The live entry with the smallest id above after (FIFO walk), or NULL. */
static struct resv *
resv_next(struct resv_table *t, uint32_t after)
{
	struct resv *best = NULL;
	size_t i;

	for (i = 0; i < RESV_MAX; i++) {
		struct resv *r = &t->r[i];

		if (resv_live(r->state) && r->id > after &&
		    (best == NULL || r->id < best->id))
			best = r;
	}
	return best;
}

static void
resv_end(struct resv *r, enum resv_state state, uint64_t now_ms)
{
	r->state = state;
	r->end_ms = now_ms;
}

/* See reserve.h. */
void
resv_update(struct resv_table *t, int64_t avail_kb, uint64_t now_ms)
{
	uint64_t used = 0, avail = avail_kb > 0 ? (uint64_t)avail_kb : 0;
	bool blocked = false;
	struct resv *r;
	size_t i;

	for (i = 0; i < RESV_MAX; i++) {
		r = &t->r[i];
		if (resv_live(r->state) && now_ms >= r->deadline_ms)
			resv_end(r, RESV_EXPIRED, now_ms);
		else if (!resv_live(r->state) && r->state != RESV_UNUSED &&
		    now_ms - r->end_ms >= RESV_KEEP_MS)
			memset(r, 0, sizeof(*r));
	}
	for (r = resv_next(t, 0); r != NULL; r = resv_next(t, r->id)) {
		used += r->size_kb;
		if (r->state == RESV_READY)
			continue;
		if (blocked || used > avail) {
			blocked = true;	/* FIFO: no overtaking */
			continue;
		}
		r->state = RESV_READY;
		r->ready_ms = now_ms;
		r->deadline_ms = now_ms + r->timeout_ms;
	}
}

/* See reserve.h. */
int
resv_release(struct resv_table *t, uint32_t id, uint64_t now_ms)
{
	size_t i;

	for (i = 0; i < RESV_MAX; i++) {
		struct resv *r = &t->r[i];

		if (r->state == RESV_UNUSED || r->id != id)
			continue;
		if (!resv_live(r->state))
			return -EALREADY;
		resv_end(r, r->state == RESV_READY ? RESV_DONE :
		    RESV_CANCELLED, now_ms);
		return 0;
	}
	return -ENOENT;
}

/* See reserve.h. */
const struct resv *
resv_find(const struct resv_table *t, uint32_t id)
{
	size_t i;

	for (i = 0; i < RESV_MAX; i++)
		if (t->r[i].state != RESV_UNUSED && t->r[i].id == id)
			return &t->r[i];
	return NULL;
}

static const char *const resv_names[RESV_STATE_COUNT] = {
	[RESV_UNUSED] = "unused",
	[RESV_PENDING] = "pending",
	[RESV_READY] = "ready",
	[RESV_DONE] = "done",
	[RESV_EXPIRED] = "expired",
	[RESV_CANCELLED] = "cancelled",
};

/* See reserve.h. */
const char *
resv_state_str(enum resv_state state)
{
	if ((unsigned)state >= RESV_STATE_COUNT)
		return "?";
	return resv_names[state];
}
