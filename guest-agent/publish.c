/*
 * publish.c - the agent's record transport (publish.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "publish.h"

#define PUB_AUTO_BACKOFF_MIN_MS	100
#define PUB_AUTO_BACKOFF_MAX_MS	5000

static const char *const pub_names[] = {
	[AGENT_TR_AUTO] = "auto",
	[AGENT_TR_XENSTORE] = "xenstore",
	[AGENT_TR_VIRTIO] = "virtio",
};

int
agent_transport_parse(const char *s, enum agent_transport *out)
{
	size_t i;

	for (i = 0; i < sizeof(pub_names) / sizeof(pub_names[0]); i++) {
		if (strcmp(s, pub_names[i]) == 0) {
			*out = (enum agent_transport)i;
			return 0;
		}
	}
	return -EINVAL;
}

const char *
agent_transport_name(enum agent_transport t)
{
	if ((size_t)t >= sizeof(pub_names) / sizeof(pub_names[0]))
		return "?";
	return pub_names[t];
}

enum agent_transport
agent_transport_pick(bool have_xenbus, bool have_port)
{
	if (have_xenbus)
		return AGENT_TR_XENSTORE;
	if (have_port)
		return AGENT_TR_VIRTIO;
	return AGENT_TR_AUTO;
}

void
agent_pub_init(struct agent_pub *p, enum agent_transport want,
    const char *port)
{
	memset(p, 0, sizeof(*p));
	p->want = want;
	p->kind = want;
	p->backoff_ms = PUB_AUTO_BACKOFF_MIN_MS;
	agent_xs_init(&p->xs);
	agent_vport_init(&p->vp, port);
}

/* What this guest has, for the auto rule. */
static bool
agent_pub_have_xenbus(void)
{
	const char *env = getenv("XENSTORED_PATH");

	return (env != NULL && env[0] != '\0') ||
	    access("/dev/xen/xenbus", F_OK) == 0 ||
	    access("/proc/xen/xenbus", F_OK) == 0;
}

/* auto: choose now if possible.  0, or -EAGAIN to look again later. */
static int
agent_pub_choose(struct agent_pub *p, uint64_t now_ms)
{
	if (now_ms < p->retry_at_ms)
		return -EAGAIN;
	p->kind = agent_transport_pick(agent_pub_have_xenbus(),
	    access(p->vp.path, F_OK) == 0);
	if (p->kind != AGENT_TR_AUTO) {
		log_info("transport: %s (auto)", agent_pub_where(p));
		return 0;
	}
	if (!p->auto_logged)
		log_warnx("no transport yet: neither /dev/xen/xenbus (Xen) "
		    "nor %s (KVM: virtio_console and the channel) exists; "
		    "looking again with backoff", p->vp.path);
	p->auto_logged = true;
	p->retry_at_ms = now_ms + p->backoff_ms;
	p->backoff_ms *= 2;
	if (p->backoff_ms > PUB_AUTO_BACKOFF_MAX_MS)
		p->backoff_ms = PUB_AUTO_BACKOFF_MAX_MS;
	return -EAGAIN;
}

int
agent_pub_connect(struct agent_pub *p, uint64_t now_ms)
{
	int rc;

	if (p->kind == AGENT_TR_AUTO) {
		rc = agent_pub_choose(p, now_ms);
		if (rc != 0)
			return rc;
	}
	if (p->kind == AGENT_TR_VIRTIO)
		return agent_vport_open(&p->vp, now_ms);
	return agent_xs_connect(&p->xs, now_ms);
}

bool
agent_pub_up(const struct agent_pub *p)
{
	if (p->kind == AGENT_TR_VIRTIO)
		return agent_vport_up(&p->vp);
	if (p->kind == AGENT_TR_XENSTORE)
		return agent_xs_up(&p->xs);
	return false;
}

uint64_t
agent_pub_retry_at_ms(const struct agent_pub *p)
{
	if (p->kind == AGENT_TR_VIRTIO)
		return p->vp.retry_at_ms;
	if (p->kind == AGENT_TR_XENSTORE)
		return p->xs.retry_at_ms;
	return p->retry_at_ms;
}

/* xenstore errors after which the connection is still usable. */
static bool
agent_pub_xs_refusal(int err)
{
	return err == EACCES || err == EPERM || err == E2BIG ||
	    err == EINVAL || err == ENOSPC || err == EDQUOT ||
	    err == EAGAIN || err == EBUSY;
}

enum agent_pub_result
agent_pub_publish(struct agent_pub *p, const char *rec, size_t len,
    uint64_t now_ms, int *err_out)
{
	int rc;

	*err_out = ENOTCONN;
	if (p->kind == AGENT_TR_VIRTIO) {
		rc = agent_vport_publish(&p->vp, rec, len, now_ms);
		*err_out = -rc;
		if (rc == 0)
			return AGENT_PUB_OK;
		if (rc == -EAGAIN)
			return AGENT_PUB_BUSY;
		return rc == -EINVAL ? AGENT_PUB_REFUSED : AGENT_PUB_LOST;
	}
	if (p->kind != AGENT_TR_XENSTORE)
		return AGENT_PUB_LOST;
	rc = agent_xs_publish(&p->xs, rec, len, now_ms);
	*err_out = -rc;
	if (rc == 0)
		return AGENT_PUB_OK;
	if (rc != -ENOTCONN && agent_pub_xs_refusal(-rc))
		return AGENT_PUB_REFUSED;
	return AGENT_PUB_LOST;
}

const char *
agent_pub_where(const struct agent_pub *p)
{
	if (p->kind == AGENT_TR_VIRTIO)
		return p->vp.path;
	return agent_transport_name(p->kind);
}

void
agent_pub_close(struct agent_pub *p)
{
	agent_xs_close(&p->xs);
	agent_vport_close(&p->vp);
}
