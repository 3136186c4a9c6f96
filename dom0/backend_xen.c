/*
 * backend_xen.c - the Xen backend (the only user of <libxl.h>): domain
 * listing and balloon current through libxenctrl (one getinfolist hypercall
 * for up to XEN_LIST_CHUNK domains; one domain by getinfo_single, or by a
 * getinfolist of one on Xen 4.17, which lacks it), targets through
 * libxl_set_memory_target(enforce=1), host free memory through
 * libxl_get_physinfo (free net of outstanding claims).  With set_target =
 * direct (cagmad.conf(5)) targets bypass libxl as qmemman does: see
 * xen_set_target_direct() for what it keeps of libxl's invariants and why
 * it is not the default.  One libxl context,
 * replaced when the daemon's xenstore link comes back after a loss: the
 * context's own xenstore handle died with the old xenstored.
 *
 * libxl's and libxenctrl's own messages go through cagmad's logger (one
 * xentoollog logger, rate limited), and libxl error codes become -errno
 * with the code's name in the log.
 *
 * Built against Xen 4.17 .. 4.20: the Makefile defines
 * HAVE_XC_DOMAIN_GETINFO_SINGLE when the installed <xenctrl.h> declares it.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <libxl.h>
#include <xenctrl.h>
#include <xentoollog.h>

#include "backend.h"
#include "log.h"
#include "mtime.h"
#include "xsio.h"

#define XEN_LIBDIR		"/var/lib/xen"	/* libxl locks live here */
#define XEN_LIST_CHUNK		1024	/* domains per getinfolist hypercall */
#define XEN_LOG_LINE_MAX	512	/* bytes of one libxl message kept */
#define XEN_LOG_INTERVAL_MS	1000	/* libxl lines: one per second ... */
#define XEN_LOG_BURST		20	/* ... after a burst of this many */
/* libxl's slack above the target for the hypervisor's max (x86 and Arm:
   libxl__arch_extra_memory() returns LIBXL_MAXMEM_CONSTANT, 4.17 .. 4.20) */
#define XEN_MAXMEM_SLACK_KB	1024
#define XEN_DOMID_MAX		0x7fefu	/* DOMID_FIRST_RESERVED - 1 */

/* The xentoollog logger handed to libxl and libxenctrl. */
struct xen_logger {
	struct xentoollog_logger vtable;	/* first: libxl casts to it */
	struct log_ratelimit rl;
};

struct xen_be {
	libxl_ctx *ctx;
	xc_interface *xch;
	xc_domaininfo_t *info;		/* XEN_LIST_CHUNK entries */
	struct xen_logger lg;
};

/* See backend.h. */
int
backend_xen_errno(int libxl_rc)
{
	switch (libxl_rc) {
	case 0:
		return 0;
	case ERROR_NOMEM:
		return -ENOMEM;
	case ERROR_INVAL:
	case ERROR_VNUMA_CONFIG_INVALID:
		return -EINVAL;
	case ERROR_NOTFOUND:
	case ERROR_DOMAIN_NOTFOUND:
	case ERROR_DOMAIN_DESTROYED:
		return -ENOENT;
	case ERROR_NI:
	case ERROR_FEATURE_REMOVED:
	case ERROR_NOPARAVIRT:
		return -EOPNOTSUPP;
	case ERROR_TIMEDOUT:
	case ERROR_GUEST_TIMEDOUT:
		return -ETIMEDOUT;
	case ERROR_LOCK_FAIL:
		return -ENOLCK;
	case ERROR_NOT_READY:
		return -EAGAIN;
	case ERROR_ABORTED:
		return -ECANCELED;
	case ERROR_BUFFERFULL:
		return -ENOBUFS;
	case ERROR_VERSION:
		return -EPROTO;
	case ERROR_DEVICE_EXISTS:
		return -EEXIST;
	default:	/* ERROR_FAIL, NONSPECIFIC, BADFAIL, QMP ...: the log
			   has libxl's own message and the code's name */
		return -EIO;
	}
}

