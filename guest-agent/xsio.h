/*
 * xsio.h - the agent's xenstore connection: open, publish, reconnect.
 *
 * The only agent file that includes <xenstore.h>.  Writes only the two
 * relative keys of the schema (data/cagma/stats, data/cagma/version), each
 * with one xs_write; never reads or writes anything else.
 */
#ifndef CAGMA_AGENT_XSIO_H
#define CAGMA_AGENT_XSIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define AXS_BACKOFF_MIN_MS	100	/* first retry after a failure */
#define AXS_BACKOFF_MAX_MS	5000	/* retry interval cap */

struct xs_handle;

struct agent_xs {
	struct xs_handle *h;	/* NULL while disconnected */
	bool in_outage;		/* a failure was logged; log the recovery */
	uint64_t backoff_ms;	/* next retry delay */
	uint64_t retry_at_ms;	/* earliest next connect attempt */
	uint32_t failures;	/* connect attempts in this outage */
	uint64_t writes;	/* successful record writes */
};

/* Initial state: disconnected, connect allowed at once.  Cannot fail. */
void agent_xs_init(struct agent_xs *x);

/*
 * Connect (xs_open(0)) and write data/cagma/version.  On failure, logs once
 * per outage with advice for the admin, schedules the next attempt with
 * exponential backoff (AXS_BACKOFF_MIN_MS doubling to AXS_BACKOFF_MAX_MS)
 * and returns -errno.  Returns 0 when connected.
 */
int agent_xs_connect(struct agent_xs *x, uint64_t now_ms);

/* True if connected. */
bool agent_xs_up(const struct agent_xs *x);

/*
 * Write rec (len bytes, trusted: built by record_encode) to
 * data/cagma/stats with one xs_write.  Returns 0; -ENOTCONN if
 * disconnected; on a lost connection closes it, schedules a reconnect and
 * returns -errno; on a refusal by xenstored (EACCES, E2BIG, quota) keeps the
 * connection and returns -errno (the caller logs, rate limited).
 */
int agent_xs_publish(struct agent_xs *x, const char *rec, size_t len,
    uint64_t now_ms);

/* Close the connection; nothing is removed from xenstore.  Cannot fail. */
void agent_xs_close(struct agent_xs *x);

#endif
