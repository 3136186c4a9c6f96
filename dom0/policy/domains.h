/*
 * domains.h - the per-domain state machine of cagmad and cagma-sim: the
 * domain table, record intake (decode, monotonic counters, the urgent
 * budget, the estimator), balloon progress (stuck / uncooperative) and
 * the state every policy sees.
 *
 * Everything here is free of I/O: callers pass the record bytes they read
 * and the current time, so cagmad, the simulator and the unit tests run
 * the same code with real, simulated or fake data.
 */
#ifndef CAGMA_DOM0_DOMAINS_H
#define CAGMA_DOM0_DOMAINS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "log.h"
#include "policy.h"
#include "record.h"

#define DOM_ID_MAX		0x7ff0	/* DOMID_FIRST_RESERVED */
#define DOM_NAME_MAX		64
#define DOM_ARRIVED_KB		1024	/* |target - current| this close: done */
#define DOM_PROGRESS_KB		256	/* smaller moves are not progress */
#define DOM_LOG_INTERVAL_MS	10000	/* guest-caused log lines: 1 per 10 s */
#define DOM_LOG_BURST		3
#define DOM_URGENT_INTERVAL_MS	5	/* emergencies: 200/s per domain */
#define DOM_URGENT_BURST	100
#define DOM_STUCK_DEF_MS	5000	/* no progress this long: stuck */
#define DOM_UNCOOP_DEF_MS	20000	/* ... uncooperative */
#define DOM_RETRY_DEF_MS	60000	/* uncooperative: target sent again */
#define DOM_SPEED_MIN_MS	500	/* balloon speed: sample interval */
#define DOM_UNMET_BACKOFF_MS	1000	/* an emergency that got nothing:
					   no emergency round for this long, */
#define DOM_UNMET_BACKOFF_MAX_MS 32000	/* doubled after each one, to this */

enum dom_stall {
	DOM_STALL_NONE,
	DOM_STALL_STUCK,	/* no progress for cfg stuck_ms */
	DOM_STALL_UNCOOP,	/* no progress for cfg uncoop_ms */
};

struct dom {
	uint32_t domid;
	size_t list_idx;		/* position in dom_table.list */
	char name[DOM_NAME_MAX];	/* toolstack-written, escaped */
	uint64_t static_max_kb;		/* trusted: memory/static-max */
	uint64_t cfg_floor_kb;		/* configured floor (dom_set_floor) */
	uint64_t safe_floor_kb;		/* backend's safety floor, 0: none */
	bool seen;			/* still listed in the last rescan */
	uint64_t added_ms;		/* appeared then (owner-set; 0: there
					   when the owner started) */
	const void *ops;		/* per-domain policy (policy_ops) */
	struct policy_vm vm;
	/* records */
	uint64_t seq;
	uint64_t records;		/* accepted */
	uint64_t rejected;
	bool bad;			/* last record rejected */
	/* cagmad's read queue (dom0/readq.h), owned by it */
	struct dom *rq_prev, *rq_next;
	int rq_class;			/* enum readq_class */
	bool urgent;			/* accepted urgent record, not handled */
	bool emerg_queued;		/* in the emergency queue (emerg.h) */
	bool emerg_mark;		/* plan_round() scratch, false between */
	/* balloon progress */
	uint64_t progress_ms;		/* last movement toward the target */
	uint64_t gap_kb;		/* |target - current| at that time */
	uint64_t speed_ms;		/* last balloon speed sample */
	uint64_t speed_kb;		/* current at that time */
	bool speed_growing;		/* a grow was in flight then */
	uint64_t retry_ms;		/* last time the target was re-sent */
	uint64_t dry_kb;		/* --dry-run: last target logged */
	struct log_ratelimit urgent_rl;	/* urgent records that may queue it */
	uint64_t unmet;			/* emergencies nothing could serve */
	uint64_t unmet_ms;		/* the last one (0: none) */
	uint64_t unmet_backoff_ms;	/* no emergency round that long after */
	bool at_max;			/* the last one found it at its max */
	bool emerg_granted;		/* plan_round() scratch */
	enum dom_stall stall;
	enum policy_reason reason;	/* last target change */
	uint64_t moves[POLICY_R_COUNT];	/* target changes by reason */
	struct log_ratelimit rl;
};

struct dom_table {
	struct dom *by_id[DOM_ID_MAX];
	struct dom *list[DOM_ID_MAX];
	size_t n;
};

/* Why a record was refused (for the rate-limited log line). */
struct dom_reject {
	const char *what;		/* static text */
	int field;			/* CG_F_* or -1 */
};

/* Zero the table.  Cannot fail. */
void dom_table_init(struct dom_table *t);

/* Free every entry.  Cannot fail. */
void dom_table_free(struct dom_table *t);

/* Entry for domid (< DOM_ID_MAX), or NULL. */
struct dom *dom_find(struct dom_table *t, uint32_t domid);

/*
 * Add domid with its trusted facts (KiB); the state starts NO_AGENT.
 * Returns the entry (existing or new), or NULL on -ENOMEM / bad domid.
 */
struct dom *dom_add(struct dom_table *t, uint32_t domid, uint64_t current_kb,
    uint64_t target_kb, uint64_t static_max_kb);

/* Drop one entry (O(1)).  Cannot fail. */
void dom_remove(struct dom_table *t, struct dom *d);

