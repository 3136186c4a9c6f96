/*
 * lvside.c - the libvirt backend's libvirt-free parts (see lvside.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "daemon.h"
#include "log.h"
#include "lvside.h"
#include "mtime.h"
#include "procfs.h"

#define LVSIDE_MEMINFO		"/proc/meminfo"
#define LVSIDE_MEMINFO_MAX	16384	/* bytes of /proc/meminfo read */

int
lvside_init(struct lvside *s, int pipe_fd)
{
	struct epoll_event ev;
	int rc;

	memset(s, 0, sizeof(*s));
	s->epfd = -1;
	rc = chanset_init(&s->cs);
	if (rc != 0)
		return rc;
	s->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (s->epfd < 0)
		return -errno;
	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLIN;
	ev.data.fd = pipe_fd;
	if (epoll_ctl(s->epfd, EPOLL_CTL_ADD, pipe_fd, &ev) != 0)
		return -errno;
	ev.data.fd = chanset_fd(&s->cs);
	if (epoll_ctl(s->epfd, EPOLL_CTL_ADD, chanset_fd(&s->cs), &ev) != 0)
		return -errno;
	return 0;
}

void
lvside_fini(struct lvside *s)
{
	chanset_fini(&s->cs);
	if (s->epfd >= 0)
		close(s->epfd);
	s->epfd = -1;
}

/* After a record of d was taken: its safety floor, from that record. */
static void
lvside_floor(struct dom *d, const struct lvside_dom *ld, enum dom_intake v)
{
	if (v != DOM_INTAKE_REJECTED && d->vm.has_rec)
		dom_set_floor(d, d->cfg_floor_kb,
		    lvrec_safe_floor_kb(&d->vm.rec, ld->actual_kb));
}

/* An autodeflate guest's agent record: decode, balloon off MemTotal. */
static enum dom_intake
lvside_line_deflated(struct cagmad *c, struct dom *d, struct lvside_dom *ld,
    const char *untrusted, size_t len, uint64_t now_ms,
    struct dom_reject *why)
{
	struct record_error rerr = { RECORD_OK, -1 };
	struct cg_record rec;

	if (record_decode(untrusted, len, &rec, &rerr) != 0) {
		dom_reject_why(d, record_strerror(rerr.reason), now_ms,
		    c->cfg.stale_ms, why);
		return DOM_INTAKE_REJECTED;
	}
	if (lvrec_deflate(&rec, ld->max_kb, ld->actual_kb) != 0) {
		dom_reject_why(d, "balloon above MemTotal", now_ms,
		    c->cfg.stale_ms, why);
		return DOM_INTAKE_REJECTED;
	}
	return dom_intake_built(d, d->ops != NULL ? d->ops : c->ops, &c->pcfg,
	    &rec, cg_mandatory_mask, now_ms, c->cfg.stale_ms, why);
}

static void
lvside_on_line(void *ctx, const char *untrusted, size_t len)
{
	struct lvside_dom *ld = ctx;
	struct cagmad *c = ld->c;
	struct lvside *s = c->be.side_priv;
	struct dom *d = dom_find(c->tbl, ld->slot);
	struct dom_reject why = { "", -1 };
	enum dom_intake v;

	if (d == NULL)
		return;		/* not tracked (yet) */
	s->chan_lines++;
	if (ld->autodeflate)
		v = lvside_line_deflated(c, d, ld, untrusted, len, s->now_ms,
		    &why);
	else
		v = dom_intake(d, d->ops != NULL ? d->ops : c->ops, &c->pcfg,
		    untrusted, len, s->now_ms, c->cfg.stale_ms, &why);
	if ((v == DOM_INTAKE_NORMAL || v == DOM_INTAKE_URGENT) &&
	    ld->chan_rec_ms == 0)
		log_info("domid %u: records from its agent channel (the "
		    "statistics-built ones pause while they come)", ld->slot);
	if (v == DOM_INTAKE_NORMAL || v == DOM_INTAKE_URGENT)
		ld->chan_rec_ms = s->now_ms;
	lvside_floor(d, ld, v);
	daemon_intake_done(c, d, v, &why, s->now_ms);
}

