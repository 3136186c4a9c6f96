/*
 * control.c - the control socket server and the status renderers.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "control.h"
#include "daemon.h"
#include "log.h"
#include "mtime.h"
#include "num.h"
#include "plan.h"

#define CONTROL_TIMEOUT_MS	2000	/* a client idle this long is dropped */

static void
control_json_str(FILE *fp, const char *s)
{
	fputc('"', fp);
	for (; *s != '\0'; s++) {
		if (*s == '"' || *s == '\\')
			fputc('\\', fp);
		if ((unsigned char)*s < 0x20)
			fprintf(fp, "\\u%04x", (unsigned char)*s);
		else
			fputc(*s, fp);
	}
	fputc('"', fp);
}

/* One reservation as "key=value ..." (text) or a JSON object. */
static void
control_resv_one(const struct resv *r, uint64_t now_ms, bool json, FILE *fp)
{
	uint64_t left = r->deadline_ms > now_ms ? r->deadline_ms - now_ms : 0;

	fprintf(fp, json ? "{\"id\":%u,\"state\":\"%s\",\"size_kb\":%llu,"
	    "\"age_ms\":%llu,\"freeing_ms\":%lld,\"deadline_in_ms\":%llu}" :
	    "id=%u state=%s size_kb=%llu age_ms=%llu freeing_ms=%lld "
	    "deadline_in_ms=%llu\n", r->id, resv_state_str(r->state),
	    (unsigned long long)r->size_kb,
	    (unsigned long long)(now_ms - r->created_ms),
	    r->ready_ms != 0 ? (long long)(r->ready_ms - r->created_ms) : -1LL,
	    resv_live(r->state) ? (unsigned long long)left : 0ULL);
}

/* The table's entries in id order: JSON array items or text lines. */
static void
control_resv_list(const struct cagmad *c, bool json, FILE *fp)
{
	uint64_t now_ms = mtime_ms();
	uint32_t last = 0, best;
	const struct resv *r;
	bool first = true;
	size_t i;

	for (;;) {
		best = UINT32_MAX;
		for (i = 0; i < RESV_MAX; i++) {
			r = &c->resv.r[i];
			if (r->state != RESV_UNUSED && r->id > last &&
			    r->id < best)
				best = r->id;
		}
		if (best == UINT32_MAX)
			return;
		r = resv_find(&c->resv, best);
		if (json && !first)
			fputc(',', fp);
		if (!json)
			fputs("  reservation ", fp);
		control_resv_one(r, now_ms, json, fp);
		first = false;
		last = best;
	}
}

static void
control_status_json(const struct cagmad *c, FILE *fp)
{
	const struct dom *d;
	size_t i;

	fprintf(fp, "{\"policy\":");
	control_json_str(fp, c->ops != NULL ? c->ops->name : "");
	fprintf(fp, ",\"dry_run\":%s,\"host\":{\"free_kb\":%llu,"
	    "\"reserve_kb\":%llu,\"inflight_kb\":%llu,\"held_kb\":%llu,"
	    "\"building\":%s},\"rounds\":%llu,"
	    "\"emergencies\":%llu,\"emergency_domains\":%llu,"
	    "\"records_total\":%llu,\"reservations\":[",
	    c->dry_run ? "true" : "false",
	    (unsigned long long)c->free_kb,
	    (unsigned long long)c->cfg.reserve_kb,
	    (unsigned long long)c->inflight_kb,
	    (unsigned long long)resv_held_kb(&c->resv),
	    c->building ? "true" : "false",
	    (unsigned long long)c->rounds,
	    (unsigned long long)c->emergencies,
	    (unsigned long long)c->emergency_doms,
	    (unsigned long long)c->records);
	control_resv_list(c, true, fp);
	fprintf(fp, "],\"domains\":[");
	for (i = 0; i < c->tbl->n; i++) {
		d = c->tbl->list[i];
		fprintf(fp, "%s{\"domid\":%u,\"name\":", i > 0 ? "," : "",
		    d->domid);
		control_json_str(fp, d->name);
		fprintf(fp, ",\"current_kb\":%llu,\"target_kb\":%llu,"
		    "\"max_kb\":%llu,\"cma_kb\":%llu,\"avail_kb\":%llu,"
		    "\"swapin_rate\":%llu,\"state\":\"%s\",\"reason\":\"%s\","
		    "\"records\":%llu,\"rejected\":%llu,"
		    "\"unmet_emergencies\":%llu,\"at_max\":%s}",
		    (unsigned long long)d->vm.current_kb,
		    (unsigned long long)d->vm.target_kb,
		    (unsigned long long)d->vm.max_kb,
		    (unsigned long long)d->vm.est.cma_kb,
		    (unsigned long long)record_get(&d->vm.rec,
		    CG_F_MEM_AVAIL, 0),
		    (unsigned long long)d->vm.est.swapin_rate,
		    policy_state_str(d->vm.state), policy_reason_str(d->reason),
		    (unsigned long long)d->records,
		    (unsigned long long)d->rejected,
		    (unsigned long long)d->unmet,
		    d->at_max ? "true" : "false");
	}
	fprintf(fp, "]}\n");
}