/*
 * Take one untrusted record of len bytes that arrived at now_ms.
 * Returns 0 if accepted (vm.rec updated, vm.prev = the one before when its
 * rates are meaningful), -EALREADY for a repeat of the current seq (ignored,
 * not counted), or -EINVAL if rejected: *why_out says why, the domain is
 * marked bad-data and keeps its target.  KiB fields are clamped to the
 * domain's static max.  O(len).
 */
int dom_record(struct dom *d, const char *untrusted, size_t len,
    uint64_t now_ms, struct dom_reject *why_out);

/*
 * The same for a record another source built (the libvirt backend's
 * balloon statistics): still guest-claimed, so it is checked with
 * record_validate(rec, required) instead of decoded; absent fields are
 * zeroed, never kept.  Same returns as dom_record().  O(CG_F_COUNT).
 */
int dom_record_built(struct dom *d, const struct cg_record *untrusted_rec,
    uint32_t required, uint64_t now_ms, struct dom_reject *why_out);

/*
 * The floor the policies see (vm.floor_kb): the larger of the configured
 * floor and a backend's safety floor (libvirt: what the guest's own
 * statistics say it uses, lvrec_safe_floor_kb()), both KiB.  Cannot fail.
 */
void dom_set_floor(struct dom *d, uint64_t cfg_floor_kb,
    uint64_t safe_floor_kb);

/*
 * dom0 fact: the balloon's current allocation (KiB) at now_ms.  Updates the
 * progress clock and the stall state: no movement toward the target for
 * stuck_ms -> STUCK, uncoop_ms -> UNCOOP; movement or arrival clears it.
 */
void dom_progress(struct dom *d, uint64_t current_kb, uint64_t now_ms,
    uint64_t stuck_ms, uint64_t uncoop_ms);

/* A new target (KiB) was written at now_ms; restarts the progress clock. */
void dom_target_set(struct dom *d, uint64_t target_kb, uint64_t now_ms,
    enum policy_reason reason);

/*
 * Recompute vm.state from the flags, record age (stale_ms) and stall.
 * Order: uncooperative, bad-data, stale, no-agent, stuck, starving, ok.
 */
void dom_update_state(struct dom *d, uint64_t now_ms, uint64_t stale_ms);

/* What dom_intake() made of a record. */
enum dom_intake {
	DOM_INTAKE_SAME,	/* repeat of the current seq: ignored */
	DOM_INTAKE_REJECTED,	/* refused: *why_out says why */
	DOM_INTAKE_NORMAL,	/* accepted: plan in the next coalesced round */
	DOM_INTAKE_URGENT,	/* accepted and urgent, within the budget */
};

/*
 * The whole intake of one untrusted record of len bytes that arrived at
 * now_ms, as cagmad and the simulator both run it: dom_record(), then the
 * estimator (ops->observe through policy_observe(), pcfg its settings),
 * the state (stale after stale_ms), and the emergency decision: an urgent
 * record or the estimator's act-now, within the domain's urgent budget
 * (DOM_URGENT_BURST, then one per DOM_URGENT_INTERVAL_MS).  An urgent
 * record over the budget counts as NORMAL, and so does one that cannot be
 * served: the domain's target is already its max, or its last emergency
 * round got it nothing less than its back-off ago (DOM_UNMET_BACKOFF_MS,
 * doubled by each further round that got nothing up to
 * DOM_UNMET_BACKOFF_MAX_MS, cleared by one that serves it; both counted
 * in d->unmet, shown by cagmactl status).  The periodic round still plans
 * it first as an emergency (the planner's own rule), so memory that
 * frees up reaches it within one period whatever the back-off.  O(len).
 */
enum dom_intake dom_intake(struct dom *d, const struct policy_ops *ops,
    const struct policy_cfg *pcfg, const char *untrusted, size_t len,
    uint64_t now_ms, uint64_t stale_ms, struct dom_reject *why_out);

/*
 * dom_intake() for a record another source built (dom_record_built()).
 */
enum dom_intake dom_intake_built(struct dom *d, const struct policy_ops *ops,
    const struct policy_cfg *pcfg, const struct cg_record *untrusted_rec,
    uint32_t required, uint64_t now_ms, uint64_t stale_ms,
    struct dom_reject *why_out);

/*
 * An emergency round for d ended at now_ms: granted says whether it got
 * a larger target (or memory is being reclaimed for it).  One that got
 * nothing for a record the guest flagged urgent is counted and backs off.
 */
void dom_emergency_done(struct dom *d, bool granted, uint64_t now_ms);

/*
 * A record was longer than CG_RECORD_MAX_LEN (the reader truncated it):
 * reject it like a malformed one.  Cannot fail.
 */
void dom_reject_oversize(struct dom *d, uint64_t now_ms, uint64_t stale_ms,
    struct dom_reject *why_out);

/*
 * A record another source could not even build (what: static text, e.g.
 * "inconsistent balloon statistics"): reject it like a malformed one.
 */
void dom_reject_why(struct dom *d, const char *what, uint64_t now_ms,
    uint64_t stale_ms, struct dom_reject *why_out);

/*
 * The last check of a target before it reaches the balloon (the policy is
 * not trusted blindly): enabled domain, 0 < target <= max, and not below
 * the floor unless the domain already is.  Pure.
 */
bool dom_target_ok(const struct dom *d, uint64_t target_kb);

/*
 * Uncooperative domains get their target again every retry_ms: true (and
 * the retry clock restarted) when one is due at now_ms.
 */
bool dom_retry_due(struct dom *d, uint64_t now_ms, uint64_t retry_ms);

#endif
