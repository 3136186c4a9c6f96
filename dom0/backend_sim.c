/*
 * backend_sim.c - simulated domain control over a real xenstore.
 *
 * Domains are the children of /local/domain (0 excluded) that xenstored
 * has introduced.  A domain's simulated current starts at its
 * memory/target; set_target writes memory/target (as libxl does) and the
 * balloon moves toward it at [sim] balloon_rate KiB/s (0 = at once), except
 * for [sim] stuck domids.  Only the test build of cagmad has it
 * (mk/cagmad-test.mk); the shipped binary must not.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend.h"
#include "mtime.h"
#include "schema.h"
#include "xsio.h"

#ifndef CAGMA_TEST_BACKENDS
#error "backend_sim.c belongs to the test build only (-DCAGMA_TEST_BACKENDS)"
#endif

#define SIM_DOMS_MAX	1024

struct sim_dom {
	uint32_t domid;
	uint64_t current_kb;
	uint64_t target_kb;
	bool live;
};

struct sim {
	struct sim_dom doms[SIM_DOMS_MAX];
	size_t n;
	uint64_t last_ms;
};

static struct sim_dom *
sim_find(struct sim *s, uint32_t domid)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (s->doms[i].domid == domid)
			return &s->doms[i];
	return NULL;
}

static void
sim_tick(struct backend *be, uint64_t now_ms)
{
	struct sim *s = be->priv;
	uint64_t rate = be->cfg->sim.balloon_rate_kbps, step, dt;
	struct sim_dom *d;
	size_t i;

	dt = now_ms > s->last_ms ? now_ms - s->last_ms : 0;
	s->last_ms = now_ms;
	for (i = 0; i < s->n; i++) {
		d = &s->doms[i];
		if (cfg_sim_stuck(be->cfg, d->domid))
			continue;
		step = rate == 0 ? UINT64_MAX : rate * dt / 1000;
		if (d->current_kb < d->target_kb)
			d->current_kb += d->target_kb - d->current_kb < step ?
			    d->target_kb - d->current_kb : step;
		else if (d->current_kb > d->target_kb)
			d->current_kb -= d->current_kb - d->target_kb < step ?
			    d->current_kb - d->target_kb : step;
	}
}

static int
sim_list(struct backend *be, struct be_dom *out, size_t max, size_t *n_out)
{
	static uint32_t ids[SIM_DOMS_MAX];
	struct sim *s = be->priv;
	struct sim_dom *d;
	char path[64];
	size_t i, n, k = 0;
	uint64_t t;
	int rc;

	rc = xsio_list_ids(be->xs, "/local/domain", ids, SIM_DOMS_MAX, &n);
	if (rc != 0)
		return rc;
	for (i = 0; i < s->n; i++)
		s->doms[i].live = false;
	for (i = 0; i < n; i++) {
		if (ids[i] == 0)
			continue;
		/*
		 * Released (XS_RELEASE, @releaseDomain) but its nodes not yet
		 * removed: as good as dying, like libxl reports it.  Listing it
		 * would keep it tracked until the next safety-net rescan.
		 */
		rc = xsio_introduced(be->xs, ids[i]);
		if (rc < 0)
			return rc;
		if (rc == 0)
			continue;
		d = sim_find(s, ids[i]);
		if (d == NULL) {
			snprintf(path, sizeof(path),
			    "/local/domain/%u/memory/target", ids[i]);
			if (xsio_read_u64(be->xs, path, CG_MAX_KB, &t) != 0 ||
			    s->n == SIM_DOMS_MAX)
				continue;	/* not built yet */
			d = &s->doms[s->n++];
			d->domid = ids[i];
			d->current_kb = d->target_kb = t;
		}
		d->live = true;
	}
	/* forget the departed, report the rest */
	for (i = 0; i < s->n;) {
		if (!s->doms[i].live) {
			s->doms[i] = s->doms[--s->n];
			continue;
		}
		if (k < max) {
			out[k].domid = s->doms[i].domid;
			out[k].current_kb = s->doms[i].current_kb;
			out[k].dying = false;
			k++;
		}
		i++;
	}
	*n_out = k;
	return 0;
}

static int
sim_current(struct backend *be, uint32_t domid, uint64_t *current_kb_out)
{
	struct sim_dom *d = sim_find(be->priv, domid);

	if (d == NULL)
		return -ENOENT;
	*current_kb_out = d->current_kb;
	return 0;
}

static int
sim_set_target(struct backend *be, uint32_t domid, uint64_t target_kb)
{
	struct sim_dom *d = sim_find(be->priv, domid);
	char path[64], val[24];
	int rc;

	if (d == NULL)
		return -ENOENT;
	snprintf(path, sizeof(path), "/local/domain/%u/memory/target", domid);
	snprintf(val, sizeof(val), "%llu", (unsigned long long)target_kb);
	rc = xsio_write(be->xs, path, val);
	if (rc != 0)
		return rc;
	d->target_kb = target_kb;
	if (be->cfg->sim.balloon_rate_kbps == 0 &&
	    !cfg_sim_stuck(be->cfg, domid))
		d->current_kb = target_kb;
	return 0;
}

static int
sim_free_memory(struct backend *be, uint64_t *free_kb_out)
{
	struct sim *s = be->priv;
	uint64_t used = 0;
	size_t i;

	for (i = 0; i < s->n; i++)
		used += s->doms[i].current_kb;
	*free_kb_out = used < be->cfg->sim.host_memory_kb ?
	    be->cfg->sim.host_memory_kb - used : 0;
	return 0;
}

static void
sim_close(struct backend *be)
{
	free(be->priv);
	be->priv = NULL;
}

static const struct backend_ops sim_ops = {
	.name = "sim",
	.list = sim_list,
	.current = sim_current,
	.set_target = sim_set_target,
	.free_memory = sim_free_memory,
	.reconnect = NULL,	/* it shares the daemon's xsio */
	.tick = sim_tick,
	.close = sim_close,
};

int
backend_sim_open(struct backend *be)
{
	struct sim *s = calloc(1, sizeof(*s));

	if (s == NULL)
		return -ENOMEM;
	s->last_ms = mtime_ms();
	be->priv = s;
	be->ops = &sim_ops;
	return 0;
}
