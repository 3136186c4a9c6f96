/*
 * cfg.h - cagmad configuration (/etc/cagma/cagmad.conf) over common/config.
 *
 * Every key has a default, so cagmad runs with no file.  Unknown sections and
 * keys are errors with "file:line: message".  A reload builds a new struct
 * and replaces the old one only when the whole file parsed.
 */
#ifndef CAGMA_DOM0_CFG_H
#define CAGMA_DOM0_CFG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "domains.h"
#include "policy.h"
#include "sched.h"

#define CFG_PATH_DEFAULT	"/etc/cagma/cagmad.conf"
#define CFG_NAME_MAX		64	/* policy names, domain globs */
#define CFG_DOMAINS_MAX		64	/* [domain GLOB] sections */
#define CFG_STUCK_MAX		64	/* [sim] stuck domids */

#define CFG_RESERVE_MIN_KB	(64ULL * 1024)		/* never less: 64 MiB */
#define CFG_RESERVE_DEF_KB	(256ULL * 1024)		/* 256 MiB */
#define CFG_PERIOD_DEF_MS	SCHED_PERIOD_DEF_MS
#define CFG_COALESCE_DEF_MS	SCHED_COALESCE_DEF_MS
#define CFG_STUCK_DEF_MS	DOM_STUCK_DEF_MS
#define CFG_UNCOOP_DEF_MS	DOM_UNCOOP_DEF_MS
#define CFG_RETRY_DEF_MS	DOM_RETRY_DEF_MS
#define CFG_MAX_SHRINK_DEF_KB	(64ULL * 1024)	/* per step, cap */
#define CFG_WEIGHT_DEF		100
#define CFG_SIM_HOST_DEF_KB	(4ULL * 1024 * 1024)	/* 4 GiB */
#define CFG_URI_MAX		256	/* [libvirt] uri, bytes with NUL */
#define CFG_LIBVIRT_URI_DEF	"qemu:///system"
#define CFG_LIBVIRT_PERIOD_DEF_S 1	/* balloon stats period, s */
#define CFG_LIBVIRT_PERIOD_MAX_S 60

/* One [domain GLOB] section: overrides for domains whose name matches. */
struct cfg_domain {
	char glob[CFG_NAME_MAX];
	char policy[CFG_NAME_MAX];	/* "" = the global policy */
	uint64_t min_kb;		/* 0 = global floor */
	uint64_t max_kb;		/* 0 = static-max only */
	uint32_t weight;
	bool enabled;
	uint32_t set;			/* CFG_DSET_* keys given */
};

#define CFG_DSET_POLICY		(1U << 0)
#define CFG_DSET_MIN		(1U << 1)
#define CFG_DSET_MAX		(1U << 2)
#define CFG_DSET_WEIGHT		(1U << 3)
#define CFG_DSET_ENABLED	(1U << 4)

/*
 * The [sim] section (test build only, and only with --backend sim).  The
 * struct is in both builds so that every object has one layout; only the
 * test build parses or reads it.
 */
struct cfg_sim {
	uint64_t host_memory_kb;
	uint64_t balloon_rate_kbps;	/* KiB/s, 0 = instant */
	uint32_t stuck[CFG_STUCK_MAX];	/* domids whose balloon never moves */
	size_t n_stuck;
};

/* The [libvirt] section (cagmad-libvirt; parsed by both programs). */
struct cfg_libvirt {
	char uri[CFG_URI_MAX];		/* connection URI (--connect wins) */
	uint32_t stats_period_s;	/* virDomainSetMemoryStatsPeriod */
	uint64_t host_memory_kb;	/* most the guests hold in all; 0: none */
};

/* How the Xen backend sets targets (set_target key). */
enum cfg_set_target {
	CFG_SET_TARGET_LIBXL = 0,	/* libxl_set_memory_target (default) */
	CFG_SET_TARGET_DIRECT,		/* setmaxmem + memory/target, qmemman */
};

struct cagmad_cfg {
	char policy[CFG_NAME_MAX];
	uint64_t period_ms;		/* periodic round */
	uint64_t coalesce_ms;		/* min gap between record-driven rounds */
	uint64_t reserve_kb;		/* host reserve, >= CFG_RESERVE_MIN_KB */
	uint64_t floor_kb;		/* default per-domain minimum */
	uint64_t max_shrink_kb;		/* largest shrink per round */
	uint64_t shrink_rate_kbps;	/* release rate, KiB/s */
	uint64_t hysteresis_kb;		/* ignore smaller moves */
	uint64_t stale_ms;		/* record older than this: stale */
	uint64_t stuck_ms;		/* no progress: stuck */
	uint64_t uncoop_ms;		/* no progress: uncooperative */
	uint64_t retry_ms;		/* re-send targets to uncooperative */
	enum policy_surplus surplus;
	uint32_t headroom_pct;		/* calm donors keep need + this % */
	bool balloon_dom0;		/* manage dom0 too (default no) */
	enum cfg_set_target set_target;	/* xen backend only */
	struct cfg_domain doms[CFG_DOMAINS_MAX];
	size_t n_doms;
	struct cfg_libvirt libvirt;
	bool sim_allowed;		/* parser input: --backend sim */
	bool sim_seen;
	struct cfg_sim sim;
};

/* Per-domain settings after matching [domain] sections. */
struct cfg_dom_settings {
	const char *policy;	/* points into cfg; "" = global */
	uint64_t floor_kb;
	uint64_t max_kb;	/* 0 = no configured cap */
	uint32_t weight;
	bool enabled;
};

/* Validates a policy name; returns 0 if known, -ENOENT otherwise. */
typedef int (*cfg_policy_check)(const char *name);

/* Fill every default (policy "" means the first policy of policy_all). */
void cfg_defaults(struct cagmad_cfg *cfg);

/*
 * Parse path into *cfg_out.  sim: whether [sim] is allowed (--backend sim;
 * the shipped build rejects [sim] whatever sim says); check: policy
 * name validator or NULL.  A missing file at the default path is not an
 * error when missing_ok.  On failure *cfg_out is untouched and err holds
 * "file:line: message".  Returns 0, -ENOENT, -EINVAL or -errno.
 */
int cfg_load(const char *path, bool missing_ok, bool sim,
    cfg_policy_check check, struct cagmad_cfg *cfg_out, char *err,
    size_t errlen);

/* Same from a string (tests); name is used in messages. */
int cfg_load_string(const char *name, const char *text, bool sim,
    cfg_policy_check check, struct cagmad_cfg *cfg_out, char *err,
    size_t errlen);

/*
 * Settings for a domain by its (trusted, toolstack-written) name: every
 * matching [domain GLOB] section applies in file order, later ones win.
 * Cannot fail.
 */
void cfg_match(const struct cagmad_cfg *cfg, const char *name,
    struct cfg_dom_settings *out);

/* Policy tunables of cfg, for policy_decide(). */
void cfg_policy_cfg(const struct cagmad_cfg *cfg, struct policy_cfg *out);

#ifdef CAGMA_TEST_BACKENDS
/* Whether domid is listed in [sim] stuck (test build only). */
bool cfg_sim_stuck(const struct cagmad_cfg *cfg, uint32_t domid);
#endif

#endif
