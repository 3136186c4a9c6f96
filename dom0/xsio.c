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
};

int
xsio_open(struct xsio **xs_out)
{
	struct xsio *xs;
	int rc;

	xs = calloc(1, sizeof(*xs));
	if (xs == NULL)
		return -ENOMEM;
	xs->h = xs_open(0);
	if (xs->h != NULL)
		xs->io = xs_open(0);
	if (xs->h == NULL || xs->io == NULL) {
		rc = errno != 0 ? -errno : -EIO;
		if (xs->h != NULL)
			xs_close(xs->h);
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
	xs_close(xs->io);
	xs_close(xs->h);
	free(xs);
}

int
xsio_fd(struct xsio *xs)
{
	int fd = xs_fileno(xs->h);

	return fd >= 0 ? fd : (errno != 0 ? -errno : -EIO);
}

int
xsio_watch(struct xsio *xs, const char *path, const char *token)
{
	if (!xs_watch(xs->h, path, token))
		return errno != 0 ? -errno : -EIO;
	return 0;
}

int
xsio_unwatch(struct xsio *xs, const char *path, const char *token)
{
	if (!xs_unwatch(xs->h, path, token))
		return errno != 0 ? -errno : -EIO;
	return 0;
}

int
xsio_next_event(struct xsio *xs, char *path, size_t path_len, char *token,
    size_t token_len)
{
	char **ev;

	errno = 0;
	ev = xs_check_watch(xs->h);
	if (ev == NULL)
		return errno == EAGAIN || errno == 0 ? 0 : -errno;
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

	v = xs_read(xs->io, XBT_NULL, path, &len);
	if (v == NULL)
		return errno != 0 ? -errno : -EIO;
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
	if (!xs_write(xs->io, XBT_NULL, path, value, strlen(value)))
		return errno != 0 ? -errno : -EIO;
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

	ents = xs_directory(xs->io, XBT_NULL, path, &num);
	if (ents == NULL)
		return errno == ENOENT ? (*n_out = 0, 0) :
		    (errno != 0 ? -errno : -EIO);
	for (i = 0; i < num && n < max; i++)
		if (num_parse_u64(ents[i], strlen(ents[i]), 0, 0x7fef,
		    &id) == 0)
			ids[n++] = (uint32_t)id;
	free(ents);
	*n_out = n;
	return 0;
}
