/*
 * fgring.c - guest side of a xenstore ring for the fake-Xen harness: one
 * shared page with xenstored (through the fakexen shim), many libxenstore
 * clients multiplexed onto it.
 *
 * Rules (as Linux's xenbus device):
 *  - only complete client messages go into the request ring;
 *  - replies come back in request order, a FIFO of (slot, generation)
 *    routes each one, or drops it if its client has gone;
 *  - XS_WATCH/XS_UNWATCH tokens become "fg<slot>.<gen>:<token>" so that
 *    watch events can be routed back (prefix stripped);
 *  - a client that disconnects has its watches removed and its
 *    transactions aborted.
 * Client messages are trusted test programs, but lengths are still checked.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fgring.h"
#include "num.h"

#define FG_PAGE_SIZE	4096
#define FG_TOKEN_EXTRA	32	/* room for the "fg<slot>.<gen>:" prefix */
#define FG_INTERNAL_REQ	0xfa4eU

static void
fg_kick(struct fg_ring *fg)
{
	int32_t msg = (int32_t)fg->domid;

	(void)sendto(fg->evt_fd, &msg, sizeof(msg), MSG_DONTWAIT,
	    (struct sockaddr *)&fg->kick_addr, sizeof(fg->kick_addr));
}

static bool
fg_room(const struct fg_ring *fg, size_t len)
{
	return fg->req_len + len <= sizeof(fg->req) &&
	    fg->own_tail - fg->own_head < FG_MAX_OUT;
}

static void
fg_enqueue(struct fg_ring *fg, const struct xsd_sockmsg *h, const char *body,
    int slot, unsigned int gen)
{
	struct fg_owner *o = &fg->own[fg->own_tail % FG_MAX_OUT];

	memcpy(fg->req + fg->req_len, h, FG_HDR_LEN);
	memcpy(fg->req + fg->req_len + FG_HDR_LEN, body, h->len);
	fg->req_len += FG_HDR_LEN + h->len;
	o->slot = slot;
	o->gen = gen;
	o->type = h->type;
	fg->own_tail++;
}

static void
fg_internal(struct fg_ring *fg, uint32_t type, uint32_t tx_id,
    const char *body, size_t len)
{
	struct xsd_sockmsg h = {
		.type = type, .req_id = FG_INTERNAL_REQ, .tx_id = tx_id,
		.len = (uint32_t)len,
	};

	if (fg_room(fg, FG_HDR_LEN + len))
		fg_enqueue(fg, &h, body, -1, 0);
}

/* "path\0fg<slot>.<gen>:token\0" into buf; returns its length or -1. */
static int
fg_token_msg(char *buf, size_t size, const char *path, int slot,
    unsigned int gen, const char *token, size_t token_len)
{
	int n;

	n = snprintf(buf, size, "%s%cfg%d.%u:%.*s", path, 0, slot, gen,
	    (int)token_len, token);
	if (n < 0 || (size_t)n + 1 > size)
		return -1;
	return n + 1;
}

static void
fg_drop_client(struct fg_ring *fg, int slot, bool tell_xenstored)
{
	struct fg_client *c = &fg->cli[slot];
	char buf[FG_MSG_MAX + FG_TOKEN_EXTRA];
	int i, n;

	close(c->fd);
	c->fd = -1;
	for (i = 0; i < c->n_watches; i++) {
		n = fg_token_msg(buf, sizeof(buf), c->watch_path[i], slot,
		    c->gen, c->watch_token[i], strlen(c->watch_token[i]));
		if (tell_xenstored && n > 0)
			fg_internal(fg, XS_UNWATCH, 0, buf, (size_t)n);
		free(c->watch_path[i]);
		free(c->watch_token[i]);
	}
	for (i = 0; tell_xenstored && i < c->n_tx; i++)
		fg_internal(fg, XS_TRANSACTION_END, c->tx[i], "F", 2);
	c->n_watches = 0;
	c->n_tx = 0;
	c->in_len = 0;
}

