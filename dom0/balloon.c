/*
 * balloon.c - the Xen backend (the only user of <libxl.h>): domain listing
 * through libxl, balloon current through libxenctrl (cheapest per call),
 * targets through libxl_set_memory_target(enforce=1), host free memory
 * through libxl_get_free_memory.  One libxl context, replaced when the
 * daemon's xenstore link comes back after a loss: the context's own
 * xenstore handle died with the old xenstored.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <libxl.h>
#include <xenctrl.h>

#include "backend.h"
#include "log.h"

#define BALLOON_XEN_LIBDIR	"/var/lib/xen"	/* libxl locks live here */

struct balloon {
	libxl_ctx *ctx;
	xc_interface *xch;
	xentoollog_logger_stdiostream *lg;
};

static int
balloon_list(struct backend *be, struct be_dom *out, size_t max,
    size_t *n_out)
{
	struct balloon *b = be->priv;
	libxl_dominfo *info;
	int i, nb = 0;
	size_t k = 0;

	info = libxl_list_domain(b->ctx, &nb);
	if (info == NULL)
		return -EIO;
	for (i = 0; i < nb && k < max; i++) {
		out[k].domid = info[i].domid;
		out[k].current_kb = info[i].current_memkb;
		out[k].dying = info[i].dying || info[i].shutdown;
		k++;
	}
	libxl_dominfo_list_free(info, nb);
	*n_out = k;
	return 0;
}

static int
balloon_current(struct backend *be, uint32_t domid, uint64_t *current_kb_out)
{
	struct balloon *b = be->priv;
	xc_dominfo_t info;

	if (xc_domain_getinfo(b->xch, domid, 1, &info) != 1 ||
	    info.domid != domid)
		return -ENOENT;
	if (info.dying)
		return -ENOENT;
	*current_kb_out = (uint64_t)info.nr_pages * (XC_PAGE_SIZE / 1024);
	return 0;
}

static int
balloon_set_target(struct backend *be, uint32_t domid, uint64_t target_kb)
{
	struct balloon *b = be->priv;
	int rc;

	rc = libxl_set_memory_target(b->ctx, domid, (int64_t)target_kb, 0, 1);
	if (rc == ERROR_DOMAIN_NOTFOUND)
		return -ENOENT;
	return rc == 0 ? 0 : -EIO;
}

static int
balloon_free_memory(struct backend *be, uint64_t *free_kb_out)
{
	struct balloon *b = be->priv;
	uint64_t kb;

	if (libxl_get_free_memory(b->ctx, &kb) != 0)
		return -EIO;
	*free_kb_out = kb;
	return 0;
}

static int
balloon_reconnect(struct backend *be)
{
	struct balloon *b = be->priv;
	libxl_ctx *ctx;

	if (libxl_ctx_alloc(&ctx, LIBXL_VERSION, 0,
	    (xentoollog_logger *)b->lg) != 0) {
		log_warnx("libxl_ctx_alloc failed after the xenstore reconnect");
		return -EIO;
	}
	libxl_ctx_free(b->ctx);
	b->ctx = ctx;
	return 0;
}

static void
balloon_close(struct backend *be)
{
	struct balloon *b = be->priv;

	if (b == NULL)
		return;
	if (b->ctx != NULL)
		libxl_ctx_free(b->ctx);
	if (b->xch != NULL)
		xc_interface_close(b->xch);
	if (b->lg != NULL)
		xtl_logger_destroy((xentoollog_logger *)b->lg);
	free(b);
	be->priv = NULL;
}

static const struct backend_ops balloon_ops = {
	.name = "xen",
	.list = balloon_list,
	.current = balloon_current,
	.set_target = balloon_set_target,
	.free_memory = balloon_free_memory,
	.reconnect = balloon_reconnect,
	.tick = NULL,
	.close = balloon_close,
};

int
backend_xen_open(struct backend *be)
{
	struct balloon *b;
	int rc;

	b = calloc(1, sizeof(*b));
	if (b == NULL)
		return -ENOMEM;
	be->priv = b;
	be->ops = &balloon_ops;
	/* libxl fails with ERROR_LOCK_FAIL without it (libxl-notes.md) */
	if (mkdir(BALLOON_XEN_LIBDIR, 0755) != 0 && errno != EEXIST) {
		rc = -errno;
		log_warn("mkdir %s", BALLOON_XEN_LIBDIR);
		goto out;
	}
	b->lg = xtl_createlogger_stdiostream(stderr,
	    log_getverbose() > 0 ? XTL_DEBUG : XTL_ERROR, 0);
	if (b->lg == NULL) {
		rc = -ENOMEM;
		goto out;
	}
	if (libxl_ctx_alloc(&b->ctx, LIBXL_VERSION, 0,
	    (xentoollog_logger *)b->lg) != 0) {
		rc = -EIO;
		log_warnx("libxl_ctx_alloc failed (not running in dom0?)");
		goto out;
	}
	b->xch = xc_interface_open(NULL, NULL, 0);
	if (b->xch == NULL) {
		rc = -EIO;
		log_warnx("xc_interface_open failed");
		goto out;
	}
	rc = 0;
out:
	if (rc != 0)
		balloon_close(be);
	return rc;
}
