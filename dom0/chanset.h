/*
 * chanset.h - all the agent channels of a host behind one epoll fd, served
 * fairly.
 *
 * The libvirt backend embeds one struct chan_slot per domain with a
 * channel, adds it here, polls chanset_fd() for POLLIN in its loop and
 * calls chanset_service() when that fd is readable or chanset_next_ms()
 * has come.  One call serves each ready channel once (chan_service: at
 * most one read of one buffer, at most CHAN_LINES_BURST lines), up to
 * CHANSET_BATCH ready channels, then every channel whose timer is due
 * (reconnect, token refill); so a flooding guest costs one bounded call
 * and cannot delay the others.  A throttled or disconnected channel is
 * not in the epoll set (so its hang-up cannot wake the loop); it comes
 * back through its timer.  No allocation; the caller owns the slots.
 */
#ifndef CAGMA_DOM0_CHANSET_H
#define CAGMA_DOM0_CHANSET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "chan.h"

#define CHANSET_BATCH	64	/* ready channels served per call */

struct chan_slot {
	struct chan ch;
	struct chan_sink sink;		/* where this channel's lines go */
	/* chanset's own */
	bool armed;			/* ch.fd is in the epoll set */
	short armed_events;
	uint64_t armed_gen;		/* ch.fd_gen when armed */
	uint64_t served_round;		/* last chanset round it was served */
	struct chan_slot *prev, *next;
};

struct chanset {
	int epfd;
	struct chan_slot *head;
	size_t n;
	uint64_t round;
};

/* epoll_create1.  0 or -errno. */
int chanset_init(struct chanset *s);

/* The fd to poll for POLLIN in the caller's loop. */
int chanset_fd(const struct chanset *s);

/*
 * Add a slot: chan_init(&slot->ch, path, now_ms) (path trusted: from the
 * domain XML), lines to *sink.  It connects at the next chanset_service().
 * 0, or chan_init's -errno.  Not from inside a sink callback.
 */
int chanset_add(struct chanset *s, struct chan_slot *slot, const char *path,
    const struct chan_sink *sink, uint64_t now_ms);

/* Remove and close a slot (its domain is gone).  Not from a sink. */
void chanset_del(struct chanset *s, struct chan_slot *slot);

/* Earliest chanset_service() due without fd events; UINT64_MAX: none. */
uint64_t chanset_next_ms(const struct chanset *s, uint64_t now_ms);

/*
 * Serve what is ready or due at now_ms (see above).  Returns the number of
 * lines and over-long lines delivered, or -errno if epoll_wait failed.
 */
int chanset_service(struct chanset *s, uint64_t now_ms);

/* Remove every slot and close the epoll fd.  Cannot fail. */
void chanset_fini(struct chanset *s);

#endif
