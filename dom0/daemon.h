/*
 * daemon.h - cagmad's core: domain discovery, watch handling, planning
 * rounds, the emergency path and the actuator.  main.c owns the poll loop
 * and calls in here; control.c and metrics.c read the state.
 */
#ifndef CAGMA_DOM0_DAEMON_H
#define CAGMA_DOM0_DAEMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "backend.h"
#include "cfg.h"
#include "domains.h"
#include "emerg.h"
#include "policy.h"
#include "readq.h"
#include "reserve.h"
#include "sched.h"

#define CAGMA_VERSION		"0.1"	/* cagmad, cagmactl, packages */
#define DAEMON_DRAIN_MAX	4096	/* watch events per loop iteration */
#define DAEMON_RESCAN_MS	10000	/* safety-net rescan period */
#define DAEMON_PROBE_MS		1000	/* xenstore liveness check period */
/*
 * Records read per pass, by time: after this long of reading, the
 * emergency round for what was read runs and the rest waits for the next
 * pass (at once, quiet guests first: readq.h), so a backlog of noisy
 * domains behind a slow xenstored delays a quiet one by one pass, not by
 * all of their reads.  At least one record is read per pass.
 */
#define DAEMON_PASS_US		(EMERG_INTERVAL_MS * 1000)
#define DAEMON_READY_MAX_US	50000	/* passes back to back, at most */

struct cagmad {
	struct cagmad_cfg cfg;
	const char *cfg_path;
	bool cfg_explicit;		/* --config given: must exist */
	const char *backend_name;
	const char *connect_uri;	/* --connect (libvirt), NULL: config */
	bool dry_run;
	const char *metrics_path;	/* NULL = no metrics file */
	struct xsio *xs;
	struct backend be;
	struct dom_table *tbl;
	const struct policy_ops *ops;	/* global policy */
	struct policy_cfg pcfg;		/* tunables from cfg */
	struct sched sched;
	struct emerg emerg;		/* urgent queue + host-wide budget */
	uint32_t *emerg_ids;		/* its FIFO, DOM_ID_MAX entries */
	uint32_t *urgent;		/* domids one emergency round serves */
	struct sched_etarget *escratch;	/* emergency order scratch */
	struct resv_table resv;		/* memory for new domains */
	uint64_t build_grace_ms;	/* plan_in.build_grace_ms */
	bool building;			/* last round: plan_building() */
	uint64_t unbuilt_ms;		/* last listing of a domain being
					   built, not tracked yet (0: none) */
	/* scratch for rounds, DOM_ID_MAX entries each */
	struct policy_vm *vms;
	struct vm_target *tgt;
	struct readq rq;		/* domains with unread records */
	struct be_dom *listing;		/* backend listing scratch */
	bool rescan;
	uint64_t rescan_ms;		/* last rescan */
	/* xenstore side: down = both handles closed, reconnecting */
	bool xs_down;
	struct sched_backoff xs_bo;
	uint64_t xs_probe_ms;		/* last drain (liveness check) */
	uint64_t xs_reconnects;
	/* host facts of the last round, KiB */
	uint64_t free_kb;
	uint64_t inflight_kb;
	/* counters */
	uint64_t rounds;
	uint64_t emergencies;		/* emergency rounds */
	uint64_t emergency_doms;	/* domains they served */
	uint64_t records;		/* records accepted, all domains */
	uint64_t targets_set;
	uint64_t last_urgent_us;	/* watch drained -> target written */
};

/*
 * Open xenstore and the backend, register the domain watches and list the
 * domains.  c->cfg, cfg_path, backend_name, dry_run must be set.  0 or
 * -errno (logged).
 */
int daemon_init(struct cagmad *c);

/* Release everything daemon_init() set up.  Cannot fail. */
void daemon_fini(struct cagmad *c);

/*
 * The fd to poll for the backend side's events (xenstore watches, libvirt
 * events), or -1 while its link is down (poll() ignores it; the timer
 * paces the reconnect attempts).
 */
int daemon_fd(const struct cagmad *c);

/* daemon_fd() readable: the side's ready().  0 or -errno (fatal). */
int daemon_ready(struct cagmad *c, uint64_t now_ms);

