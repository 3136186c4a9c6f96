/*
 * fakexen.c - LD_PRELOAD shim that lets Xen's C xenstored (Debian 12's
 * /usr/lib/xen-4.17/bin/xenstored from xen-utils-4.17, Debian 13's
 * /usr/lib/xen-4.20/bin/xenstored from xen-utils-4.20) run on a plain Linux
 * machine with no hypervisor, no /proc/xen and no Xen kernel modules.
 *
 * It replaces the 17 libxenctrl / libxenevtchn / libxengnttab calls that
 * xenstored makes (nm -D --undefined-only): the same set in both versions
 * except that 4.17's xc_domain_getinfo() became xc_domain_getinfo_single()
 * (picked at build time, HAVE_XC_DOMAIN_GETINFO_SINGLE, from the installed
 * <xenctrl.h>).  It also serves /proc/xen/xsd_port and
 * /proc/xen/xsd_kva by interposing open().  Everything lives in $FAKEXEN_DIR
 * (default $XENSTORED_RUNDIR):
 *
 *   evtchn.sock       AF_UNIX datagram socket bound here; it IS the event
 *                     channel fd xenstored polls.  Anyone may send an int32:
 *                     a domid means "that domain kicked its event channel",
 *                     -1 means VIRQ_DOM_EXC (xenstored re-checks domains).
 *   ring-<N>          4096-byte xenstore_domain_interface page of domain N,
 *                     created by the fake guest; "granting" maps it shared.
 *   guest-<N>.evt     the fake guest's datagram socket; notify() on N's port
 *                     sends one datagram there.
 *   dying-<N>         domain N is reported dying (then send -1).
 *   gone-<N>          domain N does not exist.
 *
 * Test harness only (tests/integration/); never linked into a product
 * binary.  FAKEXEN_DEBUG=1 logs each faked call to stderr.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <xenctrl.h>
#include <xenevtchn.h>
#include <xengnttab.h>

#define FX_PAGE_SIZE	4096
#define FX_MAX_PORTS	4096
#define FX_VIRQ_DOM_EXC	3
#define FX_KICK_VIRQ	(-1)	/* datagram value meaning VIRQ_DOM_EXC */

struct xc_interface_core {
	int unused;
};

struct xenevtchn_handle {
	int fd;			/* datagram socket bound at evtchn.sock */
};

struct xengntdev_handle {
	int unused;
};

struct fx_port {
	bool used;
	bool virq;
	int32_t domid;		/* -1 for a virq */
};

static struct fx_port fx_ports[FX_MAX_PORTS];	/* port 0 never used */
static int fx_virq_port = -1;
static int fx_debug = -1;

static void fx_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void
fx_log(const char *fmt, ...)
{
	va_list ap;
	int saved = errno;

	if (fx_debug < 0)
		fx_debug = getenv("FAKEXEN_DEBUG") != NULL;
	if (fx_debug) {
		va_start(ap, fmt);
		fputs("[fakexen] ", stderr);
		vfprintf(stderr, fmt, ap);
		va_end(ap);
	}
	errno = saved;
}

static const char *
fx_dir(void)
{
	const char *dir = getenv("FAKEXEN_DIR");

	if (dir == NULL)
		dir = getenv("XENSTORED_RUNDIR");
	return dir != NULL ? dir : "/run/fakexen";
}

/* "$FAKEXEN_DIR/<prefix><domid>" into buf; -ENAMETOOLONG if it does not fit. */
static int
fx_path(char *buf, size_t size, const char *prefix, long domid)
{
	int n;

	if (domid >= 0)
		n = snprintf(buf, size, "%s/%s%ld", fx_dir(), prefix, domid);
	else
		n = snprintf(buf, size, "%s/%s", fx_dir(), prefix);
	if (n < 0 || (size_t)n >= size)
		return -ENAMETOOLONG;
	return 0;
}

static bool
fx_marker(const char *prefix, uint32_t domid)
{
	char path[PATH_MAX];

	if (fx_path(path, sizeof(path), prefix, domid) < 0)
		return false;
	return access(path, F_OK) == 0;
}

/* ---------------------------------------------------------------- open() */