/* See backend.h. */
enum log_level
backend_xen_log_level(int xtl_level)
{
	if (xtl_level >= XTL_ERROR)
		return LOGLVL_ERR;
	if (xtl_level == XTL_WARN)
		return LOGLVL_WARN;
	if (xtl_level >= XTL_INFO)
		return LOGLVL_INFO;
	return LOGLVL_DEBUG;	/* DEBUG, VERBOSE, DETAIL, PROGRESS */
}

/* See backend.h. */
const char *
backend_xen_strerror(int libxl_rc)
{
	const char *s = libxl_error_to_string((libxl_error)libxl_rc);

	return s != NULL ? s : "unknown";
}

static void
xen_log_vmessage(struct xentoollog_logger *logger, xentoollog_level level,
    int errnoval, const char *context, const char *format, va_list al)
{
	struct xen_logger *lg = (struct xen_logger *)logger;
	enum log_level lvl = backend_xen_log_level((int)level);
	char raw[XEN_LOG_LINE_MAX], line[XEN_LOG_LINE_MAX];
	uint32_t sup = 0;
	int n;

	if (lvl == LOGLVL_DEBUG && log_getverbose() < 1)
		return;		/* costs no token */
	if (!log_ratelimit(&lg->rl, mtime_ms(), &sup))
		return;
	n = vsnprintf(raw, sizeof(raw), format, al);
	if (n < 0)
		return;
	/* libxl may quote xenstore values: keep the line printable */
	log_escape(line, sizeof(line), raw,
	    (size_t)n < sizeof(raw) ? (size_t)n : sizeof(raw) - 1);
	log_msg(lvl, "%s: %s%s%s%s", context != NULL ? context : "xen", line,
	    errnoval > 0 ? ": " : "", errnoval > 0 ? strerror(errnoval) : "",
	    sup > 0 ? " (similar lines suppressed)" : "");
}

static void
xen_log_destroy(struct xentoollog_logger *logger)
{
	(void)logger;	/* embedded in struct xen_be */
}

static void
xen_logger_init(struct xen_logger *lg)
{
	lg->vtable.vmessage = xen_log_vmessage;
	lg->vtable.progress = NULL;
	lg->vtable.destroy = xen_log_destroy;
	lg->rl = (struct log_ratelimit)LOG_RATELIMIT_INIT(XEN_LOG_INTERVAL_MS,
	    XEN_LOG_BURST);
}

/* -errno for a failed libxenctrl call (errno may be left at 0). */
static int
xen_xc_errno(void)
{
	return errno > 0 ? -errno : -EIO;
}

static int
xen_list(struct backend *be, struct be_dom *out, size_t max, size_t *n_out)
{
	struct xen_be *b = be->priv;
	uint32_t first = 0;
	size_t k = 0;
	int i, n;

	while (k < max) {
		n = xc_domain_getinfolist(b->xch, first, XEN_LIST_CHUNK,
		    b->info);
		if (n < 0)
			return xen_xc_errno();
		for (i = 0; i < n && k < max; i++, k++) {
			out[k].domid = b->info[i].domain;
			out[k].current_kb = b->info[i].tot_pages *
			    (XC_PAGE_SIZE / 1024);
			out[k].dying = (b->info[i].flags &
			    (XEN_DOMINF_dying | XEN_DOMINF_shutdown)) != 0;
		}
		if (n < XEN_LIST_CHUNK)
			break;
		first = b->info[n - 1].domain + 1u;
	}
	*n_out = k;
	return 0;
}

/* One domain's info: 0, -ENOENT if it does not exist, or -errno. */
static int
xen_domain_info(struct xen_be *b, uint32_t domid, xc_domaininfo_t *info_out)
{
#ifdef HAVE_XC_DOMAIN_GETINFO_SINGLE
	if (xc_domain_getinfo_single(b->xch, domid, info_out) != 0)
		return errno == ESRCH ? -ENOENT : xen_xc_errno();
	return 0;
#else
	int n;

	/* Xen 4.17: the first domain >= domid, so check it is this one */
	n = xc_domain_getinfolist(b->xch, domid, 1, info_out);
	if (n < 0)
		return errno == ESRCH ? -ENOENT : xen_xc_errno();
	if (n != 1 || info_out->domain != domid)
		return -ENOENT;
	return 0;
#endif
}