/* daemon_fd() reported an error or hangup: the side's link is lost. */
void daemon_hangup(struct cagmad *c, uint64_t now_ms);

/* Whether the side's link is up (checked now; NULL side: yes). */
bool daemon_up(struct cagmad *c, uint64_t now_ms);

/*
 * List domains (backend list) and diff against the table: add the new
 * (the side's facts, settings), drop the departed.  0 or -errno.
 */
int daemon_rescan(struct cagmad *c, uint64_t now_ms);

/*
 * After a side's dom_intake*() of one record of d: log a rejection (rate
 * limited), queue an urgent domain for the emergency round or ask for a
 * coalesced round (emerg_intake), count accepted records.
 */
void daemon_intake_done(struct cagmad *c, struct dom *d,
    enum dom_intake verdict, const struct dom_reject *why, uint64_t now_ms);

/*
 * At most one emergency round, for every queued domain, if the host-wide
 * budget has a token (emerg_take()).  t0_us: when the work that led here
 * began (event drained), for last_urgent_us.
 */
void daemon_emergency(struct cagmad *c, uint64_t now_ms, uint64_t t0_us);

/* ---- the xenstore side (daemon_xs.c) ---- */

/*
 * Open xenstore for be's daemon (c->xs, be->xs) and make it be's side
 * (daemon_side_xs).  0 or -errno (logged).
 */
int daemon_xs_attach(struct backend *be);

/* daemon_side_xs.fd: the watch fd, or -1 while the link is down. */
int daemon_xs_fd(const struct cagmad *c);

/*
 * xenstore fd readable: drain the events (O(1) each), rescan on domain
 * introduce/release, read each domain with new data once (an urgent one
 * joins the emergency queue), then run at most one emergency round for
 * every queued domain, if the host-wide budget has a token (else
 * daemon_timeout_ms() wakes the loop for it).  A lost connection
 * is handled here (daemon_xs_lost()) and returns 0; otherwise 0 or -errno.
 */
int daemon_xs_ready(struct cagmad *c, uint64_t now_ms);

/*
 * The xenstore link is gone (rc: the -errno that showed it): close both
 * handles, log once, and retry from daemon_tick() with backoff
 * (SCHED_BACKOFF_MIN_MS doubling to SCHED_BACKOFF_MAX_MS).  The domain
 * table and its targets are kept.  No-op while already down.
 */
void daemon_xs_lost(struct cagmad *c, uint64_t now_ms, int rc);

/*
 * The side's timers first (xenstore: reconnect if the link is down and an
 * attempt is due, then re-register every watch and rescan; check the link
 * every DAEMON_PROBE_MS; libvirt: reconnect, stats polls), then rescan
 * when asked or every DAEMON_RESCAN_MS, run the emergency round for
 * queued domains once a token is there, and a normal round if one is due
 * at now_ms.  No rounds while the side's link is down.
 */
void daemon_tick(struct cagmad *c, uint64_t now_ms);

/*
 * Milliseconds until daemon_tick() has work: emergency round (queued
 * domains and a token), round, or the side's (probe, reconnect, poll).
 */
uint64_t daemon_timeout_ms(const struct cagmad *c, uint64_t now_ms);

/*
 * Re-read the config file; keep the old one if the new one is invalid.
 * Returns 0 or -EINVAL (logged with file:line).
 */
int daemon_reload(struct cagmad *c);

/*
 * One planning round (round.c): collect balloon facts, decide, check and
 * apply the targets.  nurgent == 0: a periodic or coalesced round (every
 * balloon and the host queried, retries, pacing, metrics file).  Else an
 * emergency round for urgent[0..nurgent): only those balloons and the host
 * free memory are queried (the others keep the last round's facts), and
 * neither the pacing of normal rounds nor the metrics file is touched.
 */
void daemon_round(struct cagmad *c, uint64_t now_ms, const uint32_t *urgent,
    size_t nurgent);

/* Look a policy name up (cfg_policy_check). */
int daemon_policy_check(const char *name);

/* Resolve c->cfg.policy ("" = default) into c->ops.  0 or -ENOENT. */
int daemon_set_policy(struct cagmad *c);

#endif
