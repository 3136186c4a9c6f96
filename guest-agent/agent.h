/*
 * agent.h - cagma-agent configuration and main loop step.
 *
 * main.c parses the command line into a struct agent_cfg and calls
 * agent_step() until a signal; tests drive agent_step() directly with
 * fixtures, a FIFO standing in for the PSI trigger and a pipe for --dry-run
 * output.
 */
#ifndef CAGMA_AGENT_AGENT_H
#define CAGMA_AGENT_AGENT_H

#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "log.h"
#include "report.h"
#include "sample.h"
#include "publish.h"
#include "schema.h"

#define AGENT_DEF_CONFIG	"/etc/cagma/cagma-agent.conf"
#define AGENT_DEF_PROC		"/proc"
#define AGENT_DEF_INTERVAL_MS	100
#define AGENT_DEF_INTERVAL_MAX_MS 1000	/* calm, ample guests */
#define AGENT_DEF_PSI_STALL_MS	100	/* "some 100000 1000000" */
#define AGENT_DEF_PSI_WINDOW_MS	1000

/* Exit codes (documented in cagma-agent.8). */
enum agent_exit {
	AGENT_EXIT_OK = 0,		/* done, or stopped by SIGTERM/SIGINT */
	AGENT_EXIT_FAILURE = 1,		/* runtime error (e.g. stdout closed) */
	AGENT_EXIT_USAGE = 2,		/* bad option or configuration file */
	AGENT_EXIT_PROC = 3,		/* cannot read or parse /proc */
	AGENT_EXIT_XENSTORE = 4,	/* --once: transport unavailable */
};

struct agent_cfg {
	char proc_root[PATH_MAX];	/* procfs root (trusted, admin) */
	uint64_t interval_ms;		/* sample period (the fastest) */
	uint64_t interval_max_ms;	/* slowest adaptive period */
	struct report_cfg report;	/* publish rules */
	struct sample_psi_cfg psi;	/* PSI trigger */
	enum agent_transport transport;	/* auto, xenstore or virtio */
	char port[PATH_MAX];		/* virtio-serial port (trusted) */
	bool dry_run;			/* print records, publish nothing */
	bool once;			/* one sample and publish, then exit */
	char trigger_fifo[PATH_MAX];	/* "" or a FIFO: readable = trigger */
	uint64_t max_samples;		/* stop after this many (0: never) */
};

struct agent {
	struct agent_cfg cfg;
	struct sampler smp;
	struct report_state rs;
	struct agent_pub pub;		/* xenstore or virtio port */
	int fifo_fd;			/* -1 unless cfg.trigger_fifo */
	int out_fd;			/* --dry-run output */
	uint64_t seq;			/* last published seq */
	uint64_t next_sample_ms;
	uint64_t period_ms;		/* adaptive: until the next sample */
	bool have_last;			/* last_vals / last_ms valid */
	struct report_vals last_vals;
	uint64_t last_ms;
	uint64_t hold_until_ms;		/* after a failed sample */
	uint64_t samples;		/* successful samples */
	uint64_t publishes;		/* records written */
	uint64_t urgent_publishes;
	struct log_ratelimit rl;	/* sample/publish error messages */
	char rec_buf[CG_RECORD_MAX_LEN + 2];
};

/* Defaults for every setting.  Cannot fail. */
void agent_cfg_defaults(struct agent_cfg *cfg);

/*
 * Set one setting by its config-file key (also used for command line
 * options): proc, interval, heartbeat, threshold, threshold_pct,
 * kswapd_burst, urgent_gap, psi_trigger, psi_stall, psi_window, transport,
 * port.  value is
 * trusted admin input but checked.  Returns 0, or -EINVAL with a message in
 * err (errlen bytes).
 */
int agent_cfg_set(struct agent_cfg *cfg, const char *key, const char *value,
    char *err, size_t errlen);

/*
 * Load an ini file (section [agent], or keys before any section).  Returns
 * 0, -ENOENT if the file does not exist, or -errno / -EINVAL with a
 * "file:line: message" text in err.
 */
int agent_cfg_load(struct agent_cfg *cfg, const char *path, char *err,
    size_t errlen);

/* Cross-setting checks (psi_stall <= psi_window).  0 or -EINVAL + err. */
int agent_cfg_check(const struct agent_cfg *cfg, char *err, size_t errlen);

/*
 * Open the /proc files (and the trigger FIFO).  Does not connect the
 * transport; the first agent_step() or agent_connect() does.  out_fd
 * receives --dry-run records.  Returns 0 or -errno (logged).
 */
int agent_init(struct agent *a, const struct agent_cfg *cfg, int out_fd);

/*
 * Try to connect the transport (xenstore or the port) now (no-op in
 * dry-run).  0 or -errno.
 */
int agent_connect(struct agent *a, uint64_t now_ms);

#define AGENT_SAMPLE_FAILED	2

/*
 * Drop the transport (xenstore connection or port) and reconnect at once,
 * backoff reset, "auto" chosen again (on SIGHUP, e.g. after xenstored was
 * restarted).  Cannot fail: a failed
 * connect is retried with backoff by agent_step().
 */
void agent_reconnect(struct agent *a);

/*
 * Sample now and publish if report_decide() says so (force: publish in any
 * case, for --once).  Returns 1 if a record was written, 0 if not,
 * AGENT_SAMPLE_FAILED if /proc could not be read or parsed (logged, rate
 * limited; the next try is one interval later), -errno if the --dry-run
 * output failed.
 */
int agent_sample_publish(struct agent *a, bool psi_fired, bool force,
    uint64_t now_ms);

/*
 * Wait (ppoll with sigmask, NULL for none) until the next sample, publish
 * deadline, reconnect attempt, PSI trigger or signal, then do the work due.
 * Never busy-loops.  Returns 0 to go on, 1 when cfg.max_samples samples were
 * taken, or -errno on a fatal error (dry-run output lost).
 */
int agent_step(struct agent *a, const sigset_t *sigmask);

/* Close everything; nothing is removed from xenstore.  Cannot fail. */
void agent_fini(struct agent *a);

#endif
