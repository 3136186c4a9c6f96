/*
 * main.c - cagma-agent: command line, signals, daemon loop.
 *
 * The in-guest half of cagma: samples /proc and publishes one stats record to
 * xenstore (data/cagma/stats) or, in a KVM guest, to a virtio-serial port.
 * See cagma-agent(8).
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agent.h"
#include "config.h"
#include "log.h"
#include "mtime.h"

#ifndef CAGMA_VERSION
#define CAGMA_VERSION	"0.1"
#endif

static volatile sig_atomic_t agent_stop;
static volatile sig_atomic_t agent_hup;

static void
agent_on_signal(int sig)
{
	if (sig == SIGHUP)
		agent_hup = 1;
	else
		agent_stop = 1;
}

static void
usage(FILE *fp)
{
	fprintf(fp,
"usage: cagma-agent [options]\n"
"Publish this guest's memory statistics to xenstore (Xen: data/cagma/stats)\n"
"or to a virtio-serial port (KVM), for cagmad.\n"
"\n"
"  -c, --config FILE      configuration file (default %s;\n"
"                         a missing default file is not an error)\n"
"  -p, --proc DIR         procfs root (default /proc; fixtures for tests)\n"
"  -1, --once             sample once, publish once, exit\n"
"  -n, --dry-run          print records to stdout instead of publishing\n"
"  -T, --transport T      auto (default), xenstore or virtio; auto: xenstore\n"
"                         if /dev/xen/xenbus exists, else virtio if the\n"
"                         port exists (looked for again until one does)\n"
"  -P, --port PATH        virtio-serial port (default\n"
"                         %s)\n"
"  -f, --foreground       stay in the foreground, log to stderr\n"
"  -v, --verbose          log every publish (debug)\n"
"  -i, --interval T       sample period while memory is tight or falling\n"
"                         (default 100ms)\n"
"      --interval-max T   ... and while it is ample (default 1s; adaptive\n"
"                         in between; = interval: fixed)\n"
"  -H, --heartbeat T      publish at least this often (default 5s)\n"
"  -t, --threshold SIZE   publish when MemAvailable, MemFree, MemTotal or\n"
"                         swap use moved by more than SIZE (default 16M)\n"
"      --threshold-pct N  ... or by more than N %% of MemTotal (default 2)\n"
"      --kswapd-burst N   urgent when pgscan_kswapd grew by more than N\n"
"                         pages since the previous sample (default 1024)\n"
"      --urgent-gap T     minimum time between urgent publishes (50ms)\n"
"      --psi-stall T      PSI trigger stall (default 100ms) ...\n"
"      --psi-window T     ... within this window (default 1s)\n"
"      --no-psi-trigger   do not arm a PSI trigger (sample only)\n"
"      --trigger-fifo F   treat F becoming readable as a PSI trigger (tests)\n"
"      --samples N        exit after N samples (benchmarks, tests)\n"
"  -h, --help             this text\n"
"  -V, --version          print the version\n"
"T is a duration (\"100\" = ms, \"100ms\", \"5s\"); SIZE is KiB or K/M/G.\n"
"Exit: 0 ok/stopped, 1 runtime error, 2 usage or config error,\n"
"3 cannot read /proc, 4 xenstore or port unavailable (--once).\n",
	    AGENT_DEF_CONFIG, VPORT_DEF_PATH);
}

enum {
	OPT_THRESH_PCT = 256,
	OPT_KSWAPD,
	OPT_GAP,
	OPT_PSI_STALL,
	OPT_PSI_WINDOW,
	OPT_NO_PSI,
	OPT_FIFO,
	OPT_SAMPLES,
	OPT_INTERVAL_MAX,
};

static const struct option agent_opts[] = {
	{ "config", required_argument, NULL, 'c' },
	{ "proc", required_argument, NULL, 'p' },
	{ "once", no_argument, NULL, '1' },
	{ "dry-run", no_argument, NULL, 'n' },
	{ "transport", required_argument, NULL, 'T' },
	{ "port", required_argument, NULL, 'P' },
	{ "foreground", no_argument, NULL, 'f' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "interval", required_argument, NULL, 'i' },
	{ "interval-max", required_argument, NULL, OPT_INTERVAL_MAX },
	{ "heartbeat", required_argument, NULL, 'H' },
	{ "threshold", required_argument, NULL, 't' },
	{ "threshold-pct", required_argument, NULL, OPT_THRESH_PCT },
	{ "kswapd-burst", required_argument, NULL, OPT_KSWAPD },
	{ "urgent-gap", required_argument, NULL, OPT_GAP },
	{ "psi-stall", required_argument, NULL, OPT_PSI_STALL },
	{ "psi-window", required_argument, NULL, OPT_PSI_WINDOW },
	{ "no-psi-trigger", no_argument, NULL, OPT_NO_PSI },
	{ "trigger-fifo", required_argument, NULL, OPT_FIFO },
	{ "samples", required_argument, NULL, OPT_SAMPLES },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};
static const char agent_optstr[] = "c:p:1nT:P:fvi:H:t:hV";

struct agent_args {
	const char *config;	/* NULL: default, missing is fine */
	bool foreground;
	int verbose;
};

