/*
 * backend_libvirt.c - the libvirt backend of cagmad-libvirt: the
 * connection (open, keepalive, loss and reconnect with backoff), the event
 * thread, its own side (struct backend_side): no xenstore, no Xen library,
 * and open/close.  The domains (listing, balloon current, targets with
 * virDomainSetMemory, host free memory from the host's /proc/meminfo, the
 * stats polling) are in backend_libvirt_dom.c; the state both use in
 * backend_libvirt_int.h.  Only these three files include libvirt's headers.
 *
 * Records: each tracked domain's balloon statistics (virDomainMemoryStats)
 * are polled every [libvirt] stats_period seconds, the period cagmad sets
 * with virDomainSetMemoryStatsPeriod, and a sample whose last_update moved
 * becomes a record (lvrec.c) that goes through the same intake as an
 * agent's (dom_intake_built()).  Events: libvirt's default event loop runs
 * in one thread of its own; its callbacks (lifecycle, balloon change,
 * connection closed) only write a fixed-size message to a pipe, whose read
 * end is the fd cagmad's poll loop watches, so every other call runs in
 * cagmad's one thread.  Lifecycle events ask for a rescan, balloon-change
 * events update the balloon current the rounds read (no polling for it).
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

#include "backend_libvirt_int.h"
#include "mtime.h"
#define LV_LOG_INTERVAL_MS	10000	/* libvirt call failures: 1 / 10 s */
#define LV_LOG_BURST		5

enum lv_msg_type { LV_MSG_LIFECYCLE, LV_MSG_BALLOON, LV_MSG_CLOSED };

/* One event, from the event thread to cagmad's thread (< PIPE_BUF). */
struct lv_msg {
	uint32_t type;
	unsigned int id;		/* libvirt domain id */
	uint64_t actual_kb;		/* LV_MSG_BALLOON */
};

static volatile int lv_stop;
static int lv_pipe_w = -1;	/* the event thread's end */

/* ---- event thread: callbacks only write messages ---- */

static void
lv_send(uint32_t type, unsigned int id, uint64_t actual_kb)
{
	struct lv_msg m = { type, id, actual_kb };

	/* full pipe: dropped; stats polls and the rescan catch up */
	(void)!write(lv_pipe_w, &m, sizeof(m));
}

static int
lv_on_life(virConnectPtr conn, virDomainPtr dom, int event, int detail,
    void *opaque)
{
	(void)conn; (void)event; (void)detail; (void)opaque;
	lv_send(LV_MSG_LIFECYCLE, virDomainGetID(dom), 0);
	return 0;
}

static void
lv_on_balloon(virConnectPtr conn, virDomainPtr dom, unsigned long long actual,
    void *opaque)
{
	(void)conn; (void)opaque;
	lv_send(LV_MSG_BALLOON, virDomainGetID(dom), actual);
}

static void
lv_on_close(virConnectPtr conn, int reason, void *opaque)
{
	(void)conn; (void)reason; (void)opaque;
	lv_send(LV_MSG_CLOSED, 0, 0);
}

static void
lv_wake(int timer, void *opaque)
{
	(void)opaque;
	virEventRemoveTimeout(timer);
}

static void *
lv_event_thread(void *arg)
{
	(void)arg;
	while (!lv_stop)
		if (virEventRunDefaultImpl() < 0)
			break;
	return NULL;
}

/* libvirt prints its errors to stderr by default: cagmad logs its own. */
static void
lv_quiet(void *opaque, virErrorPtr err)
{
	(void)opaque; (void)err;
}

/* ---- cagmad's thread ---- */