void
control_status(const struct cagmad *c, bool json, FILE *fp)
{
	const struct dom *d;
	size_t i;

	if (json) {
		control_status_json(c, fp);
		return;
	}
	fprintf(fp, "policy %s%s  host free %llu MiB  reserve %llu MiB  "
	    "in flight %llu MiB  rounds %llu  emergencies %llu\n",
	    c->ops != NULL ? c->ops->name : "?", c->dry_run ? " (dry-run)" : "",
	    (unsigned long long)c->free_kb / 1024,
	    (unsigned long long)c->cfg.reserve_kb / 1024,
	    (unsigned long long)c->inflight_kb / 1024,
	    (unsigned long long)c->rounds,
	    (unsigned long long)c->emergencies);
	fprintf(fp, "%6s %-16s %9s %9s %9s %9s %9s %-13s %-9s %s\n", "DOMID",
	    "NAME", "CUR(MiB)", "TGT(MiB)", "CMA(MiB)", "AVL(MiB)", "SWPIN/s",
	    "STATE", "REASON", "UNMET");
	for (i = 0; i < c->tbl->n; i++) {
		d = c->tbl->list[i];
		fprintf(fp, "%6u %-16.16s %9llu %9llu %9llu %9llu %9llu %-13s "
		    "%-9s %llu%s\n", d->domid, d->name,
		    (unsigned long long)d->vm.current_kb / 1024,
		    (unsigned long long)d->vm.target_kb / 1024,
		    (unsigned long long)d->vm.est.cma_kb / 1024,
		    (unsigned long long)record_get(&d->vm.rec,
		    CG_F_MEM_AVAIL, 0) / 1024,
		    (unsigned long long)d->vm.est.swapin_rate,
		    policy_state_str(d->vm.state), policy_reason_str(d->reason),
		    (unsigned long long)d->unmet, d->at_max ? " (at max)" : "");
	}
	if (resv_held_kb(&c->resv) > 0 || c->building)
		fprintf(fp, "held for new domains %llu MiB%s\n",
		    (unsigned long long)resv_held_kb(&c->resv) / 1024,
		    c->building ? "; a new domain is being built: no grows "
		    "from free memory" : "");
	control_resv_list(c, false, fp);
}

/* Fresh host facts for a reservation command. */
static void
control_host(struct cagmad *c, uint64_t now_ms, struct policy_host *host)
{
	if (c->be.ops->free_memory(&c->be, &host->free_kb) != 0)
		host->free_kb = 0;	/* unknown: count only the guests */
	host->reserve_kb = c->cfg.reserve_kb;
	host->resv_kb = 0;
	host->now_ms = now_ms;
}

/* "reserve SIZE_KB TIMEOUT_MS": a new reservation, or why not. */
static void
control_reserve(struct cagmad *c, const char *args, FILE *fp)
{
	const char *sp = strchr(args, ' ');
	uint64_t size_kb, timeout_ms, freeable = 0, now_ms = mtime_ms();
	struct policy_host host;
	uint32_t id = 0;
	int rc;

	if (sp == NULL || num_parse_u64(args, (size_t)(sp - args), 1,
	    RESV_SIZE_MAX_KB, &size_kb) != 0 || num_parse_u64(sp + 1,
	    strlen(sp + 1), 1, RESV_TIMEOUT_MAX_MS, &timeout_ms) != 0) {
		fputs("error: usage: reserve SIZE_KB TIMEOUT_MS\n", fp);
		return;
	}
	control_host(c, now_ms, &host);
	rc = plan_resv_request(c->tbl, &c->pcfg, &host, &c->resv, c->vms,
	    size_kb, timeout_ms, &id, &freeable);
	if (rc == -ENOSPC) {
		log_info("reservation of %llu KiB refused: at most %llu KiB "
		    "can be freed", (unsigned long long)size_kb,
		    (unsigned long long)freeable);
		fprintf(fp, "error: refused: %llu KiB asked, at most %llu KiB "
		    "can be freed now (host free above the reserve and what "
		    "cooperative guests hold above their CMA and min) "
		    "freeable_kb=%llu\n", (unsigned long long)size_kb,
		    (unsigned long long)freeable,
		    (unsigned long long)freeable);
		return;
	}
	if (rc != 0) {
		fprintf(fp, "error: %s\n", rc == -EBUSY ? "too many "
		    "reservations" : strerror(-rc));
		return;
	}
	log_info("reservation %u: %llu KiB within %llu ms (%llu KiB "
	    "freeable): %s", id, (unsigned long long)size_kb,
	    (unsigned long long)timeout_ms, (unsigned long long)freeable,
	    resv_state_str(resv_find(&c->resv, id)->state));
	sched_note_record(&c->sched);	/* plan soon: reclaim for it */
	control_resv_one(resv_find(&c->resv, id), now_ms, false, fp);
}

