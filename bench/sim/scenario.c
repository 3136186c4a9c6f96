/*
 * scenario.c - parse cagma-sim scenario files (bench/scenarios/FORMAT.md):
 * one directive per line, "key=value" options, '#' comments.  Values go
 * through common/config.c's strict size/time/number parsers.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "scenario.h"

#define SC_LINE_MAX	512
#define SC_MAX_KB	(1ULL << 32)	/* 4 TiB */
#define SC_MAX_MS	(24ULL * 3600 * 1000)
#define SC_LAB_TASKS_MAX 1000	/* the lab's tasks per phase (lab.c) */
#define SC_VM_START_DEADLINE_MS	30000	/* default vm_start deadline */

struct sc_ctx {
	struct sim_scenario *sc;
	char *err;
	size_t errlen;
	unsigned lineno;	/* of the line being parsed */
};

static struct sim_guest_cfg *
find_guest(struct sim_scenario *sc, const char *name)
{
	size_t i;

	for (i = 0; i < sc->nguests; i++)
		if (strcmp(sc->guests[i].name, name) == 0)
			return &sc->guests[i];
	return NULL;
}

static int
size_opt(const char *v, uint64_t *out)
{
	return config_parse_size_kb(v, 0, SC_MAX_KB, out);
}

static int
guest_opt(struct sim_guest_cfg *g, const char *k, const char *v)
{
	uint64_t u;
	int rc;

	if (strcmp(k, "start") == 0)
		return size_opt(v, &g->start_kb);
	if (strcmp(k, "min") == 0)
		return size_opt(v, &g->min_kb);
	if (strcmp(k, "max") == 0)
		return size_opt(v, &g->max_kb);
	if (strcmp(k, "swap") == 0)
		return size_opt(v, &g->swap_kb);
	if (strcmp(k, "base") == 0)
		return size_opt(v, &g->base_kb);
	if (strcmp(k, "rate") == 0)
		return size_opt(v, &g->rate_kbps);
	if (strcmp(k, "ramp") == 0)
		return size_opt(v, &g->ramp_kbps);
	if (strcmp(k, "hidden_floor") == 0)
		return size_opt(v, &g->hidden_floor_kb);
	if (strcmp(k, "hidden_max") == 0)
		return size_opt(v, &g->hidden_max_kb);
	if (strcmp(k, "balloon_slack") == 0)
		return size_opt(v, &g->balloon_slack_kb);
	if (strcmp(k, "stuck_from") == 0) {
		g->has_stuck_from = true;
		return config_parse_ms(v, 0, SC_MAX_MS, &g->stuck_from_ms);
	}
	if (strcmp(k, "stuck_on") == 0)
		return config_parse_ms(v, 1, SC_MAX_MS, &g->stuck_on_ms);
	if (strcmp(k, "stuck_off") == 0)
		return config_parse_ms(v, 1, SC_MAX_MS, &g->stuck_off_ms);
	if (strcmp(k, "access") == 0)
		return config_parse_u64(v, 0, 100000000, &g->access_pps);
	if (strcmp(k, "file_access") == 0)
		return config_parse_u64(v, 0, 100000000, &g->file_pps);
	if (strcmp(k, "jitter") == 0)
		return config_parse_ms(v, 0, SC_MAX_MS, &g->jitter_ms);
	if (strcmp(k, "weight") == 0 || strcmp(k, "count") == 0) {
		rc = config_parse_u64(v, 1, strcmp(k, "count") == 0 ?
		    SIM_MAX_GUESTS : 10000, &u);
		if (rc == 0 && k[0] == 'w')
			g->weight = (uint32_t)u;
		else if (rc == 0)
			g->count = (uint32_t)u;
		return rc;
	}
	if (strcmp(k, "balloon") == 0) {
		static const char *const names[] = { "normal", "ideal", "slow",
			"stuck" };
		for (u = 0; u < 4; u++)
			if (strcmp(v, names[u]) == 0) {
				g->balloon = (enum sim_balloon)u;
				return 0;
			}
	}
	return -EINVAL;
}

/*
 * tasks= and disk_tasks= are the Xen lab's workload for the phase
 * (bench/sim/lab.c, cagma-sim --lab): kept so that one file serves both,
 * but the simulator's load is anon/file.
 */
