/*
 * domains.c - the per-domain state machine: table, record intake, balloon
 * progress and state (see domains.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "domains.h"

/*
 * Cumulative counters: must not go backwards while seq increases (the
 * optional ones only when both records carry them).
 */
static const enum cg_field_id dom_counters[] = {
	CG_F_PSWPIN, CG_F_PSWPOUT, CG_F_PGSCAN_KSWAPD, CG_F_PGMAJFAULT,
	CG_F_REFAULT, CG_F_PSI_SOME_US, CG_F_PSI_FULL_US, CG_F_OOM_KILL,
	CG_F_ALLOCSTALL, CG_F_PGSCAN_DIRECT,
};

void
dom_table_init(struct dom_table *t)
{
	memset(t, 0, sizeof(*t));
}

void
dom_table_free(struct dom_table *t)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		free(t->list[i]);
	memset(t, 0, sizeof(*t));
}

struct dom *
dom_find(struct dom_table *t, uint32_t domid)
{
	return domid < DOM_ID_MAX ? t->by_id[domid] : NULL;
}

struct dom *
dom_add(struct dom_table *t, uint32_t domid, uint64_t current_kb,
    uint64_t target_kb, uint64_t static_max_kb)
{
	struct dom *d;

	if (domid >= DOM_ID_MAX)
		return NULL;
	d = t->by_id[domid];
	if (d != NULL)
		return d;
	d = calloc(1, sizeof(*d));
	if (d == NULL)
		return NULL;
	d->domid = domid;
	d->static_max_kb = static_max_kb;
	d->vm.domid = domid;
	d->vm.current_kb = current_kb;
	d->vm.target_kb = target_kb;
	d->vm.max_kb = static_max_kb;
	d->vm.weight = 100;
	d->vm.enabled = true;
	d->vm.state = VM_NO_AGENT;
	d->gap_kb = target_kb > current_kb ? target_kb - current_kb :
	    current_kb - target_kb;
	d->rl = (struct log_ratelimit)LOG_RATELIMIT_INIT(DOM_LOG_INTERVAL_MS,
	    DOM_LOG_BURST);
	d->urgent_rl = (struct log_ratelimit)LOG_RATELIMIT_INIT(
	    DOM_URGENT_INTERVAL_MS, DOM_URGENT_BURST);
	d->list_idx = t->n;
	t->list[t->n++] = d;
	t->by_id[domid] = d;
	return d;
}

void
dom_remove(struct dom_table *t, struct dom *d)
{
	size_t i = d->list_idx;

	t->list[i] = t->list[--t->n];
	t->list[i]->list_idx = i;
	t->list[t->n] = NULL;
	t->by_id[d->domid] = NULL;
	free(d);
}

static int
dom_reject(struct dom *d, struct dom_reject *why_out, const char *what,
    int field)
{
	d->rejected++;
	d->bad = true;
	d->urgent = false;
	why_out->what = what;
	why_out->field = field;
	return -EINVAL;
}

/* Clamp guest-claimed sizes to what the domain can possibly have. */
static void
dom_clamp(const struct dom *d, struct cg_record *rec)
{
	static const enum cg_field_id kb[] = { CG_F_MEM_TOTAL, CG_F_MEM_FREE,
	    CG_F_MEM_AVAIL, CG_F_CACHED, CG_F_WMARK_LOW };
	size_t i;

	if (d->static_max_kb == 0)
		return;
	for (i = 0; i < sizeof(kb) / sizeof(kb[0]); i++)
		if (record_has(rec, kb[i]) && rec->val[kb[i]] > d->static_max_kb)
			rec->val[kb[i]] = d->static_max_kb;
}

/* A decoded or validated record: counters, clamps, prev/rec.  0/-errno. */
static int
dom_record_take(struct dom *d, const struct cg_record *in, uint64_t now_ms,
    struct dom_reject *why_out)
{
	struct cg_record rec = *in;
	bool restart = false;
	size_t i;
	uint64_t seq;