/* "resv ID" (its state) or "release ID". */
static void
control_resv_cmd(struct cagmad *c, const char *args, bool release,
    FILE *fp)
{
	const struct resv *r;
	uint64_t id;
	int rc;

	if (num_parse_u64(args, strlen(args), 1, UINT32_MAX, &id) != 0) {
		fputs("error: usage: resv|release ID\n", fp);
		return;
	}
	if (!release) {
		struct policy_host host;

		control_host(c, mtime_ms(), &host);
		plan_resv_refresh(c->tbl, &host, &c->resv);
	}
	if (release) {
		rc = resv_release(&c->resv, (uint32_t)id, mtime_ms());
		if (rc == -EALREADY) {
			fprintf(fp, "error: reservation %llu already ended "
			    "(%s)\n", (unsigned long long)id, resv_state_str(
			    resv_find(&c->resv, (uint32_t)id)->state));
			return;
		}
		if (rc == 0) {
			uint64_t now = mtime_ms();
			enum resv_state st = resv_find(&c->resv,
			    (uint32_t)id)->state;

			log_info("reservation %llu: released (%s)",
			    (unsigned long long)id, resv_state_str(st));
			/*
			 * Used: a domain now exists that will allocate the
			 * memory (cagmactl releases once xl domid finds it),
			 * before cagmad lists it: no grows from free memory
			 * meanwhile (plan_in.unbuilt), and list it soon.
			 */
			if (st == RESV_DONE) {
				c->unbuilt_ms = now ? now : 1;
				c->rescan = true;
			}
			sched_note_record(&c->sched);
		}
	}
	r = resv_find(&c->resv, (uint32_t)id);
	if (r == NULL)
		fprintf(fp, "error: no reservation %llu\n",
		    (unsigned long long)id);
	else
		control_resv_one(r, mtime_ms(), false, fp);
}

int
control_open(struct control *ctl, const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char dir[sizeof(sa.sun_path)];
	char *slash;
	mode_t old;
	int i, rc;

	memset(ctl, 0, sizeof(*ctl));
	ctl->lfd = -1;
	ctl->path = path;
	for (i = 0; i < CONTROL_CLIENTS_MAX; i++)
		ctl->cl[i].fd = -1;
	if (strlen(path) >= sizeof(sa.sun_path)) {
		log_warnx("control socket path too long: %s", path);
		return -ENAMETOOLONG;
	}
	strcpy(sa.sun_path, path);
	strcpy(dir, path);
	slash = strrchr(dir, '/');
	if (slash != NULL && slash != dir) {
		*slash = '\0';
		if (mkdir(dir, 0755) != 0 && errno != EEXIST)
			log_warn("mkdir %s", dir);
	}
	ctl->lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0);
	if (ctl->lfd < 0) {
		rc = -errno;
		log_warn("socket");
		return rc;
	}
	(void)unlink(path);
	/* umask so the socket is never reachable by others, even briefly */
	old = umask(0177);
	rc = bind(ctl->lfd, (struct sockaddr *)&sa, sizeof(sa));
	umask(old);
	if (rc != 0 || listen(ctl->lfd, 8) != 0) {
		rc = -errno;
		log_warn("control socket %s", path);
		close(ctl->lfd);
		ctl->lfd = -1;
		return rc;
	}
	return 0;
}

static void
control_drop(struct control_client *cl)
{
	if (cl->fd >= 0)
		close(cl->fd);
	free(cl->out);
	memset(cl, 0, sizeof(*cl));
	cl->fd = -1;
}

void
control_close(struct control *ctl)
{
	int i;

	for (i = 0; i < CONTROL_CLIENTS_MAX; i++)
		if (ctl->cl[i].fd >= 0)
			control_drop(&ctl->cl[i]);
	if (ctl->lfd >= 0) {
		close(ctl->lfd);
		(void)unlink(ctl->path);
	}
	ctl->lfd = -1;
}

