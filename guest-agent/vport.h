/*
 * vport.h - the agent's virtio-serial port (KVM/QEMU guests): open, publish,
 * reopen.
 *
 * The record goes out as one line: the record text (printable ASCII, no
 * newline: record.h) then '\n', in one write(2).  The port may have no host
 * side connected (cagmad not running, or not yet connected to the channel's
 * socket): the port is opened O_WRONLY | O_NONBLOCK and a write that would
 * block (EAGAIN) drops the record, counted; the agent's next record
 * replaces it.  ENXIO, EPIPE, EIO, ENODEV (hot-unplug, a FIFO with no
 * reader in tests) close the port and reopen it with backoff.  The caller
 * ignores SIGPIPE (cagma-agent's main() does).  Works on any file that
 * accepts O_NONBLOCK writes (a FIFO, a pipe or socket fd in tests).
 */
#ifndef CAGMA_AGENT_VPORT_H
#define CAGMA_AGENT_VPORT_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "schema.h"

#define VPORT_DEF_PATH		"/dev/virtio-ports/org.cagma.agent.0"
#define VPORT_BACKOFF_MIN_MS	100	/* first reopen after a failure */
#define VPORT_BACKOFF_MAX_MS	5000	/* reopen interval cap */

struct agent_vport {
	char path[PATH_MAX];	/* the port (trusted, admin) */
	int fd;			/* -1 while closed */
	bool in_outage;		/* an open failure was logged */
	bool write_failing;	/* a write failure was logged */
	uint64_t backoff_ms;	/* next reopen delay */
	uint64_t retry_at_ms;	/* earliest next open attempt */
	uint32_t failures;	/* open attempts in this outage */
	uint64_t writes;	/* records written whole */
	uint64_t dropped;	/* records dropped: port full / no host */
	/* A partial write's rest: sent before any new record. */
	size_t tail_len;
	char tail[CG_RECORD_MAX_LEN + 1];
};

/*
 * Initial state: closed, open allowed at once.  path must be shorter than
 * PATH_MAX (checked by the caller's config parser); cannot fail.
 */
void agent_vport_init(struct agent_vport *v, const char *path);

/*
 * Open the port (O_WRONLY | O_NONBLOCK | O_CLOEXEC) unless open or before
 * retry_at_ms (-EAGAIN then).  On failure, logs once per outage with advice
 * (module, channel, permissions), schedules the next attempt with
 * exponential backoff and returns -errno.  0 when open.  The backoff is
 * reset by the first record written whole, not by the open, so a port
 * that opens but fails every write is retried (and logged) ever slower.
 */
int agent_vport_open(struct agent_vport *v, uint64_t now_ms);

/* True if the port is open. */
bool agent_vport_up(const struct agent_vport *v);

/*
 * Write rec (len bytes, trusted: built by record_encode, at most
 * CG_RECORD_MAX_LEN) and a '\n' as one write.  Returns 0 when the whole line
 * went out (a partial write's rest is kept and sent first next time; it
 * counts as written); -ENOTCONN if closed; -EAGAIN if the port would block
 * (no host side, or it is full): the record is dropped and counted, the
 * port stays open; any other error closes the port, schedules a reopen and
 * returns -errno.
 */
int agent_vport_publish(struct agent_vport *v, const char *rec, size_t len,
    uint64_t now_ms);

/* Close the port.  Cannot fail. */
void agent_vport_close(struct agent_vport *v);

#endif