static void
lvside_on_oversize(void *ctx)
{
	struct lvside_dom *ld = ctx;
	struct cagmad *c = ld->c;
	struct lvside *s = c->be.side_priv;
	struct dom *d = dom_find(c->tbl, ld->slot);
	struct dom_reject why = { "", -1 };

	if (d == NULL)
		return;
	dom_reject_oversize(d, s->now_ms, c->cfg.stale_ms, &why);
	daemon_intake_done(c, d, DOM_INTAKE_REJECTED, &why, s->now_ms);
}

int
lvside_chan_add(struct lvside *s, struct lvside_dom *d, const char *path,
    uint64_t now_ms)
{
	struct chan_sink sink = { lvside_on_line, lvside_on_oversize, d };
	int rc;

	if (d->has_chan)
		return 0;
	rc = chanset_add(&s->cs, &d->chan, path, &sink, now_ms);
	if (rc != 0)
		return rc;
	d->has_chan = true;
	return 0;
}

void
lvside_chan_del(struct lvside *s, struct lvside_dom *d)
{
	if (!d->has_chan)
		return;
	chanset_del(&s->cs, &d->chan);
	d->has_chan = false;
}

int
lvside_chan_service(struct cagmad *c, struct lvside *s, uint64_t now_ms)
{
	uint64_t t0_us = mtime_us();
	int n;

	s->now_ms = now_ms;
	n = chanset_service(&s->cs, now_ms);
	if (n < 0) {
		log_warnx("agent channels: %s", strerror(-n));
		return 0;
	}
	if (n > 0)
		daemon_emergency(c, now_ms, t0_us);
	return n;
}

uint64_t
lvside_chan_next_ms(const struct lvside *s, uint64_t now_ms)
{
	return chanset_next_ms(&s->cs, now_ms);
}

void
lvside_take_stats(struct cagmad *c, struct lvside_dom *ld,
    const struct lvrec_stats *st, uint64_t now_ms)
{
	struct dom *d = dom_find(c->tbl, ld->slot);
	struct dom_reject why = { "", -1 };
	struct cg_record rec;
	enum dom_intake v;
	int rc;

	if (d == NULL)
		return;
	if (ld->chan_rec_ms != 0 && now_ms >= ld->chan_rec_ms &&
	    now_ms - ld->chan_rec_ms <= c->cfg.stale_ms)
		return;		/* the agent's records are the richer ones */
	rc = lvrec_from_stats(st, ++ld->seq, ld->max_kb, ld->autodeflate,
	    &rec);
	if (rc == -ENODATA)
		return;		/* no balloon driver (yet): no record */
	if (rc != 0) {
		dom_reject_why(d, "inconsistent balloon statistics", now_ms,
		    c->cfg.stale_ms, &why);
		v = DOM_INTAKE_REJECTED;
	} else {
		v = dom_intake_built(d, d->ops != NULL ? d->ops : c->ops,
		    &c->pcfg, &rec, lvrec_required, now_ms, c->cfg.stale_ms,
		    &why);
	}
	lvside_floor(d, ld, v);
	daemon_intake_done(c, d, v, &why, now_ms);
}

int
lvside_free_kb(uint64_t owed_kb, uint64_t *free_kb_out)
{
	struct procfs_meminfo mi;
	char buf[LVSIDE_MEMINFO_MAX];
	uint64_t avail;
	ssize_t n;
	int fd, rc;

	fd = open(LVSIDE_MEMINFO, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = pread(fd, buf, sizeof(buf), 0);
	rc = n < 0 ? -errno : 0;
	close(fd);
	if (rc != 0)
		return rc;
	rc = procfs_parse_meminfo(buf, (size_t)n, &mi);
	if (rc != 0)
		return rc;
	avail = mi.kb[PROCFS_MEM_AVAIL];
	*free_kb_out = avail > owed_kb ? avail - owed_kb : 0;
	return 0;
}
