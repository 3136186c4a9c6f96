/*
 * xsdom.c - libxl-style domain layout, introduce and release, for the
 * fake-Xen harness (see xsdom.h).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <xenstore.h>

#include "num.h"
#include "xsdom.h"

#define XSDOM_DOM_MAX	32	/* "/local/domain/32751" + NUL */
#define XSDOM_PATH_MAX	64

static int
xsdom_write(struct xs_handle *xsh, const char *path, const char *val)
{
	if (!xs_write(xsh, XBT_NULL, path, val, (unsigned int)strlen(val)))
		return errno ? -errno : -EIO;
	return 0;
}

static int
xsdom_perms(struct xs_handle *xsh, const char *path, uint32_t owner,
    uint32_t reader)
{
	struct xs_permissions perms[2] = {
		{ .id = owner, .perms = XS_PERM_NONE },
		{ .id = reader, .perms = XS_PERM_READ },
	};
	unsigned int n = owner == reader ? 1 : 2;

	if (!xs_set_permissions(xsh, XBT_NULL, path, perms, n))
		return errno ? -errno : -EIO;
	return 0;
}

/* See xsdom.h. */
int
xsdom_make(struct xs_handle *xsh, const struct xsdom_layout *lay)
{
	static const char *const ro_nodes[] = {
		"", "/name", "/memory", "/memory/target", "/memory/static-max",
	};
	char dom[XSDOM_DOM_MAX], path[XSDOM_PATH_MAX];
	char target[NUM_U64_MAX_DIGITS + 1], max[NUM_U64_MAX_DIGITS + 1];
	size_t i;
	int rc;

	target[num_fmt_u64(target, lay->target_kb)] = '\0';
	max[num_fmt_u64(max, lay->static_max_kb)] = '\0';
	snprintf(dom, sizeof(dom), "/local/domain/%u", lay->domid);
	rc = xsdom_write(xsh, dom, "");
	for (i = 1; rc == 0 && i < sizeof(ro_nodes) / sizeof(ro_nodes[0]);
	    i++) {
		snprintf(path, sizeof(path), "%s%s", dom, ro_nodes[i]);
		if (strcmp(ro_nodes[i], "/name") == 0)
			rc = xsdom_write(xsh, path, lay->name);
		else if (strcmp(ro_nodes[i], "/memory/target") == 0)
			rc = xsdom_write(xsh, path, target);
		else if (strcmp(ro_nodes[i], "/memory/static-max") == 0)
			rc = xsdom_write(xsh, path, max);
		else
			rc = xsdom_write(xsh, path, "");
	}
	for (i = 0; rc == 0 && i < sizeof(ro_nodes) / sizeof(ro_nodes[0]);
	    i++) {
		snprintf(path, sizeof(path), "%s%s", dom, ro_nodes[i]);
		rc = xsdom_perms(xsh, path, 0, lay->domid);
	}
	if (rc == 0) {
		snprintf(path, sizeof(path), "%s/data", dom);
		rc = xsdom_write(xsh, path, "");
		if (rc == 0)
			rc = xsdom_perms(xsh, path, lay->domid, lay->domid);
	}
	return rc;
}

/* See xsdom.h. */
int
xsdom_introduce(struct xs_handle *xsh, uint32_t domid)
{
	if (!xs_introduce_domain(xsh, domid, 0, 1))
		return errno ? -errno : -EIO;
	return 0;
}

/* See xsdom.h. */
int
xsdom_release(struct xs_handle *xsh, uint32_t domid)
{
	if (!xs_release_domain(xsh, domid))
		return errno ? -errno : -EIO;
	return 0;
}

/* See xsdom.h. */
int
xsdom_destroy(struct xs_handle *xsh, uint32_t domid)
{
	char dom[XSDOM_DOM_MAX];

	snprintf(dom, sizeof(dom), "/local/domain/%u", domid);
	if (!xs_rm(xsh, XBT_NULL, dom) && errno != ENOENT)
		return -errno;
	return 0;
}

/* See xsdom.h. */
int
xsdom_kick(const char *dir, int32_t msg)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	int fd, rc = 0, n;

	n = snprintf(addr.sun_path, sizeof(addr.sun_path), "%s/evtchn.sock",
	    dir);
	if (n < 0 || (size_t)n >= sizeof(addr.sun_path))
		return -ENAMETOOLONG;
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (sendto(fd, &msg, sizeof(msg), 0, (struct sockaddr *)&addr,
	    sizeof(addr)) != (ssize_t)sizeof(msg))
		rc = -errno;
	close(fd);
	return rc;
}