static void
fg_track_watch(struct fg_client *c, uint32_t type, const char *path,
    const char *token, size_t token_len)
{
	int i;

	if (type == XS_WATCH) {
		if (c->n_watches >= FG_MAX_WATCHES)
			return;
		c->watch_path[c->n_watches] = strdup(path);
		c->watch_token[c->n_watches] = strndup(token, token_len);
		if (c->watch_path[c->n_watches] == NULL ||
		    c->watch_token[c->n_watches] == NULL) {
			free(c->watch_path[c->n_watches]);
			free(c->watch_token[c->n_watches]);
			return;
		}
		c->n_watches++;
		return;
	}
	for (i = 0; i < c->n_watches; i++) {
		if (strcmp(c->watch_path[i], path) == 0 &&
		    strlen(c->watch_token[i]) == token_len &&
		    memcmp(c->watch_token[i], token, token_len) == 0) {
			free(c->watch_path[i]);
			free(c->watch_token[i]);
			c->n_watches--;
			c->watch_path[i] = c->watch_path[c->n_watches];
			c->watch_token[i] = c->watch_token[c->n_watches];
			return;
		}
	}
}

/* One complete request from a client.  1: no room yet, -1: malformed. */
static int
fg_forward(struct fg_ring *fg, int slot, const struct xsd_sockmsg *h,
    const char *body)
{
	struct fg_client *c = &fg->cli[slot];
	char buf[FG_MSG_MAX + FG_TOKEN_EXTRA];
	struct xsd_sockmsg nh = *h;
	size_t path_len, token_len;
	int i, n;

	if (h->type != XS_WATCH && h->type != XS_UNWATCH) {
		if (!fg_room(fg, FG_HDR_LEN + h->len))
			return 1;
		for (i = 0; h->type == XS_TRANSACTION_END && i < c->n_tx; i++) {
			if (c->tx[i] == h->tx_id) {
				c->tx[i] = c->tx[--c->n_tx];
				break;
			}
		}
		fg_enqueue(fg, h, body, slot, c->gen);
		return 0;
	}
	path_len = strnlen(body, h->len);
	if (path_len + 1 >= h->len)
		return -1;
	token_len = strnlen(body + path_len + 1, h->len - path_len - 1);
	n = fg_token_msg(buf, sizeof(buf), body, slot, c->gen,
	    body + path_len + 1, token_len);
	if (n < 0 || n > XENSTORE_PAYLOAD_MAX)
		return -1;
	nh.len = (uint32_t)n;
	if (!fg_room(fg, FG_HDR_LEN + nh.len))
		return 1;
	fg_track_watch(c, h->type, body, body + path_len + 1, token_len);
	fg_enqueue(fg, &nh, buf, slot, c->gen);
	return 0;
}

static void fg_parse_client(struct fg_ring *fg, int slot);

static void
fg_read_client(struct fg_ring *fg, int slot)
{
	struct fg_client *c = &fg->cli[slot];
	ssize_t r;

	r = read(c->fd, c->in + c->in_len, sizeof(c->in) - c->in_len);
	if (r < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (r <= 0) {
		fg_drop_client(fg, slot, true);
		return;
	}
	c->in_len += (size_t)r;
	fg_parse_client(fg, slot);
}

/* Forward every complete message buffered for slot (room permitting). */
static void
fg_parse_client(struct fg_ring *fg, int slot)
{
	struct fg_client *c = &fg->cli[slot];
	struct xsd_sockmsg h;
	size_t len;
	int rc;

	while (c->fd >= 0 && c->in_len >= FG_HDR_LEN) {
		memcpy(&h, c->in, FG_HDR_LEN);
		if (h.len > XENSTORE_PAYLOAD_MAX) {
			fg_drop_client(fg, slot, true);
			return;
		}
		len = FG_HDR_LEN + h.len;
		if (c->in_len < len)
			break;
		rc = fg_forward(fg, slot, &h, c->in + FG_HDR_LEN);
		if (rc > 0)
			break;		/* queue full: retried after a pump */
		if (rc < 0) {
			fg_drop_client(fg, slot, true);
			return;
		}
		memmove(c->in, c->in + len, c->in_len - len);
		c->in_len -= len;
	}
}

static void
fg_send(struct fg_ring *fg, int slot, const struct xsd_sockmsg *h,
    const char *body)
{
	char buf[FG_MSG_MAX];
	size_t total = FG_HDR_LEN + h->len, done = 0;
	ssize_t w;

	memcpy(buf, h, FG_HDR_LEN);
	memcpy(buf + FG_HDR_LEN, body, h->len);
	while (done < total) {		/* blocking: clients are tests */
		w = send(fg->cli[slot].fd, buf + done, total - done,
		    MSG_NOSIGNAL);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			fg_drop_client(fg, slot, true);
			return;
		}
		done += (size_t)w;
	}
}