/* Map an option to its config key; NULL if it is not a setting. */
static const char *
agent_opt_key(int c)
{
	switch (c) {
	case 'p': return "proc";
	case 'T': return "transport";
	case 'P': return "port";
	case 'i': return "interval";
	case OPT_INTERVAL_MAX: return "interval_max";
	case 'H': return "heartbeat";
	case 't': return "threshold";
	case OPT_THRESH_PCT: return "threshold_pct";
	case OPT_KSWAPD: return "kswapd_burst";
	case OPT_GAP: return "urgent_gap";
	case OPT_PSI_STALL: return "psi_stall";
	case OPT_PSI_WINDOW: return "psi_window";
	default: return NULL;
	}
}

/* First pass: only --config, --help, --version. */
static void
agent_args_pass1(int argc, char **argv, struct agent_args *args)
{
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, agent_optstr, agent_opts,
	    NULL)) != -1) {
		if (c == 'c')
			args->config = optarg;
		else if (c == 'h') {
			usage(stdout);
			exit(AGENT_EXIT_OK);
		} else if (c == 'V') {
			printf("cagma-agent %s (record v%d)\n", CAGMA_VERSION,
			    CG_RECORD_VERSION);
			exit(AGENT_EXIT_OK);
		}
	}
}

static void
agent_usage_error(const char *msg)
{
	fprintf(stderr, "cagma-agent: %s\n", msg);
	fprintf(stderr, "Try 'cagma-agent --help'.\n");
	exit(AGENT_EXIT_USAGE);
}

/* Second pass: every option, overriding the configuration file. */
static void
agent_args_pass2(int argc, char **argv, struct agent_args *args,
    struct agent_cfg *cfg)
{
	char err[CONFIG_ERR_MAX], opt[CONFIG_ERR_MAX + 32];
	const char *key;
	int c;

	optind = 0;	/* glibc: full re-initialisation */
	opterr = 1;
	while ((c = getopt_long(argc, argv, agent_optstr, agent_opts,
	    NULL)) != -1) {
		key = agent_opt_key(c);
		if (key != NULL) {
			if (agent_cfg_set(cfg, key, optarg, err,
			    sizeof(err)) != 0) {
				snprintf(opt, sizeof(opt), "option: %s", err);
				agent_usage_error(opt);
			}
			continue;
		}
		switch (c) {
		case 'c': case 'h': case 'V':
			break;
		case '1': cfg->once = true; break;
		case 'n': cfg->dry_run = true; break;
		case 'f': args->foreground = true; break;
		case 'v': args->verbose++; break;
		case OPT_NO_PSI: cfg->psi.enable = false; break;
		case OPT_FIFO:
			snprintf(cfg->trigger_fifo, sizeof(cfg->trigger_fifo),
			    "%s", optarg);
			break;
		case OPT_SAMPLES:
			if (config_parse_u64(optarg, 1, UINT64_MAX,
			    &cfg->max_samples) != 0)
				agent_usage_error("--samples: expected a "
				    "positive integer");
			break;
		default:
			agent_usage_error("invalid option");
		}
	}
	if (optind != argc)
		agent_usage_error("unexpected argument");
}

static void
agent_load_config(const struct agent_args *args, struct agent_cfg *cfg)
{
	const char *path = args->config ? args->config : AGENT_DEF_CONFIG;
	char err[CONFIG_ERR_MAX];
	int rc;

	rc = agent_cfg_load(cfg, path, err, sizeof(err));
	if (rc == -ENOENT && args->config == NULL)
		return;
	if (rc != 0) {
		fprintf(stderr, "cagma-agent: %s\n", err);
		exit(AGENT_EXIT_USAGE);
	}
}

