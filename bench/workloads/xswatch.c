/*
 * cagma-xswatch - the lab's observer in dom0: prints a xenstore key's value
 * every time it changes, reading it right after each watch event (a forked
 * xenstore-read under TCG is too slow to see every step).
 *
 * usage: cagma-xswatch PATH SECONDS
 * Output, one line per event: "t_ms value" (t_ms since start); events
 * whose read fails (key or domain gone) are skipped.  Exits after SECONDS.
 * Link dynamically against libxenstore (a static one made watches flaky).
 */
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <xenstore.h>

#include "mtime.h"
#include "wl.h"

static void
print_value(struct xs_handle *xsh, const char *path, uint64_t t_ms)
{
	unsigned int len;
	char *v;

	v = xs_read(xsh, XBT_NULL, path, &len);
	if (v == NULL)
		return;
	printf("%llu %.*s\n", (unsigned long long)t_ms, (int)len, v);
	fflush(stdout);
	free(v);
}

int
main(int argc, char **argv)
{
	struct xs_handle *xsh;
	struct pollfd pfd;
	uint64_t seconds, t0;
	unsigned int n;
	char **ev;

	if (argc != 3) {
		fprintf(stderr, "usage: cagma-xswatch PATH SECONDS\n");
		return 1;
	}
	if (wl_arg_u64("cagma-xswatch", "SECONDS", argv[2], 1, 86400,
	    &seconds))
		return 1;
	xsh = xs_open(0);
	if (xsh == NULL) {
		perror("cagma-xswatch: xs_open");
		return 1;
	}
	if (!xs_watch(xsh, argv[1], "w")) {
		perror("cagma-xswatch: xs_watch");
		xs_close(xsh);
		return 1;
	}
	pfd.fd = xs_fileno(xsh);
	pfd.events = POLLIN;
	t0 = mtime_ms();
	while (mtime_ms() - t0 < seconds * 1000) {
		if (poll(&pfd, 1, 500) <= 0)
			continue;
		ev = xs_read_watch(xsh, &n);
		if (ev == NULL)
			continue;
		free(ev);
		print_value(xsh, argv[1], mtime_ms() - t0);
	}
	xs_close(xsh);
	return 0;
}
