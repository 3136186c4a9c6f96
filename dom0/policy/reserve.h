/*
 * reserve.h - reservations of host memory for new domains (README.md,
 * "Reservations"): "free S KiB within T ms", served in FIFO order, held
 * out of the planner like the host reserve until used, cancelled or
 * expired.  Pure: no I/O, no globals; time is an argument.
 *
 * cagmad owns one table (control socket: reserve, status, release) and
 * the simulator one per run (vm_start); plan_round() calls
 * resv_update() every round and hands resv_held_kb() to the policy as
 * policy_host.resv_kb.
 */
#ifndef CAGMA_POLICY_RESERVE_H
#define CAGMA_POLICY_RESERVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "policy.h"

#define RESV_MAX		16	/* live + recently ended entries */
#define RESV_KEEP_MS		60000	/* an ended entry stays queryable */
#define RESV_TIMEOUT_MAX_MS	3600000	/* longest wait a client may ask */
#define RESV_SIZE_MAX_KB	(1ULL << 40)	/* 1 PiB: a sanity bound */

enum resv_state {
	RESV_UNUSED,		/* free slot */
	RESV_PENDING,		/* waiting for memory to be freed */
	RESV_READY,		/* the memory is free and held */
	RESV_DONE,		/* released by its owner after use */
	RESV_EXPIRED,		/* not ready by its deadline, or not used */
	RESV_CANCELLED,		/* released while still pending */
	RESV_STATE_COUNT
};

struct resv {
	uint32_t id;		/* 1.., never reused within a table */
	enum resv_state state;
	uint64_t size_kb;
	uint64_t created_ms;
	uint64_t timeout_ms;	/* as asked */
	uint64_t deadline_ms;	/* pending: ready by then; ready: used */
	uint64_t ready_ms;	/* 0: not (yet) ready */
	uint64_t end_ms;	/* done / expired / cancelled then */
	enum resv_state logged;	/* owner's scratch (cagmad: last logged) */
};

struct resv_table {
	struct resv r[RESV_MAX];	/* in id order (FIFO) over live ones */
	uint32_t next_id;
};

/* Empty table.  Cannot fail. */
void resv_init(struct resv_table *t);

/*
 * What could be freed now for a new reservation, KiB: the host's free
 * memory above its reserve, net of grows in flight (host->free_kb -
 * reserve_kb - sum of target - current), plus what each domain the
 * policy may move (pol_movable: enabled, fresh record, balloon following)
 * holds above max(its CMA as a target (cma + overhead), its floor), then
 * less what the live reservations already hold (resv_held_kb()).
 * Stuck, uncooperative and no-data domains count for nothing.  vms as
 * plan_round() fills them.  Pure.
 */
uint64_t resv_freeable_kb(const struct policy_cfg *cfg,
    const struct policy_host *host, const struct policy_vm *vms, size_t n,
    const struct resv_table *t);

/*
 * New reservation of size_kb (1 .. RESV_SIZE_MAX_KB) to be ready within
 * timeout_ms (1 .. RESV_TIMEOUT_MAX_MS) of now_ms, given freeable_kb from
 * resv_freeable_kb().  Refused with -ENOSPC when size_kb > freeable_kb
 * (nothing is freed for nothing), -EBUSY when RESV_MAX live ones exist,
 * -EINVAL on bad arguments.  Writes *id_out on success.  Trusted caller,
 * but the sizes come from a client: bounds are checked here.
 */
int resv_add(struct resv_table *t, uint64_t size_kb, uint64_t timeout_ms,
    uint64_t freeable_kb, uint64_t now_ms, uint32_t *id_out);

/*
 * One round at now_ms: reservations past their deadline expire (pending:
 * not freed in time; ready: not used in time), then pending ones become
 * ready in FIFO order while avail_kb (free memory above the reserve, net
 * of grows in flight) covers the ready ones, the earlier pending ones and
 * this one.  A pending reservation never overtakes an earlier one.  Ended
 * entries older than RESV_KEEP_MS are dropped.  Cannot fail.
 */
void resv_update(struct resv_table *t, int64_t avail_kb, uint64_t now_ms);

/* KiB held out of the planner: the sizes of pending + ready ones. */
uint64_t resv_held_kb(const struct resv_table *t);

/* KiB of the pending ones only (not yet free). */
uint64_t resv_pending_kb(const struct resv_table *t);

/*
 * The owner is done with reservation id: a ready one becomes DONE (its
 * memory returns to the planner; the caller used it), a pending one
 * CANCELLED.  0, -ENOENT (no such id) or -EALREADY (already ended).
 */
int resv_release(struct resv_table *t, uint32_t id, uint64_t now_ms);

/* The entry for id (live or recently ended), or NULL. */
const struct resv *resv_find(const struct resv_table *t, uint32_t id);

/* "pending", "ready", ... (static); "?" when out of range. */
const char *resv_state_str(enum resv_state state);

/* Whether state is pending or ready (held). */
bool resv_live(enum resv_state state);

#endif