/* See backend_libvirt_int.h. */
void
lv_warn(struct lv *l, const char *what, uint32_t slot)
{
	virErrorPtr e = virGetLastError();
	char msg[256];
	uint32_t sup = 0;

	if (!log_ratelimit(&l->rl, mtime_ms(), &sup))
		return;
	log_escape(msg, sizeof(msg), e != NULL && e->message != NULL ?
	    e->message : "unknown error", e != NULL && e->message != NULL ?
	    strlen(e->message) : 13);
	if (slot != 0)
		log_warnx("domid %u: %s: %s%s", slot, what, msg,
		    sup > 0 ? " (similar lines suppressed)" : "");
	else
		log_warnx("libvirt: %s: %s%s", what, msg,
		    sup > 0 ? " (similar lines suppressed)" : "");
}

/* Deregister the events and close the connection, if open. */
static void
lv_disconnect(struct lv *l)
{
	if (l->conn == NULL)
		return;
	(void)virConnectDomainEventDeregisterAny(l->conn, l->cb_life);
	(void)virConnectDomainEventDeregisterAny(l->conn, l->cb_balloon);
	(void)virConnectUnregisterCloseCallback(l->conn, lv_on_close);
	(void)virConnectClose(l->conn);
	l->conn = NULL;
}

/* The connection is gone: drop every handle, retry with backoff. */
static void
lv_lost(struct cagmad *c, uint64_t now_ms)
{
	struct lv *l = c->be.priv;
	size_t i;

	if (l->down)
		return;
	log_warnx("libvirt connection to %s lost: reconnecting, %zu domains "
	    "and their targets kept", l->uri, c->tbl->n);
	for (i = 1; i < DOM_ID_MAX; i++)
		if (l->by_slot[i] != NULL && l->by_slot[i]->dom != NULL) {
			virDomainFree(l->by_slot[i]->dom);
			l->by_slot[i]->dom = NULL;
		}
	lv_disconnect(l);
	l->down = true;
	sched_backoff_start(&l->bo, now_ms);
}

/* Open the connection and register the events.  0 or -errno. */
static int
lv_connect(struct lv *l)
{
	l->conn = virConnectOpen(l->uri);
	if (l->conn == NULL) {
		lv_warn(l, "virConnectOpen", 0);
		return -ECONNREFUSED;
	}
	l->cb_life = virConnectDomainEventRegisterAny(l->conn, NULL,
	    VIR_DOMAIN_EVENT_ID_LIFECYCLE, VIR_DOMAIN_EVENT_CALLBACK(lv_on_life),
	    NULL, NULL);
	l->cb_balloon = virConnectDomainEventRegisterAny(l->conn, NULL,
	    VIR_DOMAIN_EVENT_ID_BALLOON_CHANGE,
	    VIR_DOMAIN_EVENT_CALLBACK(lv_on_balloon), NULL, NULL);
	if (l->cb_life < 0 || l->cb_balloon < 0 ||
	    virConnectRegisterCloseCallback(l->conn, lv_on_close, NULL,
	    NULL) != 0) {
		lv_warn(l, "registering domain events", 0);
		(void)virConnectClose(l->conn);
		l->conn = NULL;
		return -EIO;
	}
	/* keepalive: a dead libvirtd is noticed within ~30 s */
	(void)virConnectSetKeepAlive(l->conn, 5, 5);
	return 0;
}

static void
lv_side_tick(struct cagmad *c, uint64_t now_ms)
{
	struct lv *l = c->be.priv;
	uint64_t t0_us;
	size_t i;

	if (l->down && sched_backoff_due(&l->bo, now_ms)) {
		if (lv_connect(l) != 0) {
			sched_backoff_fail(&l->bo, now_ms);
			return;
		}
		l->down = false;
		c->rescan = true;
		log_info("libvirt: reconnected to %s, rescanning", l->uri);
	}
	if (lvside_chan_next_ms(&l->side, now_ms) <= now_ms)
		(void)lvside_chan_service(c, &l->side, now_ms);
	if (l->down || now_ms < l->next_poll_ms)
		return;
	if (c->rescan)
		(void)daemon_rescan(c, now_ms);
	t0_us = mtime_us();
	l->next_poll_ms = now_ms + c->cfg.libvirt.stats_period_s * 1000ULL;
	for (i = 0; i < c->tbl->n && !l->down; i++)
		lv_poll_one(c, c->tbl->list[i], now_ms);
	daemon_emergency(c, now_ms, t0_us);
}

