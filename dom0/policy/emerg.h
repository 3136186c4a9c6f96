/*
 * emerg.h - the emergency path's queue and host-wide budget, pure: which
 * domains the next emergency round serves and when it may run.  cagmad
 * (dom0/daemon.c) and cagma-sim (bench/sim/sim.c) both run it.
 *
 * An accepted urgent record (within its domain's own budget, dom_intake())
 * queues its domain once: a flag in struct dom plus a FIFO of domids, O(1)
 * per record however often the guest writes.  After a drained batch of
 * watch events the caller runs at most ONE emergency round, for every
 * queued domain at once, and only while the host-wide token bucket has a
 * token (EMERG_BURST, then one per EMERG_INTERVAL_MS).  What arrives while
 * the bucket is empty stays queued and is served by the next round, as soon
 * as a token is there (emerg_timeout_ms() is the timer for it).
 *
 * Fairness by construction: a queued domain is served by the very next
 * emergency round whatever the others write, because a round takes the
 * whole queue and a flooder occupies one slot of it, not one round per
 * record.  So a quiet guest's emergency waits at most one token interval
 * (EMERG_INTERVAL_MS) plus one round behind any number of noisy guests.
 */
#ifndef CAGMA_POLICY_EMERG_H
#define CAGMA_POLICY_EMERG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "domains.h"
#include "sched.h"

#define EMERG_INTERVAL_MS	2	/* host-wide: 1 emergency round per 2 ms */
#define EMERG_BURST		5	/* rounds back to back after a calm spell */

struct emerg {
	/* FIFO of queued domids: ids[(head + i) % cap], i < n */
	uint32_t *ids;
	size_t cap;
	size_t head;
	size_t n;
	/* token bucket: rounds it may run now, refilled since last_ms */
	uint32_t tokens;
	uint64_t last_ms;
	bool primed;			/* tokens set up (at the first use) */
	uint64_t rounds;		/* emergency rounds granted */
	uint64_t served;		/* domains those rounds served */
	uint64_t deferred;		/* takes refused: no token yet */
};

/*
 * Start empty with a full bucket.  ids: caller-owned room for cap domids
 * (cagmad: DOM_ID_MAX; the simulator: its number of guests).
 */
void emerg_init(struct emerg *e, uint32_t *ids, size_t cap);

/*
 * Queue d for the next emergency round unless it already is (its
 * emerg_queued flag).  O(1).  Returns false only when the FIFO is full
 * (stale entries of removed domains fill it): the caller then plans d in
 * the next coalesced round instead.
 */
bool emerg_push(struct emerg *e, struct dom *d);

/*
 * What cagmad and the simulator do with dom_intake()'s verdict on a record
 * of d: URGENT queues d (emerg_push(); a full FIFO asks s for a coalesced
 * round), NORMAL asks s for a coalesced round, the others nothing.
 * Returns true if the record was accepted (URGENT or NORMAL).
 */
bool emerg_intake(struct emerg *e, struct sched *s, struct dom *d,
    enum dom_intake verdict);

/* Domains queued (an upper bound: stale entries are skipped later). */
size_t emerg_pending(const struct emerg *e);

/* Whether an emergency round may run at now_ms: queued and a token. */
bool emerg_due(const struct emerg *e, uint64_t now_ms);

/*
 * If emerg_due(): spend one token and empty the queue into out[0..max)
 * (FIFO order, each queued domain of t once; entries of domains removed
 * from t since are dropped), clearing each one's emerg_queued and urgent
 * flags.  Returns how many domids it wrote (0: no round now; a queue
 * longer than max keeps the rest for the next round).
 */
size_t emerg_take(struct emerg *e, struct dom_table *t, uint64_t now_ms,
    uint32_t *out, size_t max);

/*
 * Milliseconds until an emergency round is due (0 = now), or UINT64_MAX
 * when nothing is queued.  For the event loop's timer.
 */
uint64_t emerg_timeout_ms(const struct emerg *e, uint64_t now_ms);

#endif