	seq = rec.val[CG_F_SEQ];
	if (d->vm.has_rec && seq == d->seq && !d->bad)
		return -EALREADY;
	/* A smaller seq means the agent restarted: no rates across it. */
	if (d->vm.has_rec && seq < d->seq)
		restart = true;
	if (d->vm.has_rec && !restart) {
		for (i = 0; i < sizeof(dom_counters) / sizeof(dom_counters[0]);
		    i++)
			if (record_has(&rec, dom_counters[i]) &&
			    record_has(&d->vm.rec, dom_counters[i]) &&
			    rec.val[dom_counters[i]] <
			    d->vm.rec.val[dom_counters[i]])
				return dom_reject(d, why_out,
				    "counter went backwards", dom_counters[i]);
	}
	dom_clamp(d, &rec);
	if (d->vm.has_rec && !restart) {
		d->vm.prev = d->vm.rec;
		d->vm.prev_ms = d->vm.rec_ms;
		d->vm.has_prev = true;
	} else {
		d->vm.has_prev = false;
	}
	d->vm.rec = rec;
	d->vm.rec_ms = now_ms;
	d->vm.has_rec = true;
	d->seq = seq;
	d->records++;
	d->bad = false;
	d->urgent = record_get(&rec, CG_F_URGENT, 0) != 0;
	return 0;
}

int
dom_record(struct dom *d, const char *untrusted, size_t len, uint64_t now_ms,
    struct dom_reject *why_out)
{
	struct record_error rerr = { RECORD_OK, -1 };
	struct cg_record rec;

	if (record_decode(untrusted, len, &rec, &rerr) != 0)
		return dom_reject(d, why_out, record_strerror(rerr.reason),
		    rerr.field);
	return dom_record_take(d, &rec, now_ms, why_out);
}

/* See domains.h. */
int
dom_record_built(struct dom *d, const struct cg_record *untrusted_rec,
    uint32_t required, uint64_t now_ms, struct dom_reject *why_out)
{
	struct record_error rerr = { RECORD_OK, -1 };
	struct cg_record rec = *untrusted_rec;
	int i;

	for (i = 0; i < CG_F_COUNT; i++)	/* absent means 0, never junk */
		if (!record_has(&rec, (enum cg_field_id)i))
			rec.val[i] = 0;
	if (record_validate(&rec, required, &rerr) != 0)
		return dom_reject(d, why_out, record_strerror(rerr.reason),
		    rerr.field);
	return dom_record_take(d, &rec, now_ms, why_out);
}

/* See domains.h. */
void
dom_set_floor(struct dom *d, uint64_t cfg_floor_kb, uint64_t safe_floor_kb)
{
	d->cfg_floor_kb = cfg_floor_kb;
	d->safe_floor_kb = safe_floor_kb;
	d->vm.floor_kb = cfg_floor_kb > safe_floor_kb ? cfg_floor_kb :
	    safe_floor_kb;
}

static uint64_t
dom_gap(uint64_t a, uint64_t b)
{
	return a > b ? a - b : b - a;
}

/*
 * The balloon's grow speed, from intervals of at least DOM_SPEED_MIN_MS
 * during which a grow was in flight from start to end (one that arrived
 * early would understate it): EWMA, 1/4 weight to the new sample.
 */
static void
dom_speed(struct dom *d, uint64_t current_kb, uint64_t now_ms)
{
	uint64_t dt = now_ms - d->speed_ms, kbps;
	bool growing = d->vm.target_kb > current_kb + DOM_ARRIVED_KB;

	if (now_ms < d->speed_ms + DOM_SPEED_MIN_MS && d->speed_ms != 0)
		return;
	if (d->speed_growing && growing && d->speed_ms != 0 &&
	    current_kb > d->speed_kb) {
		kbps = (current_kb - d->speed_kb) * 1000 / dt;
		d->vm.balloon_up_kbps = d->vm.balloon_up_kbps == 0 ? kbps :
		    (d->vm.balloon_up_kbps * 3 + kbps) / 4;
	}
	d->speed_ms = now_ms;
	d->speed_kb = current_kb;
	d->speed_growing = growing;
}

