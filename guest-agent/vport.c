/*
 * vport.c - the agent's virtio-serial port (vport.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "vport.h"

void
agent_vport_init(struct agent_vport *v, const char *path)
{
	memset(v, 0, sizeof(*v));
	snprintf(v->path, sizeof(v->path), "%s", path);
	v->fd = -1;
	v->backoff_ms = VPORT_BACKOFF_MIN_MS;
}

bool
agent_vport_up(const struct agent_vport *v)
{
	return v->fd >= 0;
}

void
agent_vport_close(struct agent_vport *v)
{
	if (v->fd >= 0)
		close(v->fd);
	v->fd = -1;
	v->tail_len = 0;	/* a new open starts a new line */
}

/* Close and schedule the next open attempt. */
static void
agent_vport_fail(struct agent_vport *v, uint64_t now_ms)
{
	agent_vport_close(v);
	v->in_outage = true;
	v->failures++;
	v->retry_at_ms = now_ms + v->backoff_ms;
	v->backoff_ms *= 2;
	if (v->backoff_ms > VPORT_BACKOFF_MAX_MS)
		v->backoff_ms = VPORT_BACKOFF_MAX_MS;
}

static void
agent_vport_log_open_failure(const char *path)
{
	if (errno == ENOENT || errno == ENODEV)
		log_warn("cannot open %s: is virtio_console loaded, and does "
		    "the domain have the channel (cagma-agent(8))?", path);
	else if (errno == EBUSY)
		log_warn("cannot open %s: another program holds the port",
		    path);
	else if (errno == EACCES || errno == EPERM)
		log_warn("cannot open %s: permission denied (run as root)",
		    path);
	else
		log_warn("cannot open %s", path);
}

int
agent_vport_open(struct agent_vport *v, uint64_t now_ms)
{
	int rc;

	if (v->fd >= 0)
		return 0;
	if (now_ms < v->retry_at_ms)
		return -EAGAIN;
	v->fd = open(v->path, O_WRONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	if (v->fd < 0) {
		rc = errno != 0 ? -errno : -EIO;
		if (!v->in_outage)
			agent_vport_log_open_failure(v->path);
		agent_vport_fail(v, now_ms);
		return rc;
	}
	if (v->in_outage)
		log_info("%s: port open again after %u attempts", v->path,
		    v->failures);
	v->in_outage = false;
	v->failures = 0;
	v->tail_len = 0;
	return 0;
}

/*
 * One write of buf: bytes written (maybe fewer than len) or -errno.
 * EINTR is retried.
 */
static ssize_t
agent_vport_write(int fd, const char *buf, size_t len)
{
	ssize_t n;

	do
		n = write(fd, buf, len);
	while (n < 0 && errno == EINTR);
	return n < 0 ? -errno : n;
}

/* Send the rest of a partial line.  0 when none is left, or -errno. */
static int
agent_vport_flush_tail(struct agent_vport *v)
{
	ssize_t n;

	if (v->tail_len == 0)
		return 0;
	n = agent_vport_write(v->fd, v->tail, v->tail_len);
	if (n < 0)
		return (int)n;
	v->tail_len -= (size_t)n;
	memmove(v->tail, v->tail + n, v->tail_len);
	return v->tail_len == 0 ? 0 : -EAGAIN;
}

/* A write error: -EAGAIN keeps the port, anything else reopens it. */
static int
agent_vport_error(struct agent_vport *v, int rc, uint64_t now_ms)
{
	if (rc == -EAGAIN || rc == -EWOULDBLOCK) {
		v->dropped++;
		return -EAGAIN;
	}
	if (!v->write_failing) {
		errno = -rc;
		log_warn("%s: write failed; reopening with backoff", v->path);
	}
	v->write_failing = true;
	agent_vport_fail(v, now_ms);
	v->in_outage = false;	/* an open failure is news: log it */
	return rc;
}

int
agent_vport_publish(struct agent_vport *v, const char *rec, size_t len,
    uint64_t now_ms)
{
	char line[CG_RECORD_MAX_LEN + 1];
	ssize_t n;
	int rc;

	if (v->fd < 0)
		return -ENOTCONN;
	if (len == 0 || len > CG_RECORD_MAX_LEN ||
	    memchr(rec, '\n', len) != NULL)
		return -EINVAL;	/* not a record: never break the framing */
	rc = agent_vport_flush_tail(v);
	if (rc != 0)
		return agent_vport_error(v, rc, now_ms);
	memcpy(line, rec, len);
	line[len] = '\n';
	n = agent_vport_write(v->fd, line, len + 1);
	if (n < 0)
		return agent_vport_error(v, (int)n, now_ms);
	if ((size_t)n < len + 1) {
		v->tail_len = len + 1 - (size_t)n;
		memcpy(v->tail, line + n, v->tail_len);
	}
	v->writes++;
	if (v->write_failing)
		log_info("%s: writing again", v->path);
	v->write_failing = false;
	v->backoff_ms = VPORT_BACKOFF_MIN_MS;
	return 0;
}