static int
xen_current(struct backend *be, uint32_t domid, uint64_t *current_kb_out)
{
	struct xen_be *b = be->priv;
	xc_domaininfo_t info;
	int rc;

	rc = xen_domain_info(b, domid, &info);
	if (rc != 0)
		return rc;
	if ((info.flags & XEN_DOMINF_dying) != 0)
		return -ENOENT;
	*current_kb_out = (uint64_t)info.tot_pages * (XC_PAGE_SIZE / 1024);
	return 0;
}

/*
 * -errno for libxl_rc, logging the code's name (rate limited with libxl's
 * own lines) unless the domain just vanished.  what: "domid N: call".
 */
static int
xen_libxl_rc(struct xen_be *b, int libxl_rc, const char *what)
{
	int rc = backend_xen_errno(libxl_rc);
	uint32_t sup = 0;

	if (rc == 0 || rc == -ENOENT)
		return rc;
	if (log_ratelimit(&b->lg.rl, mtime_ms(), &sup))
		log_warnx("%s: libxl error %s (%d)%s", what,
		    backend_xen_strerror(libxl_rc), libxl_rc,
		    sup > 0 ? " (similar lines suppressed)" : "");
	return rc;
}

/* The target through libxl (the default): see xen_set_target_direct(). */
static int
xen_set_target_libxl(struct xen_be *b, uint32_t domid, uint64_t target_kb)
{
	char what[64];
	int rc;

	rc = libxl_set_memory_target(b->ctx, domid, (int64_t)target_kb, 0, 1);
	if (rc == 0)
		return 0;
	(void)snprintf(what, sizeof(what), "domid %u: libxl_set_memory_target",
	    domid);
	return xen_libxl_rc(b, rc, what);
}

/* See backend.h. */
int
backend_xen_direct_plan(uint64_t target_kb, uint64_t videoram_kb,
    uint64_t static_max_kb, bool hvm, struct xen_direct_plan *out)
{
	if (target_kb < videoram_kb || target_kb - videoram_kb > static_max_kb)
		return -EINVAL;	/* libxl: ERROR_INVAL, nothing changed */
	out->xs_target_kb = target_kb - videoram_kb;
	out->maxmem_kb = target_kb + XEN_MAXMEM_SLACK_KB;
	out->pod_pages = hvm ? (out->xs_target_kb + XEN_MAXMEM_SLACK_KB) / 4 :
	    0;
	out->vm_memory_mb = out->xs_target_kb / 1024;
	return 0;
}

/* See backend.h. */
void
backend_xen_uuid_str(const uint8_t h[16], char out[37])
{
	static const char hex[] = "0123456789abcdef";
	size_t i, o = 0;

	for (i = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			out[o++] = '-';
		out[o++] = hex[h[i] >> 4];
		out[o++] = hex[h[i] & 0xf];
	}
	out[o] = '\0';
}

/* memory/static-max and memory/videoram (0 if absent) of domid. */
static int
xen_mem_keys(struct backend *be, uint32_t domid, uint64_t *smax_out,
    uint64_t *vram_out)
{
	char path[XSIO_PATH_MAX];
	int rc;

	(void)snprintf(path, sizeof(path), "/local/domain/%u/memory/static-max",
	    domid);
	rc = xsio_read_u64(be->xs, path, UINT64_MAX / 2, smax_out);
	if (rc != 0)
		return rc;
	(void)snprintf(path, sizeof(path), "/local/domain/%u/memory/videoram",
	    domid);
	rc = xsio_read_u64(be->xs, path, UINT64_MAX / 2, vram_out);
	if (rc == -ENOENT) {
		*vram_out = 0;
		rc = 0;
	}
	return rc;
}

