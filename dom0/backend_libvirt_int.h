/*
 * backend_libvirt_int.h - private to the libvirt backend of cagmad-libvirt:
 * the state both of its files use.  backend_libvirt.c keeps the
 * connection, the event thread, the side hooks and open/close;
 * backend_libvirt_dom.c the domains (listing, slots, targets, host free
 * memory, stats polling).  Only these three files include libvirt's
 * headers (make check), and nothing else includes this one.
 */
#ifndef CAGMA_DOM0_BACKEND_LIBVIRT_INT_H
#define CAGMA_DOM0_BACKEND_LIBVIRT_INT_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <libvirt/libvirt.h>

#include "backend.h"
#include "daemon.h"
#include "log.h"
#include "lvside.h"

struct lv_dom {
	struct lvside_dom pub;		/* slot, sizes, channel (lvside.c) */
	virDomainPtr dom;		/* NULL while not listed / link down */
	unsigned char uuid[VIR_UUID_BUFLEN];
	unsigned int id;		/* libvirt's */
	char name[DOM_NAME_MAX];
	uint64_t last_update;		/* of the last sample taken */
	uint32_t period_s;		/* stats period set, 0: not yet */
	bool seen;
};

struct lv {
	virConnectPtr conn;
	char uri[CFG_URI_MAX];
	int pipe[2];
	pthread_t thread;
	bool thread_up;
	int cb_life, cb_balloon;
	bool down;
	struct sched_backoff bo;
	uint64_t next_poll_ms;
	struct lvside side;		/* channels, the side's epoll fd */
	bool side_up;
	struct lv_dom *by_slot[DOM_ID_MAX];
	struct log_ratelimit rl;
	/* measured, for the log at exit (cagmad -v) */
	uint64_t stats_calls, stats_us, setmem_calls, setmem_us;
};

/* ---- backend_libvirt.c ---- */

/*
 * Log the failed libvirt call what (rate limited by l->rl) with libvirt's
 * last error message, escaped.  slot: the domain's cagma id, 0 for a call
 * on the connection.
 */
void lv_warn(struct lv *l, const char *what, uint32_t slot);

/* ---- backend_libvirt_dom.c ---- */

/* The listed domain whose libvirt id is id, or NULL. */
struct lv_dom *lv_by_id(struct lv *l, unsigned int id);

/* The listed domain in slot (a cagma domain id, any value), or NULL. */
struct lv_dom *lv_slot(struct backend *be, uint32_t slot);

/* Drop ld: its handle, its agent channel, its slot; frees ld. */
void lv_forget(struct lv *l, struct lv_dom *ld);

/* backend_ops.list, .current, .set_target, .free_memory (backend.h). */
int lv_list(struct backend *be, struct be_dom *out, size_t max, size_t *n_out);
int lv_current(struct backend *be, uint32_t domid, uint64_t *current_kb_out);
int lv_set_target(struct backend *be, uint32_t domid, uint64_t target_kb);
int lv_free_memory(struct backend *be, uint64_t *free_kb_out);

/*
 * Poll the balloon statistics of the tracked domain d; a new sample goes
 * to the intake (lvside_take_stats(), which treats it as guest-written), a
 * domain gone sets c->rescan.  now_ms: monotonic.
 */
void lv_poll_one(struct cagmad *c, struct dom *d, uint64_t now_ms);

#endif