static int
lv_side_ready(struct cagmad *c, uint64_t now_ms)
{
	struct lv *l = c->be.priv;
	struct lv_dom *ld;
	struct lv_msg m;
	int i;

	for (i = 0; i < DAEMON_DRAIN_MAX; i++) {
		if (read(l->pipe[0], &m, sizeof(m)) != (ssize_t)sizeof(m))
			break;
		if (m.type == LV_MSG_CLOSED) {
			lv_lost(c, now_ms);
		} else if (m.type == LV_MSG_LIFECYCLE) {
			c->rescan = true;
		} else if (m.type == LV_MSG_BALLOON && !l->down) {
			ld = lv_by_id(l, m.id);
			if (ld != NULL)
				ld->pub.actual_kb = m.actual_kb;
		}
	}
	if (c->rescan && !l->down)
		(void)daemon_rescan(c, now_ms);
	(void)lvside_chan_service(c, &l->side, now_ms);
	return 0;
}

static void
lv_side_hangup(struct cagmad *c, uint64_t now_ms)
{
	(void)now_ms;
	fatalx("libvirt event pipe of %s broke", ((struct lv *)
	    c->be.priv)->uri);
}

static int
lv_side_fd(const struct cagmad *c)
{
	return ((const struct lv *)c->be.priv)->side.epfd;
}

static bool
lv_side_up(struct cagmad *c, uint64_t now_ms)
{
	(void)now_ms;
	return !((struct lv *)c->be.priv)->down;
}

static uint64_t
lv_side_timeout(const struct cagmad *c, uint64_t now_ms, uint64_t core_ms)
{
	const struct lv *l = c->be.priv;
	uint64_t poll_ms, chan_ms = lvside_chan_next_ms(&l->side, now_ms);

	chan_ms = chan_ms == UINT64_MAX ? UINT64_MAX : chan_ms > now_ms ?
	    chan_ms - now_ms : 0;
	if (l->down)
		poll_ms = sched_backoff_timeout_ms(&l->bo, now_ms);
	else
		poll_ms = l->next_poll_ms > now_ms ? l->next_poll_ms - now_ms :
		    0;
	if (!l->down && core_ms < poll_ms)
		poll_ms = core_ms;
	return chan_ms < poll_ms ? chan_ms : poll_ms;
}

static int
lv_side_facts(struct cagmad *c, const struct be_dom *b, struct be_facts *out)
{
	struct lv_dom *ld = lv_slot(&c->be, b->domid);

	if (ld == NULL)
		return -EAGAIN;
	memcpy(out->name, ld->name, sizeof(out->name));
	if (out->name[0] == '\0')
		snprintf(out->name, sizeof(out->name), "domain-%u", b->domid);
	out->max_kb = ld->pub.max_kb > CG_MAX_KB ? CG_MAX_KB : ld->pub.max_kb;
	out->target_kb = ld->pub.actual_kb;
	if (ld->pub.autodeflate)
		log_info("domid %u: '%s' has memballoon autodeflate='on': "
		    "its MemTotal stays full, the balloon is taken off it",
		    b->domid, out->name);
	return 0;
}

static void
lv_side_track(struct cagmad *c, const struct dom *d, bool on)
{
	(void)c; (void)d; (void)on;	/* lv_list() keeps the handles */
}

static int
lv_side_start(struct cagmad *c)
{
	(void)c;
	return 0;
}

static void
lv_side_stop(struct cagmad *c)
{
	(void)c;
}

