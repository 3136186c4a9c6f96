/*
 * xsio.c - the agent's xenstore connection (xsio.h).
 *
 * libxenstore, linked dynamically; xs_open(0) uses /dev/xen/xenbus in a
 * guest (or the socket named by XENSTORED_PATH in tests).
 */
#include <errno.h>
#include <string.h>
#include <xenstore.h>

#include "log.h"
#include "schema.h"
#include "xsio.h"

void
agent_xs_init(struct agent_xs *x)
{
	memset(x, 0, sizeof(*x));
	x->backoff_ms = AXS_BACKOFF_MIN_MS;
}

bool
agent_xs_up(const struct agent_xs *x)
{
	return x->h != NULL;
}

/* Drop the handle and schedule the next connect attempt. */
static void
agent_xs_fail(struct agent_xs *x, uint64_t now_ms)
{
	if (x->h != NULL) {
		xs_close(x->h);
		x->h = NULL;
	}
	x->failures++;
	x->retry_at_ms = now_ms + x->backoff_ms;
	x->backoff_ms *= 2;
	if (x->backoff_ms > AXS_BACKOFF_MAX_MS)
		x->backoff_ms = AXS_BACKOFF_MAX_MS;
}

static void
agent_xs_log_open_failure(void)
{
	if (errno == ENOENT || errno == ENXIO || errno == ENODEV)
		log_warn("cannot open xenbus: is this a Xen guest? is "
		    "xen_evtchn/xenfs loaded (/dev/xen/xenbus)?");
	else if (errno == EACCES || errno == EPERM)
		log_warn("cannot open xenbus: permission denied (run as "
		    "root, or allow /dev/xen/xenbus)");
	else
		log_warn("cannot open xenbus");
}

int
agent_xs_connect(struct agent_xs *x, uint64_t now_ms)
{
	int rc;

	if (x->h != NULL)
		return 0;
	if (now_ms < x->retry_at_ms)
		return -EAGAIN;
	x->h = xs_open(0);
	if (x->h == NULL) {
		rc = errno != 0 ? -errno : -EIO;
		if (!x->in_outage)
			agent_xs_log_open_failure();
		goto fail;
	}
	if (!xs_write(x->h, XBT_NULL, CG_PATH_VERSION, CG_SCHEMA_VERSION,
	    sizeof(CG_SCHEMA_VERSION) - 1)) {
		rc = errno != 0 ? -errno : -EIO;
		if (!x->in_outage)
			log_warn("cannot write %s", CG_PATH_VERSION);
		goto fail;
	}
	if (x->in_outage)
		log_info("xenstore connection restored after %u attempts",
		    x->failures);
	x->in_outage = false;
	x->failures = 0;
	x->backoff_ms = AXS_BACKOFF_MIN_MS;
	return 0;
fail:
	x->in_outage = true;
	agent_xs_fail(x, now_ms);
	return rc;
}

/* Errors after which the connection is still usable. */
static bool
agent_xs_refusal(int err)
{
	return err == EACCES || err == EPERM || err == E2BIG ||
	    err == EINVAL || err == ENOSPC || err == EDQUOT ||
	    err == EAGAIN || err == EBUSY;
}

int
agent_xs_publish(struct agent_xs *x, const char *rec, size_t len,
    uint64_t now_ms)
{
	int err;

	if (x->h == NULL)
		return -ENOTCONN;
	if (xs_write(x->h, XBT_NULL, CG_PATH_STATS, rec, (unsigned)len)) {
		x->writes++;
		return 0;
	}
	err = errno != 0 ? errno : EIO;
	if (agent_xs_refusal(err))
		return -err;
	errno = err;
	log_warn("xenstore write failed, connection lost; reconnecting "
	    "with backoff");
	x->in_outage = true;
	agent_xs_fail(x, now_ms);
	return -err;
}

void
agent_xs_close(struct agent_xs *x)
{
	if (x->h != NULL)
		xs_close(x->h);
	x->h = NULL;
}