/*
 * The direct path, what qmemman does (qubes/qmemman/systemstate.py
 * mem_set: xc domain_setmaxmem(target + 1024), then memory/target), kept
 * to the steps of libxl_set_memory_target(enforce=1) in
 * tools/libs/light/libxl_mem.c (4.17 and 4.20 alike): target minus
 * memory/videoram, refused above memory/static-max (never written), the
 * hypervisor's max = target + LIBXL_MAXMEM_CONSTANT (1024 KiB) set
 * *before* memory/target, the PoD target for HVM, /vm/<uuid>/memory in
 * MiB.  What it drops: libxl's domain-userdata lock and the read and
 * JSON parse of the stored domain configuration (most of libxl's cost),
 * and the xenstore transaction around the two writes.  So a concurrent
 * `xl mem-set` is not serialised against cagmad (the last writer wins,
 * each write pair being consistent on its own); cagmad is meant to be the
 * only writer of targets (SCHEMA.md) either way.
 */
static int
xen_set_target_direct(struct backend *be, uint32_t domid, uint64_t target_kb)
{
	struct xen_be *b = be->priv;
	struct xen_direct_plan pl;
	xc_domaininfo_t info;
	uint64_t smax, vram;
	char path[XSIO_PATH_MAX], val[24], uuid[37];
	int rc;

	if (domid > XEN_DOMID_MAX)
		return -EINVAL;
	rc = xen_domain_info(b, domid, &info);
	if (rc == 0)
		rc = xen_mem_keys(be, domid, &smax, &vram);
	if (rc == 0)
		rc = backend_xen_direct_plan(target_kb, vram, smax,
		    (info.flags & XEN_DOMINF_hvm_guest) != 0, &pl);
	if (rc != 0)
		return rc;
	if (xc_domain_setmaxmem(b->xch, domid, pl.maxmem_kb) != 0)
		return errno == ESRCH ? -ENOENT : xen_xc_errno();
	if (pl.pod_pages != 0 && xc_domain_set_pod_target(b->xch, domid,
	    pl.pod_pages, NULL, NULL, NULL) != 0)
		return xen_xc_errno();
	(void)snprintf(path, sizeof(path), "/local/domain/%u/memory/target",
	    domid);
	(void)snprintf(val, sizeof(val), "%llu",
	    (unsigned long long)pl.xs_target_kb);
	rc = xsio_write(be->xs, path, val);
	if (rc != 0)
		return rc;
	backend_xen_uuid_str(info.handle, uuid);
	(void)snprintf(path, sizeof(path), "/vm/%s/memory", uuid);
	(void)snprintf(val, sizeof(val), "%llu",
	    (unsigned long long)pl.vm_memory_mb);
	return xsio_write(be->xs, path, val);
}

/*
 * Why libxl stays the default (make bench-latency-xen, Xen 4.17 lab under
 * TCG, bench/results/latency-xen.md): one write through libxl costs 28.6
 * ms median against 10.9 ms direct (2.6 x; cagmad's own CPU 14.1 against
 * 3.3 ms), but the balloon reaching the target took 148 against 139 ms
 * median (p90 277 against 316): the guest's balloon driver, not the call,
 * sets what a guest under pressure waits for, and the 18 ms saved are
 * inside the run's noise.  libxl keeps `xl mem-set` and cagmad serialised
 * (its per-domain lock, one transaction) and follows libxl's own
 * invariants when a Xen release changes them; the direct path must be
 * kept in step by hand (4.17 and 4.20 are the same).  set_target = direct
 * is for hosts where the call itself counts: many domains per emergency
 * round (one call per changed domain, in a row) or a busy dom0 CPU.
 */
static int
xen_set_target(struct backend *be, uint32_t domid, uint64_t target_kb)
{
	if (be->cfg != NULL && be->cfg->set_target == CFG_SET_TARGET_DIRECT)
		return xen_set_target_direct(be, domid, target_kb);
	return xen_set_target_libxl(be->priv, domid, target_kb);
}

