/*
 * xstool.c - dom0 toolstack helper and probe for the fake-Xen harness.
 *
 *   xstool make N NAME TARGET_KB MAX_KB   libxl-style /local/domain/N layout
 *   xstool introduce N | release N        XS_INTRODUCE / XS_RELEASE
 *   xstool introduced N                   prints T or F
 *   xstool destroy N                      rm /local/domain/N
 *   xstool virq                           fire VIRQ_DOM_EXC ($FAKEXEN_DIR)
 *   xstool write PATH VALUE               prints OK or the errno name
 *   xstool rm PATH                        prints OK or the errno name
 *   xstool watchlog PATH                  print PATH's value at each watch
 *                                         event until xenstored goes away
 *   xstool lat WSOCK RSOCK PATH N         raw watch round trips: write on
 *                                         WSOCK, watch event on RSOCK;
 *                                         prints n, median, p90, p99, max us
 *
 * The xenstored socket is $XENSTORED_PATH (dom0, or a fake guest's socket,
 * which makes the write/rm probes act as that guest).  No xenstore CLI
 * sends XS_INTRODUCE, hence this tool.  Exit 0 on success, 1 on error,
 * 2 on usage.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xenstore.h>

#include "mtime.h"
#include "num.h"
#include "xsdom.h"

#define LAT_MAX_N	100000

static int
arg_u64(const char *s, uint64_t max, uint64_t *out)
{
	return num_parse_u64(s, strlen(s), 0, max, out);
}

static struct xs_handle *
open_at(const char *sock)
{
	struct xs_handle *xsh;

	if (sock != NULL)
		setenv("XENSTORED_PATH", sock, 1);
	xsh = xs_open(0);
	if (xsh == NULL)
		fprintf(stderr, "xstool: xs_open(%s): %s\n",
		    sock != NULL ? sock : "$XENSTORED_PATH", strerror(errno));
	return xsh;
}

static int
print_result(int ok)
{
	const char *name;

	if (ok) {
		printf("OK\n");
		return 0;
	}
	name = strerrorname_np(errno);
	printf("%s\n", name != NULL ? name : "EUNKNOWN");
	return 0;
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static int
wait_event(struct xs_handle *r, const char *path)
{
	unsigned int num;
	char **vec;
	int hit;

	for (;;) {
		vec = xs_read_watch(r, &num);
		if (vec == NULL)
			return -errno;
		hit = strcmp(vec[XS_WATCH_PATH], path) == 0;
		free(vec);
		if (hit)
			return 0;
	}
}

static int
cmd_lat(const char *wsock, const char *rsock, const char *path, uint64_t n)
{
	struct xs_handle *w = NULL, *r = NULL;
	uint64_t *lat_us = NULL, t0;
	char val[32];
	uint64_t i;
	int rc = -ENOMEM;

	lat_us = calloc(n, sizeof(*lat_us));
	w = open_at(wsock);
	r = open_at(rsock);
	if (lat_us == NULL || w == NULL || r == NULL)
		goto out;
	rc = xs_watch(r, path, "lat") ? wait_event(r, path) : -errno;
	for (i = 0; rc == 0 && i < n; i++) {
		snprintf(val, sizeof(val), "%llu", (unsigned long long)i);
		t0 = mtime_us();
		if (!xs_write(w, XBT_NULL, path, val, (unsigned int)strlen(val)))
			rc = -errno;
		else
			rc = wait_event(r, path);
		lat_us[i] = mtime_us() - t0;
	}
	if (rc < 0)
		goto out;
	qsort(lat_us, n, sizeof(*lat_us), cmp_u64);
	printf("n=%llu median_us=%llu p90_us=%llu p99_us=%llu max_us=%llu\n",
	    (unsigned long long)n, (unsigned long long)lat_us[n / 2],
	    (unsigned long long)lat_us[n * 90 / 100],
	    (unsigned long long)lat_us[n * 99 / 100],
	    (unsigned long long)lat_us[n - 1]);
out:
	if (rc < 0)
		fprintf(stderr, "xstool lat: %s\n", strerror(-rc));
	if (w != NULL)
		xs_close(w);
	if (r != NULL)
		xs_close(r);
	free(lat_us);
	return rc < 0 ? 1 : 0;
}

static int
cmd_watchlog(const char *path)
{
	struct xs_handle *xsh;
	unsigned int len;
	char *val;
	int rc;

	xsh = open_at(NULL);
	if (xsh == NULL)
		return 1;
	rc = xs_watch(xsh, path, "log") ? 0 : -errno;
	while (rc == 0 && wait_event(xsh, path) == 0) {
		val = xs_read(xsh, XBT_NULL, path, &len);
		if (val != NULL)
			printf("%.*s\n", (int)len, val);
		fflush(stdout);
		free(val);
	}
	xs_close(xsh);
	return 0;
}

static int
cmd_domain(int argc, char **argv, struct xs_handle *xsh)
{
	struct xsdom_layout lay = { .domid = 0 };
	uint64_t v;
	int rc;

	if (arg_u64(argv[2], 0x7fef, &v) < 0)
		return 2;
	lay.domid = (uint32_t)v;
	if (strcmp(argv[1], "make") == 0) {
		if (argc != 6 || arg_u64(argv[4], UINT64_MAX, &lay.target_kb) ||
		    arg_u64(argv[5], UINT64_MAX, &lay.static_max_kb))
			return 2;
		lay.name = argv[3];
		rc = xsdom_make(xsh, &lay);
	} else if (strcmp(argv[1], "introduce") == 0) {
		rc = xsdom_introduce(xsh, lay.domid);
	} else if (strcmp(argv[1], "release") == 0) {
		rc = xsdom_release(xsh, lay.domid);
	} else if (strcmp(argv[1], "destroy") == 0) {
		rc = xsdom_destroy(xsh, lay.domid);
	} else if (strcmp(argv[1], "introduced") == 0) {
		printf("%s\n", xs_is_domain_introduced(xsh, lay.domid) ?
		    "T" : "F");
		rc = 0;
	} else {
		return 2;
	}
	if (rc < 0)
		fprintf(stderr, "xstool %s %u: %s\n", argv[1], lay.domid,
		    strerror(-rc));
	return rc < 0 ? 1 : 0;
}

static int
run(int argc, char **argv)
{
	struct xs_handle *xsh = NULL;
	const char *dir = getenv("FAKEXEN_DIR");
	uint64_t n;
	int rc;

	if (argc == 2 && strcmp(argv[1], "virq") == 0)
		return dir != NULL && xsdom_kick(dir, -1) == 0 ? 0 : 1;
	if (argc == 6 && strcmp(argv[1], "lat") == 0) {
		if (arg_u64(argv[5], LAT_MAX_N, &n) < 0 || n == 0)
			return 2;
		return cmd_lat(argv[2], argv[3], argv[4], n);
	}
	if (argc == 3 && strcmp(argv[1], "watchlog") == 0)
		return cmd_watchlog(argv[2]);
	if (argc < 3)
		return 2;
	xsh = open_at(NULL);
	if (xsh == NULL)
		return 1;
	if (argc == 4 && strcmp(argv[1], "write") == 0)
		rc = print_result(xs_write(xsh, XBT_NULL, argv[2], argv[3],
		    (unsigned int)strlen(argv[3])));
	else if (argc == 3 && strcmp(argv[1], "rm") == 0)
		rc = print_result(xs_rm(xsh, XBT_NULL, argv[2]));
	else
		rc = cmd_domain(argc, argv, xsh);
	xs_close(xsh);
	return rc;
}

int
main(int argc, char **argv)
{
	int rc = run(argc, argv);

	if (rc == 2)
		fprintf(stderr, "usage: see the comment at the top of "
		    "tests/integration/xstool.c\n");
	return rc;
}