static int
phase_opt(struct sim_phase *p, const char *k, const char *v)
{
	uint64_t n;
	int rc;

	if (strcmp(k, "anon") == 0)
		return size_opt(v, &p->anon_kb);
	if (strcmp(k, "file") == 0)
		return size_opt(v, &p->file_kb);
	if (strcmp(k, "cold") == 0)
		return size_opt(v, &p->cold_kb);
	if (strcmp(k, "tasks") == 0 || strcmp(k, "disk_tasks") == 0) {
		rc = config_parse_u64(v, 0, SC_LAB_TASKS_MAX, &n);
		if (rc == 0 && k[0] == 't') {
			p->tasks = (uint32_t)n;
			p->has_tasks = true;
		} else if (rc == 0) {
			p->disk_tasks = (uint32_t)n;
		}
		return rc;
	}
	return -EINVAL;
}

/* Split "k=v" in place; NULL value if no '='. */
static char *
split_kv(char *tok)
{
	char *eq = strchr(tok, '=');

	if (eq == NULL)
		return NULL;
	*eq = '\0';
	return eq + 1;
}

static int
line_guest(struct sc_ctx *c, char **save)
{
	struct sim_scenario *sc = c->sc;
	struct sim_guest_cfg *g;
	char *tok = strtok_r(NULL, " \t", save), *v;

	if (tok == NULL || strlen(tok) >= SIM_NAME_MAX || find_guest(sc, tok))
		return snprintf(c->err, c->errlen, "guest: bad or duplicate "
		    "name"), -EINVAL;
	if (sc->nguests >= SIM_MAX_GCFG)
		return snprintf(c->err, c->errlen, "too many guests"), -EINVAL;
	g = &sc->guests[sc->nguests++];
	memset(g, 0, sizeof(*g));
	snprintf(g->name, sizeof(g->name), "%s", tok);
	g->min_kb = 256 * 1024;
	g->swap_kb = 4ULL << 20;
	g->base_kb = 128 * 1024;
	g->rate_kbps = 1ULL << 20;
	g->ramp_kbps = 512 * 1024;
	g->access_pps = 20000;
	g->weight = 100;
	g->count = 1;
	g->line = c->lineno;
	while ((tok = strtok_r(NULL, " \t", save)) != NULL) {
		v = split_kv(tok);
		if (v == NULL || guest_opt(g, tok, v) != 0)
			return snprintf(c->err, c->errlen, "guest %s: bad "
			    "option '%s'", g->name, tok), -EINVAL;
	}
	if (g->start_kb == 0 || g->max_kb < g->start_kb)
		return snprintf(c->err, c->errlen, "guest %s: need start= and "
		    "max= >= start", g->name), -EINVAL;
	if ((g->stuck_on_ms != 0) != (g->stuck_off_ms != 0) ||
	    (g->stuck_on_ms != 0 && !g->has_stuck_from))
		return snprintf(c->err, c->errlen, "guest %s: stuck_on= and "
		    "stuck_off= go together, with stuck_from=", g->name),
		    -EINVAL;
	if (g->hidden_max_kb != 0 && g->hidden_max_kb < g->hidden_floor_kb)
		return snprintf(c->err, c->errlen, "guest %s: hidden_max= "
		    "below hidden_floor=", g->name), -EINVAL;
	return 0;
}

/* host_use at=T size=S [until=T]: memory taken outside the guests. */
static int
line_host_use(struct sc_ctx *c, char **save)
{
	struct sim_scenario *sc = c->sc;
	struct sim_host_use *h;
	bool has_at = false;
	char *tok, *v;
	int rc;

	if (sc->nhost_use >= SIM_MAX_EVENTS)
		return snprintf(c->err, c->errlen, "too many host_use lines"),
		    -EINVAL;
	h = &sc->host_use[sc->nhost_use];
	memset(h, 0, sizeof(*h));
	while ((tok = strtok_r(NULL, " \t", save)) != NULL) {
		v = split_kv(tok);
		rc = -EINVAL;
		if (v != NULL && strcmp(tok, "at") == 0) {
			rc = config_parse_ms(v, 0, SC_MAX_MS, &h->at_ms);
			has_at = true;
		} else if (v != NULL && strcmp(tok, "until") == 0) {
			rc = config_parse_ms(v, 1, SC_MAX_MS, &h->until_ms);
		} else if (v != NULL && strcmp(tok, "size") == 0) {
			rc = config_parse_size_kb(v, 1, SC_MAX_KB, &h->size_kb);
		}
		if (rc != 0)
			return snprintf(c->err, c->errlen, "host_use: bad "
			    "option '%s'", tok), -EINVAL;
	}
	if (!has_at || h->size_kb == 0 ||
	    (h->until_ms != 0 && h->until_ms <= h->at_ms))
		return snprintf(c->err, c->errlen, "host_use: need at= and "
		    "size=, until= after at="), -EINVAL;
	sc->nhost_use++;
	return 0;
}

