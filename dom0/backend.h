/*
 * backend.h - domain control behind one small interface.
 *
 * "xen": libxl + libxenctrl (backend_xen.c).  "sim", only in the test build
 * (-DCAGMA_TEST_BACKENDS, build/test/bin/cagmad): domains are the children of
 * /local/domain in xenstore, balloons are simulated (backend_sim.c).  The
 * daemon code is the same for both.
 */
#ifndef CAGMA_DOM0_BACKEND_H
#define CAGMA_DOM0_BACKEND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cfg.h"
#include "domains.h"
#include "log.h"

struct cagmad;
struct xsio;

/* One domain as the backend sees it; KiB, trusted. */
struct be_dom {
	uint32_t domid;
	uint64_t current_kb;
	bool dying;		/* dying or shut down: leave it alone */
};

/* What the daemon needs to track a listed domain; KiB, trusted. */
struct be_facts {
	char name[DOM_NAME_MAX];	/* escaped, printable */
	uint64_t max_kb;		/* ceiling (Xen: static-max) */
	uint64_t target_kb;		/* target in force */
};

struct backend;

/*
 * The side of the hypervisor the daemon listens to: where domain events
 * and records come from.  "xs" (daemon_xs.c): xenstore watches on each
 * domain's record and on domain introduce/release, for the xen and sim
 * backends.  "libvirt" (backend_libvirt.c): libvirt's domain events and
 * balloon statistics polled at the stats period.  Every hook is called
 * from the daemon's one thread; c is the daemon.
 */
struct backend_side {
	const char *name;
	/* Start listening (register watches...) after the backend opened. */
	int (*start)(struct cagmad *c);
	/* The fd to poll for events, or -1 (none now: link down). */
	int (*fd)(const struct cagmad *c);
	/* fd readable: handle events and records.  0 or -errno (fatal). */
	int (*ready)(struct cagmad *c, uint64_t now_ms);
	/* fd reported POLLERR/POLLHUP/POLLNVAL. */
	void (*hangup)(struct cagmad *c, uint64_t now_ms);
	/* Timers of the side (reconnect, probes, stats polls). */
	void (*tick)(struct cagmad *c, uint64_t now_ms);
	/* Check the link: false while it is down (no rounds then). */
	bool (*up)(struct cagmad *c, uint64_t now_ms);
	/* ms until tick() has work, given core_ms, the core's own timeout. */
	uint64_t (*timeout_ms)(const struct cagmad *c, uint64_t now_ms,
	    uint64_t core_ms);
	/* Facts of a listed domain; -EAGAIN: not ready (being built). */
	int (*facts)(struct cagmad *c, const struct be_dom *b,
	    struct be_facts *out);
	/* d was added to (on) or is about to leave (!on) the table. */
	void (*track)(struct cagmad *c, const struct dom *d, bool on);
	/* Stop listening; after the backend's close.  Cannot fail. */
	void (*stop)(struct cagmad *c);
};

struct backend_ops {
	const char *name;
	/* All domains (incl. 0); only on introduce/release. 0 or -errno. */
	int (*list)(struct backend *be, struct be_dom *out, size_t max,
	    size_t *n_out);
	/* Balloon current of one domain.  -ENOENT if it is gone. */
	int (*current)(struct backend *be, uint32_t domid,
	    uint64_t *current_kb_out);
	/* Set the balloon target (the only writer).  0 or -errno. */
	int (*set_target)(struct backend *be, uint32_t domid,
	    uint64_t target_kb);
	/*
	 * Host free memory, KiB, net of outstanding claims (memory a domain
	 * being built has staked: xl claim_mode=1).  0 or -errno.
	 */
	int (*free_memory)(struct backend *be, uint64_t *free_kb_out);
	/*
	 * The daemon's xenstore link came back after a loss (xenstored
	 * restarted): drop any xenstore state the backend holds and open it
	 * again.  May be NULL.  0 or -errno (the daemon retries later).
	 */
	int (*reconnect)(struct backend *be);
	/* Advance simulated time (sim only; may be NULL). */
	void (*tick)(struct backend *be, uint64_t now_ms);
	void (*close)(struct backend *be);
};

