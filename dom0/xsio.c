/*
 * xsio.c - xenstore wrappers for cagmad.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xenstore.h>

#include "num.h"
#include "xsio.h"

/*
 * Two connections: h carries the watches (libxenstore then runs a reader
 * thread on it), io does reads and writes synchronously in the caller's
 * thread, which saves two thread hand-offs per request on the emergency
 * path.
 */
struct xsio {
	struct xs_handle *h;
	struct xs_handle *io;
	int lost_rc;		/* 0, or the connection error that broke it */
};

bool
xsio_conn_error(int rc)
{
	switch (rc) {
	case -EPIPE:
	case -ECONNRESET:
	case -ECONNREFUSED:
	case -ENOTCONN:
	case -EIO:
	case -EBADF:	/* libxenstore closed its fd after an error */
		return true;
	default:
		return false;
	}
}

/* errno of a failed libxenstore call as -errno; remembers a dead link. */
static int
xsio_fail(struct xsio *xs)
{
	int rc = errno != 0 ? -errno : -EIO;

	if (xsio_conn_error(rc) && xs->lost_rc == 0)
		xs->lost_rc = rc;
	return rc;
}

/*
 * Before a libxenstore call: both handles, or neither: -ENOTCONN (and
 * lost) when closed.  On success errno is cleared, so that the call's own
 * failure can be told from a stale errno.
 */
static int
xsio_check(struct xsio *xs)
{
	if (xs->h != NULL && xs->io != NULL) {
		errno = 0;
		return 0;
	}
	if (xs->lost_rc == 0)
		xs->lost_rc = -ENOTCONN;
	return -ENOTCONN;
}

void
xsio_disconnect(struct xsio *xs)
{
	if (xs == NULL)
		return;
	if (xs->io != NULL)
		xs_close(xs->io);
	if (xs->h != NULL)
		xs_close(xs->h);
	xs->io = NULL;
	xs->h = NULL;
	if (xs->lost_rc == 0)
		xs->lost_rc = -ENOTCONN;
}

int
xsio_reconnect(struct xsio *xs)
{
	int rc;

	xsio_disconnect(xs);
	errno = 0;
	xs->h = xs_open(0);
	if (xs->h != NULL)
		xs->io = xs_open(0);
	if (xs->h == NULL || xs->io == NULL) {
		rc = errno != 0 ? -errno : -EIO;
		xsio_disconnect(xs);
		return rc;
	}
	xs->lost_rc = 0;
	return 0;
}

int
xsio_lost(const struct xsio *xs)
{
	return xs->lost_rc;
}

int
xsio_open(struct xsio **xs_out)
{
	struct xsio *xs;
	int rc;

	xs = calloc(1, sizeof(*xs));
	if (xs == NULL)
		return -ENOMEM;
	rc = xsio_reconnect(xs);
	if (rc != 0) {
		free(xs);
		return rc;
	}
	*xs_out = xs;
	return 0;
}

void
xsio_close(struct xsio *xs)
{
	if (xs == NULL)
		return;
	xsio_disconnect(xs);
	free(xs);
}

int
xsio_fd(struct xsio *xs)
{
	int fd;

	if (xs->h == NULL)
		return -ENOTCONN;
	fd = xs_fileno(xs->h);
	return fd >= 0 ? fd : (errno != 0 ? -errno : -EIO);
}

int
xsio_watch(struct xsio *xs, const char *path, const char *token)
{
	int rc;

	rc = xsio_check(xs);
	if (rc != 0)
		return rc;
	if (!xs_watch(xs->h, path, token))
		return xsio_fail(xs);
	return 0;
}

int
xsio_unwatch(struct xsio *xs, const char *path, const char *token)
{
	int rc;

	rc = xsio_check(xs);
	if (rc != 0)
		return rc;
	if (!xs_unwatch(xs->h, path, token))
		return xsio_fail(xs);
	return 0;
}

int
xsio_next_event(struct xsio *xs, char *path, size_t path_len, char *token,
    size_t token_len)
{
	char **ev;
	int rc;

	rc = xsio_check(xs);
	if (rc != 0)
		return rc;
	ev = xs_check_watch(xs->h);
	if (ev == NULL) {
		if (errno == EAGAIN || errno == 0)
			return 0;
		/*
		 * With nothing queued, libxenstore says EINVAL once its reader
		 * thread has seen the connection close (the watch pipe never
		 * becomes readable then): the link is gone.
		 */
		if (errno == EINVAL)
			errno = ENOTCONN;
		return xsio_fail(xs);
	}
	snprintf(path, path_len, "%s", ev[XS_WATCH_PATH]);
	snprintf(token, token_len, "%s", ev[XS_WATCH_TOKEN]);
	free(ev);
	return 1;
}

int
xsio_read(struct xsio *xs, const char *path, char *buf, size_t cap,
    size_t *len_out)
{
	unsigned int len = 0;
	char *v;
	int rc;

	rc = xsio_check(xs);
	if (rc != 0)
		return rc;
	v = xs_read(xs->io, XBT_NULL, path, &len);
	if (v == NULL)
		return xsio_fail(xs);
	if ((size_t)len >= cap) {
		free(v);
		return -E2BIG;
	}
	memcpy(buf, v, len);
	buf[len] = '\0';
	*len_out = len;
	free(v);
	return 0;
}

int
xsio_read_u64(struct xsio *xs, const char *path, uint64_t max, uint64_t *out)
{
	char buf[NUM_U64_MAX_DIGITS + 1];
	size_t len;
	int rc;

	rc = xsio_read(xs, path, buf, sizeof(buf), &len);
	if (rc != 0)
		return rc;
	return num_parse_u64(buf, len, 0, max, out);
}

int
xsio_write(struct xsio *xs, const char *path, const char *value)
{
	size_t len = strlen(value);
	int rc;

	rc = xsio_check(xs);
	if (rc != 0)
		return rc;
	if (len > XSIO_VALUE_MAX)
		return -E2BIG;
	if (!xs_write(xs->io, XBT_NULL, path, value, (unsigned int)len))
		return xsio_fail(xs);
	return 0;
}

int
xsio_list_ids(struct xsio *xs, const char *path, uint32_t *ids, size_t max,
    size_t *n_out)
{
	unsigned int i, num = 0;
	uint64_t id;
	char **ents;
	size_t n = 0;
	int rc;

	rc = xsio_check(xs);
	if (rc != 0)
		return rc;
	ents = xs_directory(xs->io, XBT_NULL, path, &num);
	if (ents == NULL && errno == ENOENT) {
		*n_out = 0;
		return 0;
	}
	if (ents == NULL)
		return xsio_fail(xs);
	for (i = 0; i < num && n < max; i++)
		if (num_parse_u64(ents[i], strlen(ents[i]), 0, 0x7fef,
		    &id) == 0)
			ids[n++] = (uint32_t)id;
	free(ents);
	*n_out = n;
	return 0;
}

int
xsio_introduced(struct xsio *xs, uint32_t domid)
{
	int rc;

	rc = xsio_check(xs);
	if (rc != 0)
		return rc;
	/* false is both "F" and an error: errno (cleared above) tells them
	 * apart */
	if (xs_is_domain_introduced(xs->io, domid))
		return 1;
	return errno == 0 ? 0 : xsio_fail(xs);
}