/* vm_start NAME at=T size=S [overhead=S] [deadline=T] */
static int
line_vm_start(struct sc_ctx *c, char **save)
{
	struct sim_scenario *sc = c->sc;
	struct sim_vm_start *s;
	bool has_at = false;
	char *tok = strtok_r(NULL, " \t", save), *v;
	int rc;

	if (sc->nvm_start >= SIM_MAX_EVENTS)
		return snprintf(c->err, c->errlen, "too many vm_start lines"),
		    -EINVAL;
	if (tok == NULL || strchr(tok, '=') != NULL ||
	    strlen(tok) >= SIM_NAME_MAX)
		return snprintf(c->err, c->errlen, "vm_start: name expected"),
		    -EINVAL;
	s = &sc->vm_start[sc->nvm_start];
	memset(s, 0, sizeof(*s));
	snprintf(s->name, sizeof(s->name), "%s", tok);
	s->deadline_ms = SC_VM_START_DEADLINE_MS;
	while ((tok = strtok_r(NULL, " \t", save)) != NULL) {
		v = split_kv(tok);
		rc = -EINVAL;
		if (v != NULL && strcmp(tok, "at") == 0) {
			rc = config_parse_ms(v, 0, SC_MAX_MS, &s->at_ms);
			has_at = true;
		} else if (v != NULL && strcmp(tok, "size") == 0) {
			rc = config_parse_size_kb(v, 1024, SC_MAX_KB,
			    &s->size_kb);
		} else if (v != NULL && strcmp(tok, "overhead") == 0) {
			rc = size_opt(v, &s->overhead_kb);
		} else if (v != NULL && strcmp(tok, "deadline") == 0) {
			rc = config_parse_ms(v, 0, SC_MAX_MS, &s->deadline_ms);
		}
		if (rc != 0)
			return snprintf(c->err, c->errlen, "vm_start %s: bad "
			    "option '%s'", s->name, tok), -EINVAL;
	}
	if (!has_at || s->size_kb == 0)
		return snprintf(c->err, c->errlen, "vm_start %s: need at= and "
		    "size=", s->name), -EINVAL;
	sc->nvm_start++;
	return 0;
}

static int
line_phase(struct sc_ctx *c, char **save)
{
	struct sim_guest_cfg *g;
	struct sim_phase *p;
	char *tok = strtok_r(NULL, " \t", save), *v;

	g = tok ? find_guest(c->sc, tok) : NULL;
	if (g == NULL)
		return snprintf(c->err, c->errlen, "phase: unknown guest"),
		    -EINVAL;
	if (g->nphases >= SIM_MAX_PHASES)
		return snprintf(c->err, c->errlen, "too many phases"), -EINVAL;
	p = &g->phases[g->nphases];
	memset(p, 0, sizeof(*p));
	p->line = c->lineno;
	tok = strtok_r(NULL, " \t", save);
	if (tok == NULL || config_parse_ms(tok, 1, SC_MAX_MS, &p->dur_ms))
		return snprintf(c->err, c->errlen, "phase: bad duration"),
		    -EINVAL;
	while ((tok = strtok_r(NULL, " \t", save)) != NULL) {
		v = split_kv(tok);
		if (v == NULL || phase_opt(p, tok, v) != 0)
			return snprintf(c->err, c->errlen, "phase: bad option "
			    "'%s'", tok), -EINVAL;
	}
	g->nphases++;
	return 0;
}

static int
line_global(struct sc_ctx *c, const char *key, char **save)
{
	struct sim_scenario *sc = c->sc;
	char *v = strtok_r(NULL, " \t", save);
	int rc = -EINVAL;

	if (v == NULL || strtok_r(NULL, " \t", save) != NULL)
		return snprintf(c->err, c->errlen, "%s: one value expected",
		    key), -EINVAL;
	if (strcmp(key, "name") == 0 && strlen(v) < SIM_NAME_MAX) {
		snprintf(sc->name, sizeof(sc->name), "%s", v);
		rc = 0;
	} else if (strcmp(key, "duration") == 0) {
		rc = config_parse_ms(v, 1000, SC_MAX_MS, &sc->duration_ms);
	} else if (strcmp(key, "step") == 0) {
		rc = config_parse_ms(v, 1, 100, &sc->step_ms);
	} else if (strcmp(key, "host_memory") == 0) {
		rc = config_parse_size_kb(v, 1024, SC_MAX_KB, &sc->host_kb);
	} else if (strcmp(key, "reserve") == 0) {
		rc = size_opt(v, &sc->reserve_kb);
	} else if (strcmp(key, "disk_rate") == 0) {
		rc = config_parse_u64(v, 1, 100000000, &sc->disk_pps);
	}
	if (rc != 0)
		snprintf(c->err, c->errlen, "%s: bad value '%s'", key, v);
	return rc;
}

