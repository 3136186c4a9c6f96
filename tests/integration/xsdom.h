/*
 * xsdom.h - dom0-side toolstack steps for the fake-Xen harness: create a
 * domain's xenstore layout the way libxl does, introduce and release it.
 * Every function takes an open dom0 handle (xs_open(0) on the harness's
 * XENSTORED_PATH).  Test harness only.
 */
#ifndef CAGMA_XSDOM_H
#define CAGMA_XSDOM_H

#include <stdbool.h>
#include <stdint.h>

struct xs_handle;

struct xsdom_layout {
	uint32_t domid;
	const char *name;	/* ~/name */
	uint64_t target_kb;	/* ~/memory/target */
	uint64_t static_max_kb;	/* ~/memory/static-max */
};

/*
 * Create /local/domain/<N> as libxl__domain_make() does: the domain path,
 * name and memory/ owned by dom0 and readable by N (so N cannot write
 * memory/target), and data/ owned by N (the guest's writable area).
 * Existing values are overwritten.  Returns 0 or -errno.
 */
int xsdom_make(struct xs_handle *xsh, const struct xsdom_layout *lay);

/* XS_INTRODUCE domain domid (mfn 0, port 1: the shim ignores both). */
int xsdom_introduce(struct xs_handle *xsh, uint32_t domid);

/* XS_RELEASE domain domid (fires @releaseDomain). */
int xsdom_release(struct xs_handle *xsh, uint32_t domid);

/* Remove /local/domain/<N> (the toolstack's last step on destroy). */
int xsdom_destroy(struct xs_handle *xsh, uint32_t domid);

/*
 * Send one datagram to $dir/evtchn.sock: a domid kicks that domain's event
 * channel, -1 fires VIRQ_DOM_EXC.  Returns 0 or -errno.
 */
int xsdom_kick(const char *dir, int32_t msg);

#endif