/* Route a watch event by its "fg<slot>.<gen>:" token prefix. */
static void
fg_deliver_event(struct fg_ring *fg, const struct xsd_sockmsg *h,
    const char *body)
{
	size_t path_len = strnlen(body, h->len), off, dot, colon;
	const char *tok = body + path_len + 1;
	size_t tok_len = path_len < h->len ? h->len - path_len - 1 : 0;
	uint64_t slot, gen;
	struct xsd_sockmsg nh = *h;
	char out[FG_MSG_MAX];

	if (tok_len < 4 || tok[0] != 'f' || tok[1] != 'g')
		return;
	dot = 2;
	while (dot < tok_len && tok[dot] != '.')
		dot++;
	colon = dot;
	while (colon < tok_len && tok[colon] != ':')
		colon++;
	if (colon >= tok_len ||
	    num_parse_u64(tok + 2, dot - 2, 0, FG_MAX_CLIENTS - 1, &slot) < 0 ||
	    num_parse_u64(tok + dot + 1, colon - dot - 1, 0, UINT32_MAX,
	    &gen) < 0)
		return;
	if (fg->cli[slot].fd < 0 || fg->cli[slot].gen != gen)
		return;
	off = colon + 1;
	memcpy(out, body, path_len + 1);
	memcpy(out + path_len + 1, tok + off, tok_len - off);
	nh.len = (uint32_t)(path_len + 1 + tok_len - off);
	fg_send(fg, (int)slot, &nh, out);
}

static void
fg_deliver(struct fg_ring *fg)
{
	struct xsd_sockmsg h;
	const char *body = fg->rsp + FG_HDR_LEN;
	struct fg_owner o;
	struct fg_client *c;
	uint64_t tx;
	size_t len;

	memcpy(&h, fg->rsp, FG_HDR_LEN);
	len = FG_HDR_LEN + h.len;
	if (h.type == XS_WATCH_EVENT) {
		fg_deliver_event(fg, &h, body);
	} else if (fg->own_head != fg->own_tail) {
		o = fg->own[fg->own_head % FG_MAX_OUT];
		fg->own_head++;
		c = o.slot >= 0 ? &fg->cli[o.slot] : NULL;
		if (c != NULL && c->fd >= 0 && c->gen == o.gen) {
			if (o.type == XS_TRANSACTION_START &&
			    h.type == XS_TRANSACTION_START && c->n_tx < FG_MAX_TX &&
			    h.len > 1 &&
			    num_parse_u64(body, h.len - 1, 0, UINT32_MAX, &tx) == 0)
				c->tx[c->n_tx++] = (uint32_t)tx;
			fg_send(fg, o.slot, &h, body);
		}
	}
	memmove(fg->rsp, fg->rsp + len, fg->rsp_len - len);
	fg->rsp_len -= len;
}