static int
fx_memfd(const char *name, const char *data, size_t size)
{
	size_t len = data != NULL ? strlen(data) : 0;
	int fd;

	fd = memfd_create(name, MFD_CLOEXEC);
	if (fd < 0)
		return -1;
	if (ftruncate(fd, (off_t)size) < 0 ||
	    (len > 0 && pwrite(fd, data, len, 0) != (ssize_t)len)) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Returns a fake fd for /proc/xen/xsd_*, or -2 for "not ours". */
static int
fx_proc_open(const char *path)
{
	if (strcmp(path, "/proc/xen/xsd_port") == 0) {
		fx_log("open(%s) -> memfd \"1\"\n", path);
		return fx_memfd("xsd_port", "1\n", 2);
	}
	if (strcmp(path, "/proc/xen/xsd_kva") == 0) {
		fx_log("open(%s) -> 4096-byte memfd\n", path);
		return fx_memfd("xsd_kva", NULL, FX_PAGE_SIZE);
	}
	return -2;
}

typedef int (*fx_open_fn)(const char *, int, ...);

static int
fx_open_common(const char *sym, fx_open_fn *real, const char *path, int flags,
    mode_t mode)
{
	int fd;

	fd = fx_proc_open(path);
	if (fd != -2)
		return fd;
	if (*real == NULL)
		*real = (fx_open_fn)dlsym(RTLD_NEXT, sym);
	if (*real == NULL) {
		errno = ENOSYS;
		return -1;
	}
	return (*real)(path, flags, mode);
}

/*
 * open(2) interposer: /proc/xen/xsd_port and xsd_kva get memfds, every other
 * path goes to libc.  mode is read only when O_CREAT/O_TMPFILE is set.
 */
int
open(const char *path, int flags, ...)
{
	static fx_open_fn real;
	mode_t mode = 0;
	va_list ap;

	if (flags & (O_CREAT | O_TMPFILE)) {
		va_start(ap, flags);
		mode = va_arg(ap, mode_t);
		va_end(ap);
	}
	return fx_open_common("open", &real, path, flags, mode);
}

/* open64(2) interposer; same as open(). */
int
open64(const char *path, int flags, ...)
{
	static fx_open_fn real;
	mode_t mode = 0;
	va_list ap;

	if (flags & (O_CREAT | O_TMPFILE)) {
		va_start(ap, flags);
		mode = va_arg(ap, mode_t);
		va_end(ap);
	}
	return fx_open_common("open64", &real, path, flags, mode);
}

/* ------------------------------------------------------------ libxenctrl */

/* Any non-NULL handle will do: nothing is ever sent to a hypervisor. */
xc_interface *
xc_interface_open(xentoollog_logger *logger, xentoollog_logger *dombuild_logger,
    unsigned int open_flags)
{
	(void)logger;
	(void)dombuild_logger;
	(void)open_flags;
	return calloc(1, sizeof(struct xc_interface_core));
}

/* Frees the dummy handle. */
int
xc_interface_close(xc_interface *xch)
{
	free(xch);
	return 0;
}

#ifdef HAVE_XC_DOMAIN_GETINFO_SINGLE
/*
 * Xen 4.18+ (xc_domain_getinfo_single): every domid below
 * DOMID_FIRST_RESERVED exists and runs unless gone-<N> exists; dying-<N>
 * reports it dying.  0, or -1 with errno ESRCH for a missing domain.
 */
int
xc_domain_getinfo_single(xc_interface *xch, uint32_t domid,
    xc_domaininfo_t *info)
{
	bool dying;

	(void)xch;
	if (domid >= DOMID_FIRST_RESERVED || fx_marker("gone-", domid)) {
		fx_log("xc_domain_getinfo_single(%u) -> ESRCH\n", domid);
		errno = ESRCH;
		return -1;
	}
	dying = fx_marker("dying-", domid);
	if (info != NULL) {
		memset(info, 0, sizeof(*info));
		info->domain = (domid_t)domid;
		info->flags = XEN_DOMINF_running |
		    (dying ? XEN_DOMINF_dying : 0);
	}
	fx_log("xc_domain_getinfo_single(%u) -> 0%s\n", domid,
	    dying ? " (dying)" : "");
	return 0;
}
#else
/*
 * Xen 4.17: domain info for exactly one domain (xenstored always asks for
 * one): every domid below DOMID_FIRST_RESERVED exists and runs unless
 * gone-<N> exists; dying-<N> reports it dying.  Returns the number of
 * entries filled (0/1).
 */
int
xc_domain_getinfo(xc_interface *xch, uint32_t first_domid,
    unsigned int max_doms, xc_dominfo_t *info)
{
	(void)xch;
	if (max_doms == 0 || first_domid >= DOMID_FIRST_RESERVED ||
	    fx_marker("gone-", first_domid)) {
		fx_log("xc_domain_getinfo(%u) -> 0\n", first_domid);
		return 0;
	}
	memset(info, 0, sizeof(*info));
	info->domid = first_domid;
	info->running = 1;
	info->dying = fx_marker("dying-", first_domid);
	info->nr_online_vcpus = 1;
	fx_log("xc_domain_getinfo(%u) -> 1%s\n", first_domid,
	    info->dying ? " (dying)" : "");
	return 1;
}
#endif

/* ---------------------------------------------------------- libxenevtchn */

static int
fx_alloc_port(int32_t domid, bool virq)
{
	int p;

	for (p = 1; p < FX_MAX_PORTS; p++) {
		if (!fx_ports[p].used) {
			fx_ports[p].used = true;
			fx_ports[p].virq = virq;
			fx_ports[p].domid = domid;
			return p;
		}
	}
	errno = ENOSPC;
	return -1;
}

static xenevtchn_handle *
fx_evtchn_make(int fd)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	xenevtchn_handle *h;

	h = calloc(1, sizeof(*h));
	if (h == NULL)
		return NULL;
	if (fd < 0) {
		if (fx_path(addr.sun_path, sizeof(addr.sun_path),
		    "evtchn.sock", -1) < 0) {
			errno = ENAMETOOLONG;
			goto fail;
		}
		fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK, 0);
		if (fd < 0)
			goto fail;
		unlink(addr.sun_path);
		if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
			fx_log("bind %s: %s\n", addr.sun_path, strerror(errno));
			close(fd);
			goto fail;
		}
		chmod(addr.sun_path, 0666);
	}
	h->fd = fd;
	fx_log("xenevtchn_open -> fd %d\n", fd);
	return h;