/*
 * Host free memory net of outstanding claims: a domain being built with
 * xl.conf claim_mode=1 has staked its whole size (XENMEM_claim_pages)
 * before it allocates it, and libxl_get_free_memory() ((free + scrub) x 4)
 * still counts the claimed pages as free.  Pages are 4 KiB, as libxl
 * counts them.
 */
static int
xen_free_memory(struct backend *be, uint64_t *free_kb_out)
{
	struct xen_be *b = be->priv;
	libxl_physinfo info;
	uint64_t pages;
	int rc;

	libxl_physinfo_init(&info);
	rc = libxl_get_physinfo(b->ctx, &info);
	if (rc != 0) {
		libxl_physinfo_dispose(&info);
		return xen_libxl_rc(b, rc, "libxl_get_physinfo");
	}
	pages = info.free_pages + info.scrub_pages;
	pages = pages > info.outstanding_pages ? pages -
	    info.outstanding_pages : 0;
	libxl_physinfo_dispose(&info);
	*free_kb_out = pages * 4;
	return 0;
}

static int
xen_ctx_alloc(struct xen_be *b, libxl_ctx **ctx_out)
{
	int rc;

	rc = libxl_ctx_alloc(ctx_out, LIBXL_VERSION, 0,
	    (xentoollog_logger *)&b->lg);
	if (rc != 0) {
		log_warnx("libxl_ctx_alloc: libxl error %s (%d) (not running "
		    "in dom0?)", backend_xen_strerror(rc), rc);
		rc = backend_xen_errno(rc);
		return rc == -ENOENT ? -EIO : rc;
	}
	return 0;
}

static int
xen_reconnect(struct backend *be)
{
	struct xen_be *b = be->priv;
	libxl_ctx *ctx;
	int rc;

	rc = xen_ctx_alloc(b, &ctx);
	if (rc != 0) {
		log_warnx("no libxl context after the xenstore reconnect");
		return rc;
	}
	libxl_ctx_free(b->ctx);
	b->ctx = ctx;
	return 0;
}

static void
xen_close(struct backend *be)
{
	struct xen_be *b = be->priv;

	if (b == NULL)
		return;
	if (b->ctx != NULL)
		libxl_ctx_free(b->ctx);
	if (b->xch != NULL)
		xc_interface_close(b->xch);
	free(b->info);
	free(b);
	be->priv = NULL;
}

static const struct backend_ops xen_ops = {
	.name = "xen",
	.list = xen_list,
	.current = xen_current,
	.set_target = xen_set_target,
	.free_memory = xen_free_memory,
	.reconnect = xen_reconnect,
	.tick = NULL,
	.close = xen_close,
};

/* See backend.h. */
int
backend_xen_open(struct backend *be)
{
	struct xen_be *b;
	int rc;

	b = calloc(1, sizeof(*b));
	if (b == NULL)
		return -ENOMEM;
	be->priv = b;
	be->ops = &xen_ops;
	xen_logger_init(&b->lg);
	b->info = calloc(XEN_LIST_CHUNK, sizeof(*b->info));
	if (b->info == NULL) {
		rc = -ENOMEM;
		goto out;
	}
	/* libxl fails with ERROR_LOCK_FAIL without it (libxl-notes.md) */
	if (mkdir(XEN_LIBDIR, 0755) != 0 && errno != EEXIST) {
		rc = -errno;
		log_warn("mkdir %s", XEN_LIBDIR);
		goto out;
	}
	rc = xen_ctx_alloc(b, &b->ctx);
	if (rc != 0)
		goto out;
	b->xch = xc_interface_open((xentoollog_logger *)&b->lg,
	    (xentoollog_logger *)&b->lg, 0);
	if (b->xch == NULL) {
		rc = xen_xc_errno();
		log_warnx("xc_interface_open failed");
		goto out;
	}
	rc = 0;
out:
	if (rc != 0)
		xen_close(be);
	return rc;
}