static int
fg_push(struct fg_ring *fg)
{
	struct xenstore_domain_interface *intf = fg->intf;
	XENSTORE_RING_IDX cons = intf->req_cons, prod = intf->req_prod;
	size_t done = 0, n, off, space;

	__sync_synchronize();
	while (done < fg->req_len && prod - cons < XENSTORE_RING_SIZE) {
		off = MASK_XENSTORE_IDX(prod);
		n = XENSTORE_RING_SIZE - off;
		space = XENSTORE_RING_SIZE - (prod - cons);
		if (n > space)
			n = space;
		if (n > fg->req_len - done)
			n = fg->req_len - done;
		memcpy(intf->req + off, fg->req + done, n);
		done += n;
		prod += (XENSTORE_RING_IDX)n;
	}
	if (done == 0)
		return 0;
	__sync_synchronize();		/* data before the index */
	intf->req_prod = prod;
	memmove(fg->req, fg->req + done, fg->req_len - done);
	fg->req_len -= done;
	fg_kick(fg);
	return 1;
}

static int
fg_pull(struct fg_ring *fg)
{
	struct xenstore_domain_interface *intf = fg->intf;
	XENSTORE_RING_IDX cons = intf->rsp_cons, prod = intf->rsp_prod;
	struct xsd_sockmsg h;
	size_t got = 0, n, off;

	__sync_synchronize();
	if (prod - cons > XENSTORE_RING_SIZE)
		return -EPROTO;
	while (cons != prod) {
		off = MASK_XENSTORE_IDX(cons);
		n = XENSTORE_RING_SIZE - off;
		if (n > prod - cons)
			n = prod - cons;
		if (n > sizeof(fg->rsp) - fg->rsp_len)
			n = sizeof(fg->rsp) - fg->rsp_len;
		memcpy(fg->rsp + fg->rsp_len, intf->rsp + off, n);
		fg->rsp_len += n;
		cons += (XENSTORE_RING_IDX)n;
		got += n;
		while (fg->rsp_len >= FG_HDR_LEN) {
			memcpy(&h, fg->rsp, FG_HDR_LEN);
			if (h.len > XENSTORE_PAYLOAD_MAX)
				return -EPROTO;
			if (fg->rsp_len < FG_HDR_LEN + h.len)
				break;
			fg_deliver(fg);
		}
	}
	if (got == 0)
		return 0;
	__sync_synchronize();		/* copied out before freeing space */
	intf->rsp_cons = cons;
	fg_kick(fg);			/* xenstored may wait for room */
	return 1;
}

static int
fg_bind(int type, const char *path, int *fd_out)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	int fd, rc;

	if (strlen(path) >= sizeof(addr.sun_path))
		return -ENAMETOOLONG;
	strcpy(addr.sun_path, path);
	fd = socket(AF_UNIX, type | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	unlink(path);
	if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
		rc = -errno;
		close(fd);
		return rc;
	}
	chmod(path, 0666);
	*fd_out = fd;
	return 0;
}

static int
fg_map_ring(struct fg_ring *fg, const char *dir)
{
	char path[PATH_MAX];
	void *page;
	int fd, rc;

	snprintf(path, sizeof(path), "%s/ring-%u", dir, fg->domid);
	/* Never O_TRUNC: xenstored may still have the page mapped. */
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	if (ftruncate(fd, FG_PAGE_SIZE) < 0) {
		rc = -errno;
		close(fd);
		return rc;
	}
	page = mmap(NULL, FG_PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED,
	    fd, 0);
	close(fd);
	if (page == MAP_FAILED)
		return -errno;
	fg->intf = page;
	memset(page, 0, FG_PAGE_SIZE);	/* connection = XENSTORE_CONNECTED */
	return 0;
}

