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

/* Per-domain gauges: name, help, and how to get the value. */
enum metrics_kind { M_CURRENT, M_TARGET, M_CMA, M_AVAIL, M_SWAPIN, M_REC,
	M_REJ, M_UNMET, M_KIND_COUNT };

static const char *const metrics_names[M_KIND_COUNT][2] = {
	{ "cagma_domain_current_kib", "Balloon current allocation" },
	{ "cagma_domain_target_kib", "Balloon target in force" },
	{ "cagma_domain_cma_kib", "Critical memory amount estimate" },
	{ "cagma_domain_available_kib", "Guest-reported MemAvailable" },
	{ "cagma_domain_swapin_rate", "Swap-ins per second (pages)" },
	{ "cagma_domain_records_total", "Records accepted" },
	{ "cagma_domain_rejected_total", "Records rejected" },
	{ "cagma_domain_unmet_emergencies_total",
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
	case M_CURRENT: return d->vm.current_kb;
	case M_TARGET: return d->vm.target_kb;
	case M_CMA: return d->vm.est.cma_kb;
	case M_AVAIL: return record_get(&d->vm.rec, CG_F_MEM_AVAIL, 0);
	case M_SWAPIN: return d->vm.est.swapin_rate;
	case M_REC: return d->records;
	case M_REJ: return d->rejected;
	case M_UNMET: return d->unmet;
	default: return 0;
	}
}

int
metrics_print(const struct cagmad *c, FILE *fp)
{
	const struct dom *d;
	size_t i;
	int k;

	fprintf(fp, "# HELP cagma_host_free_kib Host free memory\n"
	    "# TYPE cagma_host_free_kib gauge\ncagma_host_free_kib %llu\n",
	    (unsigned long long)c->free_kb);
	fprintf(fp, "# HELP cagma_host_reserve_kib Host reserve\n"
	    "# TYPE cagma_host_reserve_kib gauge\ncagma_host_reserve_kib "
	    "%llu\n", (unsigned long long)c->cfg.reserve_kb);
	fprintf(fp, "# HELP cagma_host_held_kib Host memory held for "
	    "reservations (new domains)\n# TYPE cagma_host_held_kib gauge\n"
	    "cagma_host_held_kib %llu\n",
	    (unsigned long long)resv_held_kb(&c->resv));
	fprintf(fp, "# HELP cagma_rounds_total Planning rounds\n"
	    "# TYPE cagma_rounds_total counter\ncagma_rounds_total %llu\n",
	    (unsigned long long)c->rounds);
	fprintf(fp, "# HELP cagma_emergencies_total Emergency rounds\n"
	    "# TYPE cagma_emergencies_total counter\n"
	    "cagma_emergencies_total %llu\n",
	    (unsigned long long)c->emergencies);
	for (k = 0; k < M_KIND_COUNT; k++) {
		fprintf(fp, "# HELP %s %s\n# TYPE %s %s\n",
		    metrics_names[k][0], metrics_names[k][1],
		    metrics_names[k][0], k >= M_REC ? "counter" : "gauge");
		for (i = 0; i < c->tbl->n; i++) {
			d = c->tbl->list[i];
			fprintf(fp, "%s{domid=\"%u\",name=\"",
			    metrics_names[k][0], d->domid);
			metrics_label(fp, d->name);
			fprintf(fp, "\",state=\"%s\"} %llu\n",
			    policy_state_str(d->vm.state),
			    metrics_value(d, (enum metrics_kind)k));
		}
	}
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