/* --once: one sample, one publish (the transport unless --dry-run). */
static int
agent_run_once(struct agent *a)
{
	uint64_t now = mtime_ms();
	int rc;

	if (!a->cfg.dry_run && agent_connect(a, now) != 0) {
		fprintf(stderr, "cagma-agent: %s unavailable\n",
		    agent_pub_where(&a->pub));
		return AGENT_EXIT_XENSTORE;
	}
	rc = agent_sample_publish(a, false, true, now);
	if (rc == AGENT_SAMPLE_FAILED)
		return AGENT_EXIT_PROC;
	if (rc < 0)
		return AGENT_EXIT_FAILURE;
	if (rc == 0)
		return a->cfg.dry_run ? AGENT_EXIT_FAILURE :
		    AGENT_EXIT_XENSTORE;
	return AGENT_EXIT_OK;
}

static void
agent_signals(sigset_t *waitmask)
{
	struct sigaction sa;
	sigset_t block;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = agent_on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);	/* dead xenstored socket, port */
	/* Signals arrive only inside ppoll(): no lost wake-up. */
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGHUP);
	sigprocmask(SIG_BLOCK, &block, waitmask);
	sigdelset(waitmask, SIGTERM);
	sigdelset(waitmask, SIGINT);
	sigdelset(waitmask, SIGHUP);
}

int
main(int argc, char **argv)
{
	static struct agent a;	/* ~26 KiB of buffers: not on the stack */
	struct agent_args args = { .config = NULL };
	struct agent_cfg cfg;
	char err[CONFIG_ERR_MAX];
	sigset_t waitmask;
	int rc;

	agent_cfg_defaults(&cfg);
	agent_args_pass1(argc, argv, &args);
	agent_load_config(&args, &cfg);
	agent_args_pass2(argc, argv, &args, &cfg);
	if (agent_cfg_check(&cfg, err, sizeof(err)) != 0)
		agent_usage_error(err);

	if (args.foreground || cfg.once || cfg.dry_run)
		log_init(LOGDEST_STDERR, args.verbose, "cagma-agent");
	else
		log_init(LOGDEST_SYSLOG, args.verbose, "cagma-agent");
	if (agent_init(&a, &cfg, STDOUT_FILENO) != 0)
		return AGENT_EXIT_PROC;
	if (cfg.once) {
		rc = agent_run_once(&a);
		agent_fini(&a);
		return rc;
	}
	if (!args.foreground && !cfg.dry_run && daemon(0, 0) != 0)
		fatal("daemon");
	agent_signals(&waitmask);
	log_info("started: proc %s, transport %s, interval %llums .. %llums, "
	    "heartbeat %llums%s", cfg.proc_root, cfg.dry_run ? "none" :
	    cfg.transport == AGENT_TR_VIRTIO ? cfg.port :
	    agent_transport_name(cfg.transport), (unsigned long long)cfg.interval_ms,
	    (unsigned long long)(cfg.interval_max_ms > cfg.interval_ms ?
	    cfg.interval_max_ms : cfg.interval_ms),
	    (unsigned long long)cfg.report.heartbeat_ms,
	    cfg.dry_run ? ", dry run" : "");
	if (agent_connect(&a, mtime_ms()) != 0)
		log_warnx("%s unavailable: sampling on, publishing as soon "
		    "as it is back (retry %dms doubling to %dms)",
		    agent_pub_where(&a.pub), AXS_BACKOFF_MIN_MS,
		    AXS_BACKOFF_MAX_MS);
	rc = 0;
	while (!agent_stop && rc == 0) {
		if (agent_hup) {
			agent_hup = 0;
			log_info("SIGHUP: reconnecting (%s)",
			    agent_transport_name(cfg.transport));
			agent_reconnect(&a);
		}
		rc = agent_step(&a, &waitmask);
	}
	log_info("stopping: %llu samples, %llu publishes (%llu urgent)",
	    (unsigned long long)a.samples, (unsigned long long)a.publishes,
	    (unsigned long long)a.urgent_publishes);
	agent_fini(&a);
	return rc < 0 ? AGENT_EXIT_FAILURE : AGENT_EXIT_OK;
}