/* See fgring.h. */
int
fg_open(struct fg_ring *fg, const char *dir, uint32_t domid)
{
	char path[PATH_MAX];
	int i, rc;

	memset(fg, 0, sizeof(*fg));
	fg->domid = domid;
	fg->evt_fd = -1;
	fg->listen_fd = -1;
	fg->next_gen = 1;
	for (i = 0; i < FG_MAX_CLIENTS; i++)
		fg->cli[i].fd = -1;
	fg->kick_addr.sun_family = AF_UNIX;
	rc = snprintf(fg->kick_addr.sun_path, sizeof(fg->kick_addr.sun_path),
	    "%s/evtchn.sock", dir);
	if (rc < 0 || (size_t)rc >= sizeof(fg->kick_addr.sun_path))
		return -ENAMETOOLONG;
	rc = fg_map_ring(fg, dir);
	if (rc < 0)
		return rc;
	snprintf(path, sizeof(path), "%s/guest-%u.evt", dir, domid);
	rc = fg_bind(SOCK_DGRAM | SOCK_NONBLOCK, path, &fg->evt_fd);
	if (rc < 0)
		return rc;
	snprintf(fg->sock_path, sizeof(fg->sock_path), "%s/guest-%u.sock",
	    dir, domid);
	rc = fg_bind(SOCK_STREAM, fg->sock_path, &fg->listen_fd);
	if (rc < 0)
		return rc;
	if (listen(fg->listen_fd, 64) < 0)
		return -errno;
	return 0;
}

/* See fgring.h. */
void
fg_reset(struct fg_ring *fg)
{
	int i;

	for (i = 0; i < FG_MAX_CLIENTS; i++)
		if (fg->cli[i].fd >= 0)
			fg_drop_client(fg, i, false);
	fg->req_len = 0;
	fg->rsp_len = 0;
	fg->own_head = fg->own_tail = 0;
	__sync_synchronize();
	fg->intf->req_cons = fg->intf->req_prod = 0;
	fg->intf->rsp_cons = fg->intf->rsp_prod = 0;
	__sync_synchronize();
}

static void
fg_accept(struct fg_ring *fg)
{
	int fd, i;

	fd = accept4(fg->listen_fd, NULL, NULL, SOCK_CLOEXEC);
	if (fd < 0)
		return;
	for (i = 0; i < FG_MAX_CLIENTS && fg->cli[i].fd >= 0; i++)
		;
	if (i == FG_MAX_CLIENTS) {
		close(fd);
		return;
	}
	fg->cli[i].fd = fd;
	fg->cli[i].gen = fg->next_gen++;
	fg->cli[i].in_len = 0;
	fg->cli[i].n_watches = 0;
	fg->cli[i].n_tx = 0;
}

/* See fgring.h. */
int
fg_serve(struct fg_ring *fg, int extra_fd, int timeout_ms)
{
	struct pollfd p[3 + FG_MAX_CLIENTS];
	int slot[3 + FG_MAX_CLIENTS];
	char drain[64];
	int n = 0, i, k, rc, ret = 0;

	do {
		rc = fg_pull(fg);
		if (rc < 0)
			return rc;
		for (i = 0; i < FG_MAX_CLIENTS; i++)
			if (fg->cli[i].fd >= 0 && fg->cli[i].in_len > 0)
				fg_parse_client(fg, i);
	} while ((fg_push(fg) | rc) != 0);
	p[n].fd = fg->evt_fd;
	p[n].events = POLLIN;
	slot[n++] = -1;
	p[n].fd = fg->listen_fd;
	p[n].events = POLLIN;
	slot[n++] = -2;
	p[n].fd = extra_fd;
	p[n].events = POLLIN;
	slot[n++] = -3;
	for (i = 0; fg_room(fg, FG_MSG_MAX + FG_TOKEN_EXTRA) &&
	    i < FG_MAX_CLIENTS; i++) {
		if (fg->cli[i].fd >= 0) {
			p[n].fd = fg->cli[i].fd;
			p[n].events = POLLIN;
			slot[n++] = i;
		}
	}
	if (poll(p, (nfds_t)n, timeout_ms) < 0)
		return errno == EINTR ? 0 : -errno;
	for (k = 0; k < n; k++) {
		if (p[k].revents == 0)
			continue;
		if (slot[k] == -1)
			while (recv(fg->evt_fd, drain, sizeof(drain),
			    MSG_DONTWAIT) > 0)
				;
		else if (slot[k] == -2)
			fg_accept(fg);
		else if (slot[k] == -3)
			ret = 1;
		else if (fg->cli[slot[k]].fd == p[k].fd)
			fg_read_client(fg, slot[k]);
	}
	return ret;
}