size_t
control_pollfds(const struct control *ctl, struct pollfd *pfd)
{
	size_t n = 0;
	int i;

	if (ctl->lfd < 0)
		return 0;
	pfd[n++] = (struct pollfd){ .fd = ctl->lfd, .events = POLLIN };
	for (i = 0; i < CONTROL_CLIENTS_MAX; i++)
		if (ctl->cl[i].fd >= 0)
			pfd[n++] = (struct pollfd){ .fd = ctl->cl[i].fd,
			    .events = ctl->cl[i].out != NULL ? POLLOUT :
			    POLLIN };
	return n;
}

static bool
control_peer_ok(int fd)
{
	struct ucred cr;
	socklen_t len = sizeof(cr);

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &len) != 0)
		return false;
	return cr.uid == 0 || cr.uid == geteuid();
}

static void
control_accept(struct control *ctl, unsigned long long now_ms)
{
	int fd, i;

	for (;;) {
		fd = accept4(ctl->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0)
			return;
		for (i = 0; i < CONTROL_CLIENTS_MAX; i++)
			if (ctl->cl[i].fd < 0)
				break;
		if (i == CONTROL_CLIENTS_MAX || !control_peer_ok(fd)) {
			close(fd);
			continue;
		}
		ctl->cl[i].fd = fd;
		ctl->cl[i].in_len = 0;
		ctl->cl[i].start_ms = now_ms;
	}
}

/* A complete command line arrived: build the reply. */
static void
control_command(struct control_client *cl, struct cagmad *c)
{
	FILE *fp;
	size_t len = 0;

	fp = open_memstream(&cl->out, &len);
	if (fp == NULL) {
		control_drop(cl);
		return;
	}
	if (strcmp(cl->in, "status") == 0)
		control_status(c, false, fp);
	else if (strcmp(cl->in, "status-json") == 0)
		control_status(c, true, fp);
	else if (strncmp(cl->in, "reserve ", 8) == 0)
		control_reserve(c, cl->in + 8, fp);
	else if (strncmp(cl->in, "resv ", 5) == 0)
		control_resv_cmd(c, cl->in + 5, false, fp);
	else if (strncmp(cl->in, "release ", 8) == 0)
		control_resv_cmd(c, cl->in + 8, true, fp);
	else if (strcmp(cl->in, "reload") == 0)
		fputs(daemon_reload(c) == 0 ? "ok\n" :
		    "error: invalid configuration, old one kept (see log)\n",
		    fp);
	else
		fputs("error: unknown command\n", fp);
	fclose(fp);
	cl->out_len = len;
	cl->out_off = 0;
}

static void
control_io(struct control_client *cl, short revents, struct cagmad *c)
{
	ssize_t r;
	char *nl;

	if (cl->out != NULL) {
		r = write(cl->fd, cl->out + cl->out_off,
		    cl->out_len - cl->out_off);
		if (r < 0 && errno == EAGAIN)
			return;
		if (r <= 0 || (cl->out_off += (size_t)r) == cl->out_len)
			control_drop(cl);
		return;
	}
	if (!(revents & (POLLIN | POLLHUP | POLLERR)))
		return;
	r = read(cl->fd, cl->in + cl->in_len, sizeof(cl->in) - 1 - cl->in_len);
	if (r < 0 && errno == EAGAIN)
		return;
	if (r <= 0) {
		control_drop(cl);
		return;
	}
	cl->in_len += (size_t)r;
	cl->in[cl->in_len] = '\0';
	nl = strchr(cl->in, '\n');
	if (nl == NULL) {
		if (cl->in_len == sizeof(cl->in) - 1)
			control_drop(cl);
		return;
	}
	*nl = '\0';
	control_command(cl, c);
}

void
control_serve(struct control *ctl, const struct pollfd *pfd, size_t n,
    struct cagmad *c, unsigned long long now_ms)
{
	size_t i;
	int k;

	for (i = 0; i < n; i++) {
		if (pfd[i].revents == 0)
			continue;
		if (pfd[i].fd == ctl->lfd) {
			control_accept(ctl, now_ms);
			continue;
		}
		for (k = 0; k < CONTROL_CLIENTS_MAX; k++)
			if (ctl->cl[k].fd == pfd[i].fd)
				control_io(&ctl->cl[k], pfd[i].revents, c);
	}
	for (k = 0; k < CONTROL_CLIENTS_MAX; k++)
		if (ctl->cl[k].fd >= 0 &&
		    now_ms - ctl->cl[k].start_ms > CONTROL_TIMEOUT_MS)
			control_drop(&ctl->cl[k]);
}
