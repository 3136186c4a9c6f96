/*
 * publish.h - where the agent's records go: xenstore (xsio.c) or a
 * virtio-serial port (vport.c), behind one small interface so agent.c does
 * not know which.
 *
 * "auto" picks the transport at the first connect attempt that finds one,
 * and keeps it: xenstore if this is a Xen guest (XENSTORED_PATH is set, or
 * /dev/xen/xenbus or /proc/xen/xenbus exists), else virtio if the port
 * exists; while neither exists (modules not loaded yet) it looks again with
 * backoff.  A Xen guest always has one of the xenbus files and a KVM guest
 * never does (the kernel creates them only under Xen).
 */
#ifndef CAGMA_AGENT_PUBLISH_H
#define CAGMA_AGENT_PUBLISH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vport.h"
#include "xsio.h"

enum agent_transport {
	AGENT_TR_AUTO = 0,	/* not chosen yet */
	AGENT_TR_XENSTORE,
	AGENT_TR_VIRTIO,
};

/* What became of one record. */
enum agent_pub_result {
	AGENT_PUB_OK = 0,	/* written */
	AGENT_PUB_REFUSED,	/* xenstored refused it (quota, EACCES):
				   connection kept, retry at the heartbeat */
	AGENT_PUB_BUSY,		/* port full or no host side: dropped,
				   the next sample's record replaces it */
	AGENT_PUB_LOST,		/* connection lost: reconnecting */
};

struct agent_pub {
	enum agent_transport want;	/* configured (AUTO allowed) */
	enum agent_transport kind;	/* in use; AUTO until chosen */
	bool auto_logged;		/* "no transport yet" said once */
	uint64_t backoff_ms;		/* auto: next look */
	uint64_t retry_at_ms;		/* auto: earliest next look */
	struct agent_xs xs;
	struct agent_vport vp;
};

/* Parse "auto", "xenstore", "virtio".  0 or -EINVAL. */
int agent_transport_parse(const char *s, enum agent_transport *out);

/* The name of a transport ("auto", "xenstore", "virtio"); static. */
const char *agent_transport_name(enum agent_transport t);

/*
 * The auto rule (pure): xenstore if have_xenbus, else virtio if have_port,
 * else AUTO (look again later).
 */
enum agent_transport agent_transport_pick(bool have_xenbus, bool have_port);

/* Initial state: nothing open, port path (trusted).  Cannot fail. */
void agent_pub_init(struct agent_pub *p, enum agent_transport want,
    const char *port);

/*
 * Connect (xenstore) or open the port, choosing the transport first if
 * "auto".  0 when up; -EAGAIN before the next attempt is due; -errno
 * (logged once per outage, retried with backoff).
 */
int agent_pub_connect(struct agent_pub *p, uint64_t now_ms);

/* True if records can be written now. */
bool agent_pub_up(const struct agent_pub *p);

/* Earliest time of the next connect attempt (while not up). */
uint64_t agent_pub_retry_at_ms(const struct agent_pub *p);

/*
 * Write one record (trusted, from record_encode; len bytes).  Returns what
 * became of it; *err_out is the errno of a failure (0 on success).
 */
enum agent_pub_result agent_pub_publish(struct agent_pub *p, const char *rec,
    size_t len, uint64_t now_ms, int *err_out);

/* Where records go, for logs: "xenstore", the port path, or "auto". */
const char *agent_pub_where(const struct agent_pub *p);

/* Close everything; nothing is removed.  Cannot fail. */
void agent_pub_close(struct agent_pub *p);

#endif