static const struct backend_side lv_side = {
	.name = "libvirt",
	.start = lv_side_start,
	.fd = lv_side_fd,
	.ready = lv_side_ready,
	.hangup = lv_side_hangup,
	.tick = lv_side_tick,
	.up = lv_side_up,
	.timeout_ms = lv_side_timeout,
	.facts = lv_side_facts,
	.track = lv_side_track,
	.stop = lv_side_stop,
};

static void
lv_close(struct backend *be)
{
	struct lv *l = be->priv;
	size_t i;

	if (l == NULL)
		return;
	if (l->stats_calls > 0 || l->setmem_calls > 0)
		log_info("libvirt: %llu virDomainMemoryStats calls, mean %llu "
		    "us; %llu virDomainSetMemory calls, mean %llu us; %llu "
		    "agent channel lines",
		    (unsigned long long)l->stats_calls,
		    (unsigned long long)(l->stats_calls ? l->stats_us /
		    l->stats_calls : 0), (unsigned long long)l->setmem_calls,
		    (unsigned long long)(l->setmem_calls ? l->setmem_us /
		    l->setmem_calls : 0),
		    (unsigned long long)l->side.chan_lines);
	for (i = 1; i < DOM_ID_MAX; i++)
		if (l->by_slot[i] != NULL)
			lv_forget(l, l->by_slot[i]);
	if (l->side_up)
		lvside_fini(&l->side);
	lv_disconnect(l);
	if (l->thread_up) {
		lv_stop = 1;
		(void)virEventAddTimeout(0, lv_wake, NULL, NULL);
		(void)pthread_join(l->thread, NULL);
	}
	if (l->pipe[0] >= 0)
		close(l->pipe[0]);
	/* the write end stays open: a late callback must not hit a reused fd */
	free(l);
	be->priv = NULL;
}

static const struct backend_ops lv_ops = {
	.name = "libvirt",
	.list = lv_list,
	.current = lv_current,
	.set_target = lv_set_target,
	.free_memory = lv_free_memory,
	.reconnect = NULL,
	.tick = NULL,
	.close = lv_close,
};

/* See backend.h. */
int
backend_libvirt_open(struct backend *be)
{
	struct lv *l;
	int rc;

	l = calloc(1, sizeof(*l));
	if (l == NULL)
		return -ENOMEM;
	l->pipe[0] = l->pipe[1] = -1;
	be->priv = l;
	be->ops = &lv_ops;
	be->side = &lv_side;
	l->rl = (struct log_ratelimit)LOG_RATELIMIT_INIT(LV_LOG_INTERVAL_MS,
	    LV_LOG_BURST);
	snprintf(l->uri, sizeof(l->uri), "%s", be->c->connect_uri != NULL ?
	    be->c->connect_uri : be->cfg->libvirt.uri);
	if (pipe(l->pipe) != 0)
		return -errno;
	for (rc = 0; rc < 2; rc++)
		if (fcntl(l->pipe[rc], F_SETFL, O_NONBLOCK) != 0 ||
		    fcntl(l->pipe[rc], F_SETFD, FD_CLOEXEC) != 0)
			return -errno;
	lv_pipe_w = l->pipe[1];
	rc = lvside_init(&l->side, l->pipe[0]);
	if (rc != 0)
		return rc;
	l->side_up = true;
	be->side_priv = &l->side;
	virSetErrorFunc(NULL, lv_quiet);
	if (virEventRegisterDefaultImpl() != 0)
		return -EIO;
	rc = lv_connect(l);
	if (rc != 0) {
		log_warnx("libvirt: cannot connect to %s (libvirtd running? "
		    "--connect URI)", l->uri);
		return rc;
	}
	rc = pthread_create(&l->thread, NULL, lv_event_thread, NULL);
	if (rc != 0)
		return -rc;
	l->thread_up = true;
	log_info("libvirt: connected to %s, stats period %u s", l->uri,
	    be->cfg->libvirt.stats_period_s);
	return 0;
}
