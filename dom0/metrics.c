/*
 * metrics.c - Prometheus text exposition of cagmad's state.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon.h"
#include "log.h"
#include "metrics.h"

/*
 * Per-domain series: name, type, help, and how to get the value.  Base
 * units (bytes), cumulative counters end in _total; the domain's state is
 * a series of its own (a label that changes would split the others).
 */
enum metrics_kind { M_CURRENT, M_TARGET, M_CMA, M_AVAIL, M_SWAPIN, M_REC,
	M_REJ, M_UNMET, M_KIND_COUNT };

static const char *const metrics_names[M_KIND_COUNT][3] = {
	{ "cagma_domain_current_bytes", "gauge", "Balloon current allocation" },
	{ "cagma_domain_target_bytes", "gauge", "Balloon target in force" },
	{ "cagma_domain_cma_bytes", "gauge",
	  "Critical memory amount estimate" },
	{ "cagma_domain_available_bytes", "gauge",
	  "Guest-reported MemAvailable" },
	{ "cagma_domain_swapin_pages_total", "counter",
	  "Pages the guest swapped in (its pswpin counter)" },
	{ "cagma_domain_records_total", "counter", "Records accepted" },
	{ "cagma_domain_rejected_records_total", "counter",
	  "Records rejected" },
	{ "cagma_domain_unmet_emergencies_total", "counter",
	  "Emergencies nothing could serve (at max, or nothing to give)" },
};

/* Label value: the stored name is printable ASCII; escape \\ and ". */
static void
metrics_label(FILE *fp, const char *s)
{
	for (; *s != '\0'; s++) {
		if (*s == '\\' || *s == '"')
			fputc('\\', fp);
		fputc(*s, fp);
	}
}

static unsigned long long
metrics_value(const struct dom *d, enum metrics_kind k)
{
	switch (k) {
	case M_CURRENT: return d->vm.current_kb * 1024ULL;
	case M_TARGET: return d->vm.target_kb * 1024ULL;
	case M_CMA: return d->vm.est.cma_kb * 1024ULL;
	case M_AVAIL: return record_get(&d->vm.rec, CG_F_MEM_AVAIL, 0) * 1024ULL;
	case M_SWAPIN: return record_get(&d->vm.rec, CG_F_PSWPIN, 0);
	case M_REC: return d->records;
	case M_REJ: return d->rejected;
	case M_UNMET: return d->unmet;
	default: return 0;
	}
}

/* One metric without labels. */
static void
metrics_one(FILE *fp, const char *name, const char *type, const char *help,
    unsigned long long v)
{
	fprintf(fp, "# HELP %s %s\n# TYPE %s %s\n%s %llu\n", name, help, name,
	    type, name, v);
}

/* {domid="N",name="..." and the caller's closing. */
static void
metrics_dom_labels(FILE *fp, const char *name, const struct dom *d)
{
	fprintf(fp, "%s{domid=\"%u\",name=\"", name, d->domid);
	metrics_label(fp, d->name);
	fputc('"', fp);
}

static void
metrics_domains(const struct cagmad *c, FILE *fp)
{
	const struct dom *d;
	size_t i;
	int k, r;

	for (k = 0; k < M_KIND_COUNT; k++) {
		fprintf(fp, "# HELP %s %s\n# TYPE %s %s\n",
		    metrics_names[k][0], metrics_names[k][2],
		    metrics_names[k][0], metrics_names[k][1]);
		for (i = 0; i < c->tbl->n; i++) {
			d = c->tbl->list[i];
			metrics_dom_labels(fp, metrics_names[k][0], d);
			fprintf(fp, "} %llu\n",
			    metrics_value(d, (enum metrics_kind)k));
		}
	}
	fprintf(fp, "# HELP cagma_domain_state The domain's state (1 for the "
	    "one in force)\n# TYPE cagma_domain_state gauge\n");
	for (i = 0; i < c->tbl->n; i++) {
		d = c->tbl->list[i];
		metrics_dom_labels(fp, "cagma_domain_state", d);
		fprintf(fp, ",state=\"%s\"} 1\n", policy_state_str(d->vm.state));
	}
	fprintf(fp, "# HELP cagma_domain_moves_total Targets set, by reason\n"
	    "# TYPE cagma_domain_moves_total counter\n");
	for (i = 0; i < c->tbl->n; i++) {
		d = c->tbl->list[i];
		for (r = 1; r < POLICY_R_COUNT; r++) {
			metrics_dom_labels(fp, "cagma_domain_moves_total", d);
			fprintf(fp, ",reason=\"%s\"} %llu\n",
			    policy_reason_str((enum policy_reason)r),
			    (unsigned long long)d->moves[r]);
		}
	}
}

int
metrics_print(const struct cagmad *c, FILE *fp)
{
	fprintf(fp, "# HELP cagma_up 1 while cagmad runs and writes this file\n"
	    "# TYPE cagma_up gauge\ncagma_up 1\n");
	fprintf(fp, "# HELP cagma_build_info cagmad's version and policy\n"
	    "# TYPE cagma_build_info gauge\n"
	    "cagma_build_info{version=\"%s\",policy=\"%s\"} 1\n",
	    CAGMA_VERSION, c->ops != NULL ? c->ops->name : "");
	metrics_one(fp, "cagma_host_free_bytes", "gauge", "Host free memory",
	    (unsigned long long)c->free_kb * 1024ULL);
	metrics_one(fp, "cagma_host_reserve_bytes", "gauge", "Host reserve",
	    (unsigned long long)c->cfg.reserve_kb * 1024ULL);
	metrics_one(fp, "cagma_host_inflight_bytes", "gauge",
	    "Balloon grows in flight", (unsigned long long)c->inflight_kb *
	    1024ULL);
	metrics_one(fp, "cagma_host_held_bytes", "gauge",
	    "Host memory held for reservations (new domains)",
	    (unsigned long long)resv_held_kb(&c->resv) * 1024ULL);
	metrics_one(fp, "cagma_rounds_total", "counter", "Planning rounds",
	    (unsigned long long)c->rounds);
	metrics_one(fp, "cagma_emergencies_total", "counter",
	    "Emergency rounds", (unsigned long long)c->emergencies);
	metrics_one(fp, "cagma_emergency_domains_total", "counter",
	    "Domains served by emergency rounds",
	    (unsigned long long)c->emergency_doms);
	metrics_one(fp, "cagma_records_total", "counter",
	    "Guest records accepted", (unsigned long long)c->records);
	metrics_one(fp, "cagma_targets_set_total", "counter",
	    "Balloon targets written", (unsigned long long)c->targets_set);
	metrics_domains(c, fp);
	return ferror(fp) ? -EIO : 0;
}

int
metrics_write(const struct cagmad *c, const char *path)
{
	static bool warned;
	char tmp[4096];
	FILE *fp = NULL;
	int rc;

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= sizeof(tmp))
		return -ENAMETOOLONG;
	fp = fopen(tmp, "we");
	if (fp == NULL) {
		rc = -errno;
		goto out;
	}
	rc = metrics_print(c, fp);
	if (fclose(fp) != 0 && rc == 0)
		rc = -errno;
	fp = NULL;
	if (rc == 0 && rename(tmp, path) != 0)
		rc = -errno;
out:
	if (rc != 0) {
		(void)unlink(tmp);
		if (!warned)
			log_warnx("metrics file %s: %s", path, strerror(-rc));
		warned = true;
	}
	return rc;
}