struct backend {
	const struct backend_ops *ops;
	const struct backend_side *side;
	struct cagmad *c;		/* the daemon (records go there) */
	struct xsio *xs;		/* xs side: shared with the daemon */
	const struct cagmad_cfg *cfg;	/* live config (reloads included) */
	void *priv;
	void *side_priv;		/* the side's own state, if any */
};

/*
 * The backends of one program: cagmad has "xen" (and "sim" in its test
 * build, backends_xen.c), cagmad-libvirt has "libvirt"
 * (backends_libvirt.c).  The first entry is the default.  open: the
 * backend and its side (be->side set); 0 or -errno.
 */
struct backend_entry {
	const char *name;
	int (*open)(struct backend *be);
};
extern const struct backend_entry backend_table[];	/* NULL-terminated */
extern const char backend_names[];	/* "xen" or "xen|sim": usage text */
extern const char backend_program[];	/* "cagmad" or "cagmad-libvirt" */

/* The default backend of this program (backend_table[0]). */
const char *backend_default(void);

/*
 * Whether this program has backend name: 0 yes, -EPERM for "sim" in the
 * shipped cagmad (test build only), -EXDEV for a backend another program
 * has ("libvirt": cagmad-libvirt; "xen": cagmad), -ENOENT unknown.
 */
int backend_check(const char *name);

/* The program that has backend name (-EXDEV above), or NULL. */
const char *backend_other_program(const char *name);

/*
 * Open a backend by name (see backend_check) for daemon c.  0, -ENOENT
 * (unknown or not in this program) or -errno.
 */
int backend_open(struct backend *be, const char *name, struct cagmad *c,
    const struct cagmad_cfg *cfg);

/* Xen backend (backend_xen.c): libxl context, created once. */
int backend_xen_open(struct backend *be);

/* The xenstore side (daemon_xs.c) of the xen and sim backends. */
extern const struct backend_side daemon_side_xs;

/* libvirt backend (backend_libvirt.c, cagmad-libvirt only). */
int backend_libvirt_open(struct backend *be);

/*
 * Pure helpers of the Xen backend, exported for the unit tests.
 * backend_xen_errno: a libxl return code (0 or ERROR_*) as 0 or -errno:
 * NOMEM -ENOMEM, INVAL -EINVAL, (DOMAIN_)NOTFOUND and DOMAIN_DESTROYED
 * -ENOENT, NI/FEATURE_REMOVED -EOPNOTSUPP, (GUEST_)TIMEDOUT -ETIMEDOUT,
 * LOCK_FAIL -ENOLCK, NOT_READY -EAGAIN, ABORTED -ECANCELED, ...; FAIL and
 * anything unknown -EIO.
 * backend_xen_log_level: a xentoollog level (XTL_*) as a log level: ERROR
 * and CRITICAL err, WARN warn, INFO and NOTICE info, the rest debug.
 * backend_xen_strerror: libxl's name of the code ("fail"), or "unknown";
 * static storage.
 */
int backend_xen_errno(int libxl_rc);

/*
 * The direct path's writes for target_kb (set_target = direct, the steps
 * of libxl_set_memory_target(enforce=1)): memory/target = target -
 * videoram, the hypervisor's max = target + 1024 KiB, the PoD target in
 * pages (HVM only, else 0), /vm/<uuid>/memory in MiB.  -EINVAL (nothing
 * to write) when target < videoram or target - videoram > static_max.
 */
struct xen_direct_plan {
	uint64_t xs_target_kb;
	uint64_t maxmem_kb;
	uint64_t pod_pages;
	uint64_t vm_memory_mb;
};
int backend_xen_direct_plan(uint64_t target_kb, uint64_t videoram_kb,
    uint64_t static_max_kb, bool hvm, struct xen_direct_plan *out);
/* A domain handle as libxl prints it (8-4-4-4-12 lower-case hex). */
void backend_xen_uuid_str(const uint8_t h[16], char out[37]);
enum log_level backend_xen_log_level(int xtl_level);
const char *backend_xen_strerror(int libxl_rc);

#ifdef CAGMA_TEST_BACKENDS
/* Simulated backend (backend_sim.c, test build only). */
int backend_sim_open(struct backend *be);
#endif

#endif
