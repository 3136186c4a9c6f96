/*
 * cagma-sim - replay a scenario through one policy (the same policy code
 * as cagmad) and print a summary line; optionally a per-step CSV and a
 * live per-guest view.  With --lab[=FIRST-LAST], print the scenario as
 * the Xen lab's settings instead (lab.h; bench/lab/scenario.sh reads them).
 * See bench/scenarios/FORMAT.md.
 *
 * Exit: 0 ok, 1 run error, 2 usage or scenario error (or a scenario the
 * lab cannot run, with --lab).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "lab.h"
#include "policy.h"
#include "scenario.h"
#include "sim.h"

static void
usage(FILE *f)
{
	size_t i;

	fprintf(f, "usage: cagma-sim --scenario FILE --policy NAME [--seed N] "
	    "[--csv OUT]\n"
	    "                 [--surplus host|weight] [--live] "
	    "[--live-every MS] [--live-sleep MS]\n"
	    "                 [--headroom PCT|auto]\n"
	    "       cagma-sim --scenario FILE --lab[=FIRST-LAST]\n"
	    "policies:");
	for (i = 0; policy_all[i] != NULL; i++)
		fprintf(f, " %s", policy_all[i]->name);
	fprintf(f, "\n");
}

static int
parse_args(int argc, char **argv, struct sim_opts *o, const char **scen,
    const char **csv, const char **lab)
{
	static const struct option lo[] = {
		{ "scenario", required_argument, NULL, 's' },
		{ "policy", required_argument, NULL, 'p' },
		{ "seed", required_argument, NULL, 'S' },
		{ "csv", required_argument, NULL, 'c' },
		{ "surplus", required_argument, NULL, 'u' },
		{ "headroom", required_argument, NULL, 'H' },
		{ "live", no_argument, NULL, 'l' },
		{ "live-every", required_argument, NULL, 'e' },
		{ "live-sleep", required_argument, NULL, 'z' },
		{ "lab", optional_argument, NULL, 'L' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	uint64_t v;
	int c;

	while ((c = getopt_long(argc, argv, "s:p:S:c:u:H:le:z:h", lo,
	    NULL)) != -1) {
		switch (c) {
		case 's': *scen = optarg; break;
		case 'c': *csv = optarg; break;
		case 'L': *lab = optarg != NULL ? optarg : ""; break;
		case 'p':
			o->ops = policy_find(optarg);
			if (o->ops == NULL) {
				fprintf(stderr, "cagma-sim: unknown policy "
				    "'%s'\n", optarg);
				return -EINVAL;
			}
			break;
		case 'S':
			if (config_parse_u64(optarg, 0, UINT32_MAX, &o->seed))
				return -EINVAL;
			break;
		case 'u':
			if (strcmp(optarg, "host") == 0)
				o->cfg.surplus = POLICY_SURPLUS_HOST;
			else if (strcmp(optarg, "weight") == 0)
				o->cfg.surplus = POLICY_SURPLUS_WEIGHT;
			else
				return -EINVAL;
			break;
		case 'H':
			if (strcmp(optarg, "auto") == 0) {
				o->cfg.headroom_pct = POLICY_HEADROOM_AUTO;
				break;
			}
			if (config_parse_u64(optarg, 0,
			    POLICY_HEADROOM_MAX_PCT, &v))
				return -EINVAL;
			o->cfg.headroom_pct = (uint32_t)v;
			break;
		case 'l':
			o->live = stdout;
			break;
		case 'e':
			if (config_parse_ms(optarg, 1, 3600000,
			    &o->live_every_ms))
				return -EINVAL;
			break;
		case 'z':
			if (config_parse_u64(optarg, 0, 10000, &v))
				return -EINVAL;
			o->live_sleep_us = v * 1000;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			return -EINVAL;
		}
	}
	if (*scen == NULL || (o->ops == NULL && *lab == NULL) ||
	    optind != argc)
		return -EINVAL;
	return 0;
}

/* The summary line (key=value, one run; bench/sim/summary.awk reads it). */
static void
print_summary(const struct sim_scenario *sc, const struct sim_opts *o,
    const struct sim_result *res)
{
	printf("scenario=%s policy=%s seed=%llu swapin_pages=%.0f "
	    "starved_s=%.1f oom_events=%llu reserve_violations=%llu "
	    "mean_alloc_mib=%.1f reaction_ms_p50=%.0f episodes=%llu "
	    "rounds=%llu records=%llu rejected=%llu vm_starts=%llu "
	    "failed_starts=%llu start_ms_max=%.0f max_drop_mib=%.1f "
	    "giveback_s_max=%.1f giveback_half_s_max=%.1f "
	    "host_min_free_mib=%.1f flaps=%llu release_s_max=%.1f\n",
	    sc->name,
	    o->ops->name, (unsigned long long)o->seed, res->swapin_pages,
	    res->starved_s, (unsigned long long)res->oom_events,
	    (unsigned long long)res->reserve_violations, res->mean_alloc_mib,
	    res->reaction_ms_p50, (unsigned long long)res->episodes,
	    (unsigned long long)res->rounds, (unsigned long long)res->records,
	    (unsigned long long)res->rejected,
	    (unsigned long long)res->vm_starts,
	    (unsigned long long)res->failed_starts, res->start_ms_max,
	    res->max_drop_mib, res->giveback_s_max, res->giveback_half_s_max,
	    res->host_min_free_mib, (unsigned long long)res->flaps,
	    res->release_s_max);
}

