/*
 * chan.c - one domain's agent channel: framing, rate limit, connection
 * (chan.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "chan.h"
#include "log.h"

/* --- framing (pure) ----------------------------------------------------- */

void
chan_framer_reset(struct chan_framer *f)
{
	f->len = 0;
	f->skipping = false;
}

char *
chan_framer_space(struct chan_framer *f, size_t *room_out)
{
	*room_out = sizeof(f->buf) - f->len;
	return f->buf + f->len;
}

unsigned
chan_framer_push(struct chan_framer *f, size_t n, unsigned max,
    const struct chan_sink *sink)
{
	size_t start = 0, left;
	unsigned done = 0;
	char *nl;

	if (n > sizeof(f->buf) - f->len)
		n = sizeof(f->buf) - f->len;	/* caller bug: never overrun */
	f->len += n;
	while (start < f->len) {
		left = f->len - start;
		nl = memchr(f->buf + start, '\n', left);
		if (f->skipping) {
			if (nl == NULL) {
				start = f->len;		/* all of it goes */
				break;
			}
			f->skipping = false;
			start = (size_t)(nl - f->buf) + 1;
			continue;
		}
		if (done >= max)
			break;
		if (nl != NULL) {
			sink->line(sink->ctx, f->buf + start,
			    (size_t)(nl - (f->buf + start)));
			start = (size_t)(nl - f->buf) + 1;
			done++;
			continue;
		}
		if (left < sizeof(f->buf))
			break;			/* a partial line: wait */
		/* a full buffer and no '\n': more than CG_RECORD_MAX_LEN */
		sink->oversize(sink->ctx);
		done++;
		f->skipping = true;
		start = f->len;
	}
	memmove(f->buf, f->buf + start, f->len - start);
	f->len -= start;
	return done;
}

size_t
chan_framer_feed(struct chan_framer *f, const char *data, size_t len,
    unsigned max, const struct chan_sink *sink, unsigned *events_out)
{
	size_t off = 0, room, k;
	unsigned ev = 0;
	char *space;

	ev += chan_framer_push(f, 0, max, sink);
	while (off < len && ev < max) {
		space = chan_framer_space(f, &room);
		if (room == 0)
			break;
		k = len - off < room ? len - off : room;
		memcpy(space, data + off, k);
		off += k;
		ev += chan_framer_push(f, k, max - ev, sink);
	}
	*events_out = ev;
	return off;
}

/* --- rate limit --------------------------------------------------------- */

static void
chan_bucket_refill(struct chan_bucket *b, uint64_t rate_per_s,
    uint64_t burst, uint64_t now_ms)
{
	uint64_t dt = now_ms > b->last_ms ? now_ms - b->last_ms : 0;

	b->last_ms = now_ms;
	if (dt > burst * 1000)
		dt = burst * 1000;	/* no overflow; full anyway */
	b->milli += dt * rate_per_s;
	if (b->milli > burst * 1000)
		b->milli = burst * 1000;
}

/* ms until the bucket holds one whole token at rate_per_s (0: it does). */
static uint64_t
chan_bucket_wait_ms(const struct chan_bucket *b, uint64_t rate_per_s)
{
	if (b->milli >= 1000)
		return 0;
	return (1000 - b->milli + rate_per_s - 1) / rate_per_s;
}

static void
chan_refill(struct chan *c, uint64_t now_ms)
{
	chan_bucket_refill(&c->bytes, CHAN_BYTES_PER_S, CHAN_BYTES_BURST,
	    now_ms);
	chan_bucket_refill(&c->lines, CHAN_LINES_PER_S, CHAN_LINES_BURST,
	    now_ms);
}

static bool
chan_has_tokens(const struct chan *c)
{
	return c->bytes.milli >= 1000 && c->lines.milli >= 1000;
}

/* --- connection --------------------------------------------------------- */

int
chan_init(struct chan *c, const char *path, uint64_t now_ms)
{
	size_t len = strlen(path);

	memset(c, 0, sizeof(*c));
	c->fd = -1;
	if (len == 0)
		return -EINVAL;
	if (len >= sizeof(c->path))
		return -ENAMETOOLONG;
	memcpy(c->path, path, len + 1);
	c->state = CHAN_DOWN;
	c->retry_at_ms = now_ms;
	c->backoff_ms = CHAN_BACKOFF_MIN_MS;
	c->bytes = (struct chan_bucket){ CHAN_BYTES_BURST * 1000, now_ms };
	c->lines = (struct chan_bucket){ CHAN_LINES_BURST * 1000, now_ms };
	return 0;
}

void
chan_close(struct chan *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	c->state = CHAN_DOWN;
	chan_framer_reset(&c->fr);
}

/* Lost or failed: close, drop the partial line, retry with backoff. */
static void
chan_fail(struct chan *c, uint64_t now_ms, int err)
{
	if (c->state == CHAN_UP) {
		c->st.drops++;
		log_debug("channel %s: closed (%s); reconnecting", c->path,
		    err != 0 ? strerror(err) : "end of file");
	}
	chan_close(c);
	c->retry_at_ms = now_ms + c->backoff_ms;
	c->backoff_ms *= 2;
	if (c->backoff_ms > CHAN_BACKOFF_MAX_MS)
		c->backoff_ms = CHAN_BACKOFF_MAX_MS;
}

static void
chan_up(struct chan *c)
{
	c->state = CHAN_UP;
	c->fresh = true;
	c->st.connects++;
	chan_framer_reset(&c->fr);
	log_debug("channel %s: connected", c->path);
}