void
dom_progress(struct dom *d, uint64_t current_kb, uint64_t now_ms,
    uint64_t stuck_ms, uint64_t uncoop_ms)
{
	uint64_t gap = dom_gap(d->vm.target_kb, current_kb);
	uint64_t stalled;

	dom_speed(d, current_kb, now_ms);
	d->vm.current_kb = current_kb;
	if (gap <= DOM_ARRIVED_KB || gap + DOM_PROGRESS_KB <= d->gap_kb) {
		d->progress_ms = now_ms;
		d->gap_kb = gap;
		d->stall = DOM_STALL_NONE;
		return;
	}
	if (gap > d->gap_kb)
		d->gap_kb = gap;	/* moved away: measure from here */
	stalled = now_ms > d->progress_ms ? now_ms - d->progress_ms : 0;
	if (stalled >= uncoop_ms)
		d->stall = DOM_STALL_UNCOOP;
	else if (stalled >= stuck_ms && d->stall != DOM_STALL_UNCOOP)
		d->stall = DOM_STALL_STUCK;
}

void
dom_target_set(struct dom *d, uint64_t target_kb, uint64_t now_ms,
    enum policy_reason reason)
{
	uint64_t gap = dom_gap(target_kb, d->vm.current_kb);

	/* A new target restarts the clock unless the balloon already ignores us. */
	if (d->stall != DOM_STALL_UNCOOP || target_kb != d->vm.target_kb) {
		d->progress_ms = now_ms;
		if (d->stall == DOM_STALL_STUCK)
			d->stall = DOM_STALL_NONE;
	}
	d->gap_kb = gap;
	d->vm.target_kb = target_kb;
	d->reason = reason;
	if ((unsigned)reason < POLICY_R_COUNT)
		d->moves[reason]++;
	d->retry_ms = now_ms;
}

void
dom_update_state(struct dom *d, uint64_t now_ms, uint64_t stale_ms)
{
	struct policy_vm *vm = &d->vm;

	if (d->stall == DOM_STALL_UNCOOP)
		vm->state = VM_UNCOOPERATIVE;
	else if (d->bad)
		vm->state = VM_BAD_DATA;
	else if (!vm->has_rec)
		vm->state = VM_NO_AGENT;
	else if (now_ms > vm->rec_ms && now_ms - vm->rec_ms > stale_ms)
		vm->state = VM_STALE;
	else if (d->stall == DOM_STALL_STUCK)
		vm->state = VM_STUCK;
	else if (vm->est.pressure || vm->rec.val[CG_F_URGENT] != 0)
		vm->state = VM_STARVING;
	else
		vm->state = VM_OK;
}

static bool dom_can_serve(struct dom *d, uint64_t now_ms, bool flagged);

/* dom_intake() and dom_intake_built() after their dom_record*(). */
static enum dom_intake
dom_intake_after(struct dom *d, int rc, const struct policy_ops *ops,
    const struct policy_cfg *pcfg, uint64_t now_ms, uint64_t stale_ms)
{
	if (rc == -EINVAL) {
		dom_update_state(d, now_ms, stale_ms);
		return DOM_INTAKE_REJECTED;
	}
	if (rc != 0)
		return DOM_INTAKE_SAME;
	policy_observe(ops, pcfg, &d->vm, now_ms);
	dom_update_state(d, now_ms, stale_ms);
	/* the estimator may ask for a round now without an urgent flag */
	if (policy_act_now(&d->vm))
		d->urgent = true;
	if (d->urgent && !dom_can_serve(d, now_ms,
	    d->vm.rec.val[CG_F_URGENT] != 0)) {
		d->urgent = false;	/* nothing to give: no round for it */
		return DOM_INTAKE_NORMAL;
	}
	if (d->urgent && log_ratelimit(&d->urgent_rl, now_ms, NULL))
		return DOM_INTAKE_URGENT;
	d->urgent = false;	/* over budget: the next coalesced round */
	return DOM_INTAKE_NORMAL;
}

