/*
 * cfg.c - cagmad configuration: defaults, ini keys, per-domain globs.
 *
 * One parser for both builds: the [sim] section is parsed only when compiled
 * with -DCAGMA_TEST_BACKENDS (the test cagmad, mk/cagmad-test.mk); the
 * shipped cagmad rejects it as "file:line: [sim] is only accepted by the test
 * build".
 */
#include <errno.h>
#include <fnmatch.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cfg.h"
#include "config.h"
#include "num.h"

#define CFG_MAX_KB	(1ULL << 32)	/* 4 TiB: bound for sizes */
#define CFG_MAX_MS	(24ULL * 3600 * 1000)

struct cfg_parse {
	struct cagmad_cfg *cfg;
	cfg_policy_check check;
	struct cfg_domain *dom;		/* current [domain] section or NULL */
	char section[CFG_NAME_MAX + 16];
};

void
cfg_defaults(struct cagmad_cfg *cfg)
{
	struct policy_cfg pdef;

	policy_cfg_default(&pdef);	/* one source for the planner's defaults */
	memset(cfg, 0, sizeof(*cfg));
	cfg->period_ms = CFG_PERIOD_DEF_MS;
	cfg->coalesce_ms = CFG_COALESCE_DEF_MS;
	cfg->reserve_kb = CFG_RESERVE_DEF_KB;
	cfg->floor_kb = pdef.floor_kb;
	cfg->max_shrink_kb = CFG_MAX_SHRINK_DEF_KB;
	cfg->shrink_rate_kbps = POLICY_DEFAULT_SHRINK_RATE_KBPS;
	cfg->hysteresis_kb = pdef.hysteresis_kb;
	cfg->stale_ms = pdef.stale_ms;
	cfg->stuck_ms = CFG_STUCK_DEF_MS;
	cfg->uncoop_ms = CFG_UNCOOP_DEF_MS;
	cfg->retry_ms = CFG_RETRY_DEF_MS;
	cfg->surplus = pdef.surplus;
	cfg->headroom_pct = pdef.headroom_pct;
	cfg->sim.host_memory_kb = CFG_SIM_HOST_DEF_KB;
	snprintf(cfg->libvirt.uri, sizeof(cfg->libvirt.uri), "%s",
	    CFG_LIBVIRT_URI_DEF);
	cfg->libvirt.stats_period_s = CFG_LIBVIRT_PERIOD_DEF_S;
	cfg->libvirt.host_memory_kb = 0;
}

