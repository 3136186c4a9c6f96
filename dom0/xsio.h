/*
 * xsio.h - cagmad's xenstore access (the only user of <xenstore.h>).
 *
 * Thin, bounded wrappers: reads copy at most a caller-given size, watch
 * events are drained without blocking.  Paths and tokens are cagmad's own
 * (trusted); values read from guest-writable paths are untrusted.
 */
#ifndef CAGMA_DOM0_XSIO_H
#define CAGMA_DOM0_XSIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct xsio;

#define XSIO_PATH_MAX	256
#define XSIO_TOKEN_MAX	32
#define XSIO_VALUE_MAX	4096	/* xenstore value limit (XENSTORE_PAYLOAD_MAX) */

/* Connect (honours XENSTORED_PATH).  0 or -errno. */
int xsio_open(struct xsio **xs_out);

/* Disconnect; NULL is fine.  Cannot fail. */
void xsio_close(struct xsio *xs);

/*
 * Connection state.  Every call below that fails with a connection error
 * (xsio_conn_error()) marks the link lost; so does a closed link, which
 * fails every call with -ENOTCONN.  The caller then drops both handles
 * with xsio_disconnect() (NULL is fine) and later calls xsio_reconnect(),
 * which opens two new ones (0 or -errno; still disconnected on failure).
 * Watches do not survive: the caller registers them again.  xs itself
 * stays valid throughout, so pointers to it (the backend's) need no update.
 */
int xsio_lost(const struct xsio *xs);	/* 0, or the -errno that broke it */
void xsio_disconnect(struct xsio *xs);
int xsio_reconnect(struct xsio *xs);

/*
 * Whether rc (a -errno from this module) means the link to xenstored is
 * gone rather than that one request failed: -EPIPE, -ECONNRESET,
 * -ECONNREFUSED, -ENOTCONN, -EIO, -EBADF.  Pure.
 */
bool xsio_conn_error(int rc);

/* The fd to poll for watch events.  -errno (-ENOTCONN when closed). */
int xsio_fd(struct xsio *xs);

/* Register / remove a watch.  0 or -errno. */
int xsio_watch(struct xsio *xs, const char *path, const char *token);
int xsio_unwatch(struct xsio *xs, const char *path, const char *token);

/*
 * Next queued watch event, without blocking: returns 1 and copies path and
 * token (truncated to the buffers), 0 when none is left, -errno on error.
 */
int xsio_next_event(struct xsio *xs, char *path, size_t path_len,
    char *token, size_t token_len);

/*
 * Read path into buf (cap bytes, NUL-terminated), *len_out = value length.
 * Returns 0, -ENOENT if absent, -E2BIG if the value has cap bytes or more
 * (nothing is copied), -errno otherwise.
 */
int xsio_read(struct xsio *xs, const char *path, char *buf, size_t cap,
    size_t *len_out);

/* Read a trusted decimal (e.g. memory/static-max), bounded. */
int xsio_read_u64(struct xsio *xs, const char *path, uint64_t max,
    uint64_t *out);

/* Write a NUL-terminated value.  0 or -errno. */
int xsio_write(struct xsio *xs, const char *path, const char *value);

/*
 * Children of path that are domids (decimal, < 0x7ff0), into ids[0..max).
 * Returns 0 and *n_out, -errno on failure.
 */
int xsio_list_ids(struct xsio *xs, const char *path, uint32_t *ids,
    size_t max, size_t *n_out);

/*
 * Whether xenstored has domid introduced (XS_IS_DOMAIN_INTRODUCED; needs
 * a privileged connection).  1, 0, or -errno.
 */
int xsio_introduced(struct xsio *xs, uint32_t domid);

#endif