/* See domains.h. */
enum dom_intake
dom_intake(struct dom *d, const struct policy_ops *ops,
    const struct policy_cfg *pcfg, const char *untrusted, size_t len,
    uint64_t now_ms, uint64_t stale_ms, struct dom_reject *why_out)
{
	int rc = dom_record(d, untrusted, len, now_ms, why_out);

	return dom_intake_after(d, rc, ops, pcfg, now_ms, stale_ms);
}

/* See domains.h. */
enum dom_intake
dom_intake_built(struct dom *d, const struct policy_ops *ops,
    const struct policy_cfg *pcfg, const struct cg_record *untrusted_rec,
    uint32_t required, uint64_t now_ms, uint64_t stale_ms,
    struct dom_reject *why_out)
{
	int rc = dom_record_built(d, untrusted_rec, required, now_ms, why_out);

	return dom_intake_after(d, rc, ops, pcfg, now_ms, stale_ms);
}

/*
 * Whether an emergency round could give d anything: not at its max, and
 * its last emergency round did not come back empty just now.  Counted as
 * unmet only when the guest flagged the record urgent (not for the
 * estimator's act-now alone).
 */
static bool
dom_can_serve(struct dom *d, uint64_t now_ms, bool flagged)
{
	if (d->vm.target_kb >= d->vm.max_kb) {
		if (flagged) {
			d->unmet++;
			d->unmet_ms = now_ms;
			d->at_max = true;
		}
		return false;
	}
	d->at_max = false;
	if (d->unmet_ms != 0 && now_ms >= d->unmet_ms &&
	    now_ms - d->unmet_ms < d->unmet_backoff_ms) {
		if (flagged)
			d->unmet++;
		return false;
	}
	return true;
}

/* See domains.h. */
void
dom_emergency_done(struct dom *d, bool granted, uint64_t now_ms)
{
	if (granted) {
		d->unmet_ms = 0;
		d->unmet_backoff_ms = 0;
		return;
	}
	/* an act-now round (no urgent flag) that found nothing: no back-off */
	if (d->vm.rec.val[CG_F_URGENT] == 0)
		return;
	d->unmet++;
	d->unmet_ms = now_ms ? now_ms : 1;
	/* nothing changed since the last one either: wait twice as long */
	d->unmet_backoff_ms = d->unmet_backoff_ms == 0 ? DOM_UNMET_BACKOFF_MS :
	    d->unmet_backoff_ms * 2 > DOM_UNMET_BACKOFF_MAX_MS ?
	    DOM_UNMET_BACKOFF_MAX_MS : d->unmet_backoff_ms * 2;
}

/* See domains.h. */
void
dom_reject_why(struct dom *d, const char *what, uint64_t now_ms,
    uint64_t stale_ms, struct dom_reject *why_out)
{
	(void)dom_reject(d, why_out, what, -1);
	dom_update_state(d, now_ms, stale_ms);
}

/* See domains.h. */
void
dom_reject_oversize(struct dom *d, uint64_t now_ms, uint64_t stale_ms,
    struct dom_reject *why_out)
{
	(void)dom_reject(d, why_out, "record too long", -1);
	dom_update_state(d, now_ms, stale_ms);
}

/* See domains.h. */
bool
dom_target_ok(const struct dom *d, uint64_t target_kb)
{
	uint64_t low = d->vm.floor_kb < d->vm.current_kb ? d->vm.floor_kb :
	    d->vm.current_kb;

	return d->vm.enabled && target_kb <= d->vm.max_kb &&
	    target_kb >= low && target_kb > 0;
}

/* See domains.h. */
bool
dom_retry_due(struct dom *d, uint64_t now_ms, uint64_t retry_ms)
{
	if (d->stall != DOM_STALL_UNCOOP ||
	    (now_ms > d->retry_ms ? now_ms - d->retry_ms : 0) < retry_ms)
		return false;
	d->retry_ms = now_ms;
	return true;
}