static int cfg_err(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
cfg_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static int
cfg_size(const char *key, const char *v, uint64_t min, uint64_t *out,
    char *err, size_t errlen)
{
	if (config_parse_size_kb(v, min, CFG_MAX_KB, out) == 0)
		return 0;
	snprintf(err, errlen, "%s: invalid size '%.64s' (e.g. 256M, "
	    "at least %llu KiB)", key, v, (unsigned long long)min);
	return -EINVAL;
}

static int
cfg_ms(const char *key, const char *v, uint64_t min, uint64_t *out,
    char *err, size_t errlen)
{
	if (config_parse_ms(v, min, CFG_MAX_MS, out) == 0)
		return 0;
	snprintf(err, errlen, "%s: invalid duration '%.64s' (e.g. 100ms, "
	    "5s, at least %llu ms)", key, v, (unsigned long long)min);
	return -EINVAL;
}

/* A percentage 0..POLICY_HEADROOM_MAX_PCT, with or without a trailing '%'. */
/* A rate in MiB/s ("50", "50M"; per second implied), 1 .. 100000 MiB/s. */
static int
cfg_rate(const char *key, const char *v, uint64_t *out_kbps, char *err,
    size_t errlen)
{
	uint64_t kb;

	if (config_parse_u64(v, 1, POLICY_SHRINK_RATE_MAX_KBPS / 1024,
	    &kb) == 0) {
		*out_kbps = kb * 1024;	/* a plain number is MiB/s */
		return 0;
	}
	if (config_parse_size_kb(v, 1024, POLICY_SHRINK_RATE_MAX_KBPS,
	    &kb) == 0) {
		*out_kbps = kb;
		return 0;
	}
	return cfg_err(err, errlen, "%s: expected MiB per second (1 .. "
	    "100000, e.g. 50 or 50M), not '%.64s'", key, v);
}

static int
cfg_pct(const char *key, const char *v, uint32_t *out, char *err,
    size_t errlen)
{
	char buf[16];
	const char *num = v;
	size_t len = strlen(v);
	uint64_t pct;

	if (len > 0 && len < sizeof(buf) && v[len - 1] == '%') {
		memcpy(buf, v, len - 1);
		buf[len - 1] = '\0';
		num = buf;
	}
	if (config_parse_u64(num, 0, POLICY_HEADROOM_MAX_PCT, &pct) != 0)
		return cfg_err(err, errlen, "%s: expected a percentage "
		    "0..%u or auto, not '%.64s'", key, POLICY_HEADROOM_MAX_PCT,
		    v);
	*out = (uint32_t)pct;
	return 0;
}

static int
cfg_policy_name(struct cfg_parse *p, const char *v, char *dst, char *err,
    size_t errlen)
{
	if (strlen(v) >= CFG_NAME_MAX || v[0] == '\0')
		return cfg_err(err, errlen, "policy: invalid name '%.64s'%s",
		    v, "");
	if (p->check != NULL && p->check(v) != 0)
		return cfg_err(err, errlen, "policy: unknown policy '%.64s'%s",
		    v, "");
	strcpy(dst, v);
	return 0;
}

static int
cfg_global(struct cfg_parse *p, const char *k, const char *v, char *err,
    size_t errlen)
{
	struct cagmad_cfg *c = p->cfg;

	if (strcmp(k, "policy") == 0)
		return cfg_policy_name(p, v, c->policy, err, errlen);
	if (strcmp(k, "period") == 0)
		return cfg_ms(k, v, 10, &c->period_ms, err, errlen);
	if (strcmp(k, "coalesce") == 0)
		return cfg_ms(k, v, 0, &c->coalesce_ms, err, errlen);
	if (strcmp(k, "reserve") == 0)
		return cfg_size(k, v, CFG_RESERVE_MIN_KB, &c->reserve_kb, err,
		    errlen);
	if (strcmp(k, "floor") == 0)
		return cfg_size(k, v, 0, &c->floor_kb, err, errlen);
	if (strcmp(k, "max_shrink") == 0)
		return cfg_size(k, v, 1024, &c->max_shrink_kb, err, errlen);
	if (strcmp(k, "shrink_rate") == 0)
		return cfg_rate(k, v, &c->shrink_rate_kbps, err, errlen);
	if (strcmp(k, "hysteresis") == 0)
		return cfg_size(k, v, 0, &c->hysteresis_kb, err, errlen);
	if (strcmp(k, "stale") == 0)
		return cfg_ms(k, v, 100, &c->stale_ms, err, errlen);
	if (strcmp(k, "stuck") == 0)
		return cfg_ms(k, v, 100, &c->stuck_ms, err, errlen);
	if (strcmp(k, "uncooperative") == 0)
		return cfg_ms(k, v, 100, &c->uncoop_ms, err, errlen);
	if (strcmp(k, "retry") == 0)
		return cfg_ms(k, v, 100, &c->retry_ms, err, errlen);
	if (strcmp(k, "balloon_dom0") == 0) {
		if (config_parse_bool(v, &c->balloon_dom0) == 0)
			return 0;
		return cfg_err(err, errlen, "%s: expected yes or no, not "
		    "'%.64s'", k, v);
	}
	if (strcmp(k, "set_target") == 0) {
		if (strcmp(v, "libxl") == 0)
			c->set_target = CFG_SET_TARGET_LIBXL;
		else if (strcmp(v, "direct") == 0)
			c->set_target = CFG_SET_TARGET_DIRECT;
		else
			return cfg_err(err, errlen, "%s: expected libxl or "
			    "direct, not '%.64s'", k, v);
		return 0;
	}
	if (strcmp(k, "headroom") == 0 && strcmp(v, "auto") == 0) {
		c->headroom_pct = POLICY_HEADROOM_AUTO;
		return 0;
	}
	if (strcmp(k, "headroom") == 0)
		return cfg_pct(k, v, &c->headroom_pct, err, errlen);
	if (strcmp(k, "surplus") == 0) {
		if (strcmp(v, "host") == 0)
			c->surplus = POLICY_SURPLUS_HOST;
		else if (strcmp(v, "weight") == 0)
			c->surplus = POLICY_SURPLUS_WEIGHT;
		else
			return cfg_err(err, errlen, "%s: expected host or "
			    "weight, not '%.64s'", k, v);
		return 0;
	}
	return cfg_err(err, errlen, "unknown key '%.64s' in [%s]", k, "global");
}

static int
cfg_domain_key(struct cfg_parse *p, const char *k, const char *v, char *err,
    size_t errlen)
{
	struct cfg_domain *d = p->dom;
	uint64_t w;

	if (strcmp(k, "policy") == 0) {
		d->set |= CFG_DSET_POLICY;
		return cfg_policy_name(p, v, d->policy, err, errlen);
	}
	if (strcmp(k, "min") == 0) {
		d->set |= CFG_DSET_MIN;
		return cfg_size(k, v, 0, &d->min_kb, err, errlen);
	}
	if (strcmp(k, "max") == 0) {
		d->set |= CFG_DSET_MAX;
		return cfg_size(k, v, 1024, &d->max_kb, err, errlen);
	}
	if (strcmp(k, "weight") == 0) {
		d->set |= CFG_DSET_WEIGHT;
		if (config_parse_u64(v, 1, 10000, &w) != 0)
			return cfg_err(err, errlen, "%s: expected 1..10000, "
			    "not '%.64s'", k, v);
		d->weight = (uint32_t)w;
		return 0;
	}
	if (strcmp(k, "enabled") == 0) {
		d->set |= CFG_DSET_ENABLED;
		if (config_parse_bool(v, &d->enabled) == 0)
			return 0;
		return cfg_err(err, errlen, "%s: expected yes or no, not "
		    "'%.64s'", k, v);
	}
	return cfg_err(err, errlen, "unknown key '%.64s' in [%s]", k,
	    p->section);
}

/*
 * [libvirt]: uri (printable, no spaces), stats_period (seconds) and
 * host_memory (a size; 0 = no cap).
 */
static int
cfg_libvirt_key(struct cfg_parse *p, const char *k, const char *v, char *err,
    size_t errlen)
{
	struct cfg_libvirt *l = &p->cfg->libvirt;
	uint64_t s;
	size_t i, n = strlen(v);

	if (strcmp(k, "uri") == 0) {
		for (i = 0; i < n; i++)
			if (v[i] <= ' ' || v[i] > '~')
				break;
		if (n == 0 || n >= sizeof(l->uri) || i != n)
			return cfg_err(err, errlen, "uri: expected a libvirt "
			    "URI (printable, no spaces, < %d bytes)",
			    CFG_URI_MAX);
		memcpy(l->uri, v, n + 1);
		return 0;
	}
	if (strcmp(k, "stats_period") == 0) {
		if (config_parse_u64(v, 1, CFG_LIBVIRT_PERIOD_MAX_S, &s) != 0)
			return cfg_err(err, errlen, "stats_period: expected "
			    "1..%d seconds, not '%.64s'",
			    CFG_LIBVIRT_PERIOD_MAX_S, v);
		l->stats_period_s = (uint32_t)s;
		return 0;
	}
	if (strcmp(k, "host_memory") == 0)
		return cfg_size(k, v, 0, &l->host_memory_kb, err, errlen);
	return cfg_err(err, errlen, "unknown key '%.64s' in [%s]", k,
	    "libvirt");
}

#ifdef CAGMA_TEST_BACKENDS
/* "3,5, 7" -> domids; bounded, strict digits. */
static int
cfg_sim_stuck_list(struct cfg_sim *s, const char *v, char *err,
    size_t errlen)
{
	const char *p = v, *e;
	uint64_t id;

	s->n_stuck = 0;
	while (*p != '\0') {
		while (*p == ' ')
			p++;
		e = p + strcspn(p, ", ");
		if (s->n_stuck == CFG_STUCK_MAX ||
		    num_parse_u64(p, (size_t)(e - p), 1, 0x7fef, &id) != 0)
			return cfg_err(err, errlen, "stuck: expected a list of "
			    "domids, not '%.64s'%s", v, "");
		s->stuck[s->n_stuck++] = (uint32_t)id;
		p = e;
		while (*p == ' ')
			p++;
		if (*p == ',')
			p++;
	}
	return 0;
}

static int
cfg_sim_key(struct cfg_parse *p, const char *k, const char *v, char *err,
    size_t errlen)
{
	struct cfg_sim *s = &p->cfg->sim;

	if (strcmp(k, "host_memory") == 0)
		return cfg_size(k, v, 1024, &s->host_memory_kb, err, errlen);
	if (strcmp(k, "balloon_rate") == 0)
		return cfg_size(k, v, 0, &s->balloon_rate_kbps, err, errlen);
	if (strcmp(k, "stuck") == 0)
		return cfg_sim_stuck_list(s, v, err, errlen);
	return cfg_err(err, errlen, "unknown key '%.64s' in [%s]", k, "sim");
}
#endif

/* Enter a new section; returns 0 or -EINVAL with a message. */
static int
cfg_section(struct cfg_parse *p, const char *section, char *err,
    size_t errlen)
{
	struct cagmad_cfg *c = p->cfg;
	const char *glob;

	snprintf(p->section, sizeof(p->section), "%s", section);
	p->dom = NULL;
	if (section[0] == '\0' || strcmp(section, "global") == 0)
		return 0;
	if (strcmp(section, "libvirt") == 0)
		return 0;
	if (strcmp(section, "sim") == 0) {
#ifdef CAGMA_TEST_BACKENDS
		if (!c->sim_allowed)
			return cfg_err(err, errlen, "[%s] is only valid with "
			    "--backend sim%s", section, "");
		c->sim_seen = true;
		return 0;
#else
		return cfg_err(err, errlen, "[%s] is only accepted by the test "
		    "build%s", section, "");
#endif
	}
	if (strncmp(section, "domain ", 7) != 0)
		return cfg_err(err, errlen, "unknown section [%.64s]%s",
		    section, "");
	glob = section + 7;
	while (*glob == ' ')
		glob++;
	if (glob[0] == '\0' || strlen(glob) >= CFG_NAME_MAX)
		return cfg_err(err, errlen, "[%.64s]: expected [domain GLOB]%s",
		    section, "");
	if (c->n_doms == CFG_DOMAINS_MAX)
		return cfg_err(err, errlen, "too many [domain] sections "
		    "(max %d)", CFG_DOMAINS_MAX);
	p->dom = &c->doms[c->n_doms++];
	memset(p->dom, 0, sizeof(*p->dom));
	strcpy(p->dom->glob, glob);
	p->dom->weight = CFG_WEIGHT_DEF;
	p->dom->enabled = true;
	return 0;
}

static int
cfg_handler(void *user, const char *section, const char *key,
    const char *value, char *err, size_t errlen)
{
	struct cfg_parse *p = user;
	int rc;

	if (strcmp(section, p->section) != 0 || p->section[0] == '\0') {
		rc = cfg_section(p, section, err, errlen);
		if (rc != 0)
			return rc;
	}
	if (p->dom != NULL)
		return cfg_domain_key(p, key, value, err, errlen);
	if (strcmp(section, "libvirt") == 0)
		return cfg_libvirt_key(p, key, value, err, errlen);
#ifdef CAGMA_TEST_BACKENDS
	if (strcmp(section, "sim") == 0)
		return cfg_sim_key(p, key, value, err, errlen);
#endif
	return cfg_global(p, key, value, err, errlen);
}

/* Cross-key checks once the whole file is read. */
static int
cfg_validate(const struct cagmad_cfg *c, const char *name, char *err,
    size_t errlen)
{
	if (c->uncoop_ms < c->stuck_ms) {
		snprintf(err, errlen, "%s: uncooperative (%llu ms) must not be "
		    "shorter than stuck (%llu ms)", name,
		    (unsigned long long)c->uncoop_ms,
		    (unsigned long long)c->stuck_ms);
		return -EINVAL;
	}
	return 0;
}

static int
cfg_run(const char *name, const char *path, const char *text, bool sim,
    cfg_policy_check check, struct cagmad_cfg *cfg_out, char *err,
    size_t errlen)
{
	static struct cagmad_cfg tmp;	/* large; single-threaded daemon */
	struct cfg_parse p = { .cfg = &tmp, .check = check };
	int rc;

	cfg_defaults(&tmp);
	tmp.sim_allowed = sim;
	if (path != NULL)
		rc = config_parse_file(path, cfg_handler, &p, err, errlen);
	else
		rc = config_parse_string(name, text, cfg_handler, &p, err,
		    errlen);
	if (rc == 0)
		rc = cfg_validate(&tmp, name, err, errlen);
	if (rc == 0)
		*cfg_out = tmp;
	return rc;
}

int
cfg_load(const char *path, bool missing_ok, bool sim, cfg_policy_check check,
    struct cagmad_cfg *cfg_out, char *err, size_t errlen)
{
	int rc;

	rc = cfg_run(path, path, NULL, sim, check, cfg_out, err, errlen);
	if (rc == -ENOENT && missing_ok) {
		cfg_defaults(cfg_out);
		cfg_out->sim_allowed = sim;
		return 0;
	}
	return rc;
}

int
cfg_load_string(const char *name, const char *text, bool sim,
    cfg_policy_check check, struct cagmad_cfg *cfg_out, char *err,
    size_t errlen)
{
	return cfg_run(name, NULL, text, sim, check, cfg_out, err, errlen);
}

void
cfg_match(const struct cagmad_cfg *cfg, const char *name,
    struct cfg_dom_settings *out)
{
	const struct cfg_domain *d;
	size_t i;

	out->policy = "";
	out->floor_kb = cfg->floor_kb;
	out->max_kb = 0;
	out->weight = CFG_WEIGHT_DEF;
	out->enabled = true;
	for (i = 0; i < cfg->n_doms; i++) {
		d = &cfg->doms[i];
		if (fnmatch(d->glob, name, 0) != 0)
			continue;
		if (d->set & CFG_DSET_POLICY)
			out->policy = d->policy;
		if (d->set & CFG_DSET_MIN)
			out->floor_kb = d->min_kb;
		if (d->set & CFG_DSET_MAX)
			out->max_kb = d->max_kb;
		if (d->set & CFG_DSET_WEIGHT)
			out->weight = d->weight;
		if (d->set & CFG_DSET_ENABLED)
			out->enabled = d->enabled;
	}
}

void
cfg_policy_cfg(const struct cagmad_cfg *cfg, struct policy_cfg *out)
{
	memset(out, 0, sizeof(*out));
	out->floor_kb = cfg->floor_kb;
	/* one step per period, no more than the release rate allows */
	out->max_shrink_kb = cfg->shrink_rate_kbps * cfg->period_ms / 1000;
	if (out->max_shrink_kb > cfg->max_shrink_kb)
		out->max_shrink_kb = cfg->max_shrink_kb;
	if (out->max_shrink_kb < 1024)
		out->max_shrink_kb = 1024;
	out->hysteresis_kb = cfg->hysteresis_kb;
	out->stale_ms = cfg->stale_ms;
	out->shrink_interval_ms = cfg->period_ms;	/* one step per period */
	out->surplus = cfg->surplus;
	out->headroom_pct = cfg->headroom_pct;
}

#ifdef CAGMA_TEST_BACKENDS
bool
cfg_sim_stuck(const struct cagmad_cfg *cfg, uint32_t domid)
{
	size_t i;

	for (i = 0; i < cfg->sim.n_stuck; i++)
		if (cfg->sim.stuck[i] == domid)
			return true;
	return false;
}
#endif