/* --lab: the scenario as the Xen lab's settings (lab.h) on stdout. */
static int
lab_main(struct sim_scenario *sc, const char *scen, const char *range_arg)
{
	struct lab_range range;
	char err[512], out[LAB_OUT_MAX];

	if (lab_parse_range(range_arg, &range) != 0) {
		fprintf(stderr, "cagma-sim: bad phase range '%s' (FIRST-LAST, "
		    "e.g. 2-4)\n", range_arg);
		return 2;
	}
	if (scenario_load(scen, sc, err, sizeof(err)) != 0 ||
	    lab_format(sc, scen, &range, out, sizeof(out), err,
	    sizeof(err)) != 0) {
		fprintf(stderr, "cagma-sim: %s\n", err);
		return 2;
	}
	if (fputs(out, stdout) == EOF || fflush(stdout) != 0) {
		fprintf(stderr, "cagma-sim: write: %s\n", strerror(errno));
		return 1;
	}
	return 0;
}

int
main(int argc, char **argv)
{
	static struct sim_scenario sc;
	struct sim_opts o;
	struct sim_result res;
	const char *scen = NULL, *csv = NULL, *lab = NULL;
	char err[512];
	int rc;

	memset(&o, 0, sizeof(o));
	sim_opts_default(&o);
	o.seed = 1;
	o.live_every_ms = 1000;
	if (parse_args(argc, argv, &o, &scen, &csv, &lab) != 0) {
		usage(stderr);
		return 2;
	}
	if (lab != NULL)
		return lab_main(&sc, scen, lab);
	if (scenario_load(scen, &sc, err, sizeof(err)) != 0) {
		fprintf(stderr, "cagma-sim: %s\n", err);
		return 2;
	}
	if (sc.step_ms > 0 && o.live_every_ms % sc.step_ms != 0)
		o.live_every_ms -= o.live_every_ms % sc.step_ms;
	if (csv != NULL) {
		o.csv = fopen(csv, "w");
		if (o.csv == NULL) {
			fprintf(stderr, "cagma-sim: %s: %s\n", csv,
			    strerror(errno));
			return 1;
		}
		fprintf(o.csv, "t_s,guest,alloc_mib,target_mib,cma_mib,"
		    "demand_mib,swapped_mib,swapin_cum,swapin_want_pps,"
		    "host_free_mib\n");
	}
	rc = sim_run(&sc, &o, &res);
	if (o.csv != NULL && fclose(o.csv) != 0)
		rc = -EIO;
	if (rc != 0) {
		fprintf(stderr, "cagma-sim: run failed: %s\n", strerror(-rc));
		return 1;
	}
	print_summary(&sc, &o, &res);
	return 0;
}