fail:
	free(h);
	return NULL;
}

/* Event channel handle: a bound datagram socket other processes can kick. */
xenevtchn_handle *
xenevtchn_open(struct xentoollog_logger *logger, unsigned int open_flags)
{
	(void)logger;
	(void)open_flags;
	return fx_evtchn_make(-1);
}

/* Live update (-U) only: adopt an inherited fd. */
xenevtchn_handle *
xenevtchn_fdopen(struct xentoollog_logger *logger, int fd,
    unsigned int open_flags)
{
	(void)logger;
	(void)open_flags;
	return fx_evtchn_make(fd);
}

/* Closes the socket and frees the handle. */
int
xenevtchn_close(xenevtchn_handle *xce)
{
	if (xce != NULL) {
		close(xce->fd);
		free(xce);
	}
	return 0;
}

/* The pollable fd (POLLIN when some process sent a kick). */
int
xenevtchn_fd(xenevtchn_handle *xce)
{
	return xce->fd;
}

/* Allocates a local port; VIRQ_DOM_EXC's port is remembered. */
xenevtchn_port_or_error_t
xenevtchn_bind_virq(xenevtchn_handle *xce, unsigned int virq)
{
	int p;

	(void)xce;
	p = fx_alloc_port(-1, true);
	if (p > 0 && virq == FX_VIRQ_DOM_EXC)
		fx_virq_port = p;
	fx_log("bind_virq(%u) -> %d\n", virq, p);
	return p;
}

/* Allocates a local port bound to domid (dom0 at start-up, then guests). */
xenevtchn_port_or_error_t
xenevtchn_bind_interdomain(xenevtchn_handle *xce, uint32_t domid,
    evtchn_port_t remote_port)
{
	int p;

	(void)xce;
	p = fx_alloc_port((int32_t)domid, false);
	fx_log("bind_interdomain(dom %u, rport %u) -> %d\n", domid,
	    remote_port, p);
	return p;
}

/* Frees a local port. */
int
xenevtchn_unbind(xenevtchn_handle *xce, evtchn_port_t port)
{
	(void)xce;
	if (port >= FX_MAX_PORTS || !fx_ports[port].used) {
		errno = EINVAL;
		return -1;
	}
	fx_log("unbind(%u) dom %d\n", port, fx_ports[port].domid);
	memset(&fx_ports[port], 0, sizeof(fx_ports[port]));
	return 0;
}

