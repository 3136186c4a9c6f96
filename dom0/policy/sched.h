/*
 * sched.h - when to plan: coalesced record-driven rounds, the periodic round,
 * the order in which an emergency applies its targets, and the pacing of
 * xenstore reconnect attempts.  Pure: time is an argument.
 */
#ifndef CAGMA_DOM0_SCHED_H
#define CAGMA_DOM0_SCHED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "policy.h"

#define SCHED_PERIOD_DEF_MS	1000	/* periodic round, default */
#define SCHED_COALESCE_DEF_MS	100	/* record-driven rounds: min gap */

struct sched {
	uint64_t period_ms;	/* periodic round */
	uint64_t coalesce_ms;	/* min gap between record-driven rounds */
	uint64_t last_ms;	/* last round */
	bool pending;		/* records arrived since the last round */
	bool primed;		/* a round has run */
};

/* Start with no round done: the first call to sched_due() is true. */
void sched_init(struct sched *s, uint64_t period_ms, uint64_t coalesce_ms);

/* A normal record was accepted: ask for a coalesced round. */
void sched_note_record(struct sched *s);

/* Whether a round should run at now_ms. */
bool sched_due(const struct sched *s, uint64_t now_ms);

/* A round ran at now_ms (normal or emergency). */
void sched_done(struct sched *s, uint64_t now_ms);

/* Milliseconds until the next round is due (0 = now), for the timer. */
uint64_t sched_timeout_ms(const struct sched *s, uint64_t now_ms);

/*
 * Reconnect pacing: the first attempt SCHED_BACKOFF_MIN_MS after the loss,
 * then the wait doubles after each failure up to SCHED_BACKOFF_MAX_MS.
 */
#define SCHED_BACKOFF_MIN_MS	100	/* first retry delay, ms */
#define SCHED_BACKOFF_MAX_MS	5000	/* retry delay cap, ms */

struct sched_backoff {
	uint64_t delay_ms;	/* wait before the next attempt */
	uint64_t next_ms;	/* next attempt is due then */
	uint64_t since_ms;	/* link lost then */
	unsigned attempts;	/* failed attempts since the loss */
};

/* The link was lost at now_ms: first attempt after the minimum delay. */
void sched_backoff_start(struct sched_backoff *b, uint64_t now_ms);

/* The attempt at now_ms failed: double the delay (capped) and wait. */
void sched_backoff_fail(struct sched_backoff *b, uint64_t now_ms);

/* Whether an attempt is due at now_ms. */
bool sched_backoff_due(const struct sched_backoff *b, uint64_t now_ms);

/* Milliseconds until the next attempt (0 = now), for the timer. */
uint64_t sched_backoff_timeout_ms(const struct sched_backoff *b,
    uint64_t now_ms);

/* One planner target and what the emergency order needs to know of it. */
struct sched_etarget {
	struct vm_target t;
	uint64_t from_kb;	/* the domain's target in force, KiB */
	bool urgent;		/* the domain is served by this emergency round */
};

/*
 * Order the planner's targets e[0..n) (donors first, as policy_decide()
 * emits them) for one emergency round over a set of urgent domains, into
 * out[0..n).  Stable, in four groups: first the urgent targets the host's
 * free memory above the reserve (host_avail_kb, already net of in-flight
 * grows) covers, taken in e's order while what is left covers each grow
 * (a shrink costs nothing); then the leading shrinks of the other domains
 * (the donors); then the remaining urgent grows; then the other domains'
 * remaining shrinks.  The other domains' grows are left out: an emergency
 * round reads the balloons of its urgent domains only, so what growing
 * another one costs is not known (its current may have fallen since); the
 * next full round grants them.  With one urgent domain and no other grows
 * this is the order of a single emergency.  O(n).  Returns how many
 * targets it wrote to out.
 */
size_t sched_order_emergency(const struct sched_etarget *e, size_t n,
    uint64_t host_avail_kb, struct vm_target *out);

#endif
