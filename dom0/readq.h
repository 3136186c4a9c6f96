/*
 * readq.h - the domains whose record changed and is not read yet, in the
 * order cagmad reads them.
 *
 * A watch event queues its domain once (a guest that writes a thousand
 * times between two reads costs one entry and one read).  Two FIFOs:
 * a domain joins the "quiet" one at its first event, and moves to the
 * back of the "noisy" one if it writes again before cagmad has read it.
 * readq_pop() serves every quiet domain before any noisy one.  So a guest
 * that posts one record and waits for the answer (an agent in trouble,
 * every agent's heartbeat) is read ahead of guests that write faster
 * than cagmad reads, however many of those there are; the noisy ones
 * share what is left, in arrival order, each read at most once per turn.
 * When cagmad keeps up, every domain is read after each write and stays
 * quiet, so the order is plain arrival order.  The quiet queue is bounded
 * by the guests' own pacing: a domain is quiet at most once per read.
 *
 * Intrusive doubly linked lists through struct dom: push, move, pop and
 * remove are O(1), a removed domain leaves nothing behind, no allocation.
 * Pure: no I/O.
 */
#ifndef CAGMA_DOM0_READQ_H
#define CAGMA_DOM0_READQ_H

#include <stdbool.h>
#include <stddef.h>

#include "domains.h"

enum readq_class {
	READQ_NONE = 0,		/* not queued */
	READQ_QUIET,		/* one event since its last read */
	READQ_NOISY,		/* wrote again before it was read */
};

struct readq_list {
	struct dom *head, *tail;
	size_t n;
};

struct readq {
	struct readq_list quiet, noisy;
	uint64_t noisy_moves;		/* domains moved to the noisy queue */
};

void readq_init(struct readq *q);

/* Domains queued, both queues. */
size_t readq_len(const struct readq *q);

/* Whether d waits to be read. */
bool readq_has(const struct dom *d);

/*
 * A watch event for d: queue it (quiet) if it is not queued, or move it
 * from the quiet queue to the back of the noisy one.  O(1).
 */
void readq_note(struct readq *q, struct dom *d);

/* The next domain to read (quiet first, each FIFO), unqueued; or NULL. */
struct dom *readq_pop(struct readq *q);

/* Take d out if it is queued (its domain is gone). */
void readq_remove(struct readq *q, struct dom *d);

/* Unqueue every domain (the events died with a lost link). */
void readq_clear(struct readq *q);

#endif