static void
chan_connect(struct chan *c, uint64_t now_ms)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int rc;

	memcpy(sa.sun_path, c->path, strlen(c->path) + 1);
	c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0);
	c->fd_gen++;
	if (c->fd < 0) {
		chan_fail(c, now_ms, errno);
		return;
	}
	rc = connect(c->fd, (const struct sockaddr *)&sa, sizeof(sa));
	if (rc == 0) {
		chan_up(c);
	} else if (errno == EINPROGRESS) {
		c->state = CHAN_CONNECTING;
	} else {
		/* ENOENT, ECONNREFUSED (QEMU not there), EAGAIN (backlog) */
		chan_fail(c, now_ms, errno);
	}
}

static void
chan_connect_done(struct chan *c, short revents, uint64_t now_ms)
{
	socklen_t len = sizeof(int);
	int err = 0;

	if (!(revents & (POLLOUT | POLLERR | POLLHUP)))
		return;
	if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0)
		err = errno;
	if (err != 0)
		chan_fail(c, now_ms, err);
	else
		chan_up(c);
}

int
chan_attach(struct chan *c, int fd)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) != 0) {
		fl = -errno;
		close(fd);
		return fl;
	}
	chan_close(c);
	c->fd = fd;
	c->fd_gen++;
	chan_up(c);
	return 0;
}

int
chan_fd(const struct chan *c)
{
	return c->fd;
}

short
chan_events(const struct chan *c, uint64_t now_ms)
{
	struct chan_bucket b = c->bytes, l = c->lines;
	size_t room = sizeof(c->fr.buf) - c->fr.len;

	if (c->state == CHAN_CONNECTING)
		return POLLOUT;
	if (c->state != CHAN_UP || room == 0)
		return 0;
	chan_bucket_refill(&b, CHAN_BYTES_PER_S, CHAN_BYTES_BURST, now_ms);
	chan_bucket_refill(&l, CHAN_LINES_PER_S, CHAN_LINES_BURST, now_ms);
	return b.milli >= 1000 && l.milli >= 1000 ? POLLIN : 0;
}

uint64_t
chan_next_ms(const struct chan *c, uint64_t now_ms)
{
	struct chan_bucket b = c->bytes, l = c->lines;
	uint64_t wb, wl;

	if (c->state == CHAN_DOWN)
		return c->retry_at_ms;
	if (c->state != CHAN_UP)
		return UINT64_MAX;
	chan_bucket_refill(&b, CHAN_BYTES_PER_S, CHAN_BYTES_BURST, now_ms);
	chan_bucket_refill(&l, CHAN_LINES_PER_S, CHAN_LINES_BURST, now_ms);
	wb = chan_bucket_wait_ms(&b, CHAN_BYTES_PER_S);
	wl = chan_bucket_wait_ms(&l, CHAN_LINES_PER_S);
	if (wb != 0 || wl != 0)
		return now_ms + (wb > wl ? wb : wl);	/* throttled */
	if (c->fr.len == sizeof(c->fr.buf) ||
	    memchr(c->fr.buf, '\n', c->fr.len) != NULL)
		return now_ms;		/* lines held back: deliver them */
	return UINT64_MAX;
}

/* One read of at most one buffer and the byte tokens; lines to sink. */
static unsigned
chan_read(struct chan *c, unsigned max, uint64_t now_ms,
    const struct chan_sink *sink)
{
	uint64_t tokens = c->bytes.milli / 1000;
	size_t room;
	char *space = chan_framer_space(&c->fr, &room);
	ssize_t n;

	if (room > tokens)
		room = (size_t)tokens;
	if (room == 0)
		return 0;
	n = read(c->fd, space, room);
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK ||
	    errno == EINTR))
		return 0;
	if (n <= 0) {
		chan_fail(c, now_ms, n < 0 ? errno : 0);
		return 0;
	}
	if (c->fresh) {
		c->fresh = false;
		c->backoff_ms = CHAN_BACKOFF_MIN_MS;
	}
	c->bytes.milli -= (uint64_t)n * 1000;
	c->st.bytes += (uint64_t)n;
	return chan_framer_push(&c->fr, (size_t)n, max, sink);
}

/* Count what the sink got by kind; pass it on. */
struct chan_count {
	const struct chan_sink *sink;
	struct chan_stats *st;
};

static void
chan_count_line(void *ctx, const char *untrusted, size_t len)
{
	struct chan_count *k = ctx;

	k->st->lines++;
	k->sink->line(k->sink->ctx, untrusted, len);
}

static void
chan_count_oversize(void *ctx)
{
	struct chan_count *k = ctx;

	k->st->oversize++;
	k->sink->oversize(k->sink->ctx);
}

int
chan_service(struct chan *c, short revents, uint64_t now_ms,
    const struct chan_sink *sink)
{
	struct chan_count k = { sink, &c->st };
	struct chan_sink counted = { chan_count_line, chan_count_oversize, &k };
	unsigned max, ev;

	if (c->state == CHAN_DOWN && now_ms >= c->retry_at_ms)
		chan_connect(c, now_ms);
	else if (c->state == CHAN_CONNECTING)
		chan_connect_done(c, revents, now_ms);
	if (c->state != CHAN_UP)
		return 0;
	chan_refill(c, now_ms);
	if (!chan_has_tokens(c))
		return 0;
	max = (unsigned)(c->lines.milli / 1000);
	ev = chan_framer_push(&c->fr, 0, max, &counted);
	if (ev < max && c->state == CHAN_UP)
		ev += chan_read(c, max - ev, now_ms, &counted);
	c->lines.milli -= (uint64_t)ev * 1000;
	if (!chan_has_tokens(c))
		c->st.throttled++;	/* ran dry in this call */
	return (int)ev;
}