static int
parse_line(struct sc_ctx *c, char *line)
{
	char *save = NULL, *hash = strchr(line, '#'), *key;

	if (hash != NULL)
		*hash = '\0';
	key = strtok_r(line, " \t\r\n", &save);
	if (key == NULL)
		return 0;
	if (strcmp(key, "guest") == 0)
		return line_guest(c, &save);
	if (strcmp(key, "phase") == 0)
		return line_phase(c, &save);
	if (strcmp(key, "host_use") == 0)
		return line_host_use(c, &save);
	if (strcmp(key, "vm_start") == 0)
		return line_vm_start(c, &save);
	return line_global(c, key, &save);
}

/*
 * The guests' starting allocations must fit in host_memory: the first
 * guest line that does not fit is the error.
 */
static int
scenario_check_memory(const char *name, const struct sim_scenario *sc,
    char *err, size_t errlen)
{
	const struct sim_guest_cfg *g;
	uint64_t sum = 0;
	size_t i;

	for (i = 0; i < sc->nguests; i++) {
		g = &sc->guests[i];
		sum += g->start_kb * g->count;
		if (sum > sc->host_kb) {
			snprintf(err, errlen, "%s:%u: guest %s: the guests' "
			    "start= add up to %llu MiB, more than host_memory "
			    "(%llu MiB)", name, g->line, g->name,
			    (unsigned long long)(sum / 1024),
			    (unsigned long long)(sc->host_kb / 1024));
			return -EINVAL;
		}
	}
	return 0;
}

/* See scenario.h. */
int
scenario_parse(const char *name, const char *text, struct sim_scenario *sc,
    char *err, size_t errlen)
{
	struct sc_ctx c = { sc, err, errlen, 0 };
	char line[SC_LINE_MAX];
	const char *p = text;
	unsigned lineno = 0;
	size_t i, total = 0;
	int rc;

	memset(sc, 0, sizeof(*sc));
	snprintf(sc->name, sizeof(sc->name), "unnamed");
	sc->duration_ms = 60000;
	sc->step_ms = 50;
	sc->host_kb = 4ULL << 20;
	sc->reserve_kb = 256 * 1024;
	sc->disk_pps = 4000;
	while (*p != '\0') {
		size_t len = strcspn(p, "\n");

		lineno++;
		if (len >= sizeof(line)) {
			snprintf(err, errlen, "%s:%u: line too long", name,
			    lineno);
			return -EINVAL;
		}
		memcpy(line, p, len);
		line[len] = '\0';
		p += len + (p[len] == '\n');
		c.lineno = lineno;
		rc = parse_line(&c, line);
		if (rc != 0) {
			char msg[256];

			snprintf(msg, sizeof(msg), "%s", err);
			snprintf(err, errlen, "%s:%u: %s", name, lineno, msg);
			return rc;
		}
	}
	for (i = 0; i < sc->nguests; i++)
		total += sc->guests[i].count;
	if (sc->nguests == 0 || total > SIM_MAX_GUESTS) {
		snprintf(err, errlen, "%s: no guests, or more than %d", name,
		    SIM_MAX_GUESTS);
		return -EINVAL;
	}
	return scenario_check_memory(name, sc, err, errlen);
}

/* See scenario.h. */
int
scenario_load(const char *path, struct sim_scenario *sc_out, char *err,
    size_t errlen)
{
	FILE *f = NULL;
	char *buf = NULL;
	size_t len;
	int rc;

	f = fopen(path, "r");
	if (f == NULL) {
		rc = -errno;
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		goto out;
	}
	buf = calloc(1, 1 << 20);
	if (buf == NULL) {
		rc = -ENOMEM;
		snprintf(err, errlen, "%s: out of memory", path);
		goto out;
	}
	len = fread(buf, 1, (1 << 20) - 1, f);
	if (ferror(f) || len == (1 << 20) - 1) {
		rc = -EIO;
		snprintf(err, errlen, "%s: read error or file too big", path);
		goto out;
	}
	rc = scenario_parse(path, buf, sc_out, err, errlen);
out:
	free(buf);
	if (f != NULL)
		fclose(f);
	return rc;
}