/*
 * Wake the guest that owns port: one datagram to guest-<N>.evt, errors
 * ignored (no listener, or a full queue = an event is already pending).
 */
int
xenevtchn_notify(xenevtchn_handle *xce, evtchn_port_t port)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	uint32_t msg = port;

	if (port >= FX_MAX_PORTS || !fx_ports[port].used ||
	    fx_ports[port].virq) {
		errno = EINVAL;
		return -1;
	}
	if (fx_ports[port].domid == 0)	/* dom0's ring page is unused */
		return 0;
	if (fx_path(addr.sun_path, sizeof(addr.sun_path), "guest-",
	    fx_ports[port].domid) < 0)
		return 0;
	if (strlen(addr.sun_path) + 4 >= sizeof(addr.sun_path))
		return 0;
	strcat(addr.sun_path, ".evt");
	(void)sendto(xce->fd, &msg, sizeof(msg), MSG_DONTWAIT,
	    (struct sockaddr *)&addr, sizeof(addr));
	return 0;
}

/*
 * Consume every queued kick (they coalesce like pending bits; xenstored
 * rescans all rings afterwards) and return a bound port: the VIRQ port if
 * any kick was -1, else the sender's port, else any bound port.  Never -1:
 * xenstored exits on that.
 */
xenevtchn_port_or_error_t
xenevtchn_pending(xenevtchn_handle *xce)
{
	int32_t msg;
	int ret = -1;
	int p;

	while (recv(xce->fd, &msg, sizeof(msg), MSG_DONTWAIT) ==
	    (ssize_t)sizeof(msg)) {
		if (msg == FX_KICK_VIRQ && fx_virq_port > 0) {
			ret = fx_virq_port;
			continue;
		}
		if (ret == fx_virq_port && ret > 0)
			continue;
		for (p = 1; p < FX_MAX_PORTS; p++) {
			if (fx_ports[p].used && !fx_ports[p].virq &&
			    fx_ports[p].domid == msg) {
				ret = p;
				break;
			}
		}
	}
	for (p = 1; ret < 0 && p < FX_MAX_PORTS; p++)
		if (fx_ports[p].used && !fx_ports[p].virq)
			ret = p;
	if (ret < 0)
		ret = fx_virq_port > 0 ? fx_virq_port : 1;
	return ret;
}

/* Nothing is ever masked. */
int
xenevtchn_unmask(xenevtchn_handle *xce, evtchn_port_t port)
{
	(void)xce;
	(void)port;
	return 0;
}

/* ---------------------------------------------------------- libxengnttab */

/* Dummy grant table handle. */
xengnttab_handle *
xengnttab_open(struct xentoollog_logger *logger, unsigned int open_flags)
{
	(void)logger;
	(void)open_flags;
	return calloc(1, sizeof(struct xengntdev_handle));
}

/* Frees the dummy handle. */
int
xengnttab_close(xengnttab_handle *xgt)
{
	free(xgt);
	return 0;
}

/* Accepted and ignored. */
int
xengnttab_set_max_grants(xengnttab_handle *xgt, uint32_t nr_grants)
{
	(void)xgt;
	(void)nr_grants;
	return 0;
}

/*
 * "Map" domain domid's xenstore page: a shared mapping of ring-<domid>,
 * which the fake guest created.  NULL with errno (ENOENT) when missing; the
 * XS_INTRODUCE then fails with that errno.
 */
void *
xengnttab_map_grant_ref(xengnttab_handle *xgt, uint32_t domid, uint32_t ref,
    int prot)
{
	char path[PATH_MAX];
	void *addr;
	int fd;

	(void)xgt;
	if (fx_path(path, sizeof(path), "ring-", domid) < 0) {
		errno = ENAMETOOLONG;
		return NULL;
	}
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		fx_log("map_grant_ref(dom %u): %s: %s\n", domid, path,
		    strerror(errno));
		return NULL;
	}
	addr = mmap(NULL, FX_PAGE_SIZE, prot, MAP_SHARED, fd, 0);
	close(fd);
	if (addr == MAP_FAILED)
		return NULL;
	fx_log("map_grant_ref(dom %u, ref %u) -> %p\n", domid, ref, addr);
	return addr;
}

/* Unmaps count pages. */
int
xengnttab_unmap(xengnttab_handle *xgt, void *start_address, uint32_t count)
{
	(void)xgt;
	return munmap(start_address, (size_t)count * FX_PAGE_SIZE);
}
