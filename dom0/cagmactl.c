/*
 * cagmactl.c - client for cagmad's control socket.
 *
 *   cagmactl [--socket PATH] status [--json] | watch [--interval S] | reload
 */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "config.h"

#define CTL_SOCK_DEFAULT	"/run/cagma/cagmad.sock"
#define CTL_TIMEOUT_MS		5000
#define CTL_REPLY_MAX		(4U << 20)	/* 4 MiB */

static void
usage(FILE *fp)
{
	fprintf(fp, "usage: cagmactl [--socket PATH] status [--json]\n"
	    "       cagmactl [--socket PATH] watch [--interval S]\n"
	    "       cagmactl [--socket PATH] reload\n");
}

/* Send cmd, print the reply to stdout.  0, or -errno. */
static int
ctl_request(const char *path, const char *cmd, bool *error_out)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct pollfd pfd;
	char buf[8192];
	size_t total = 0;
	ssize_t r;
	int fd = -1, rc;

	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 ||
	    write(fd, cmd, strlen(cmd)) != (ssize_t)strlen(cmd)) {
		rc = -errno;
		goto out;
	}
	for (;;) {
		pfd = (struct pollfd){ .fd = fd, .events = POLLIN };
		rc = poll(&pfd, 1, CTL_TIMEOUT_MS);
		if (rc == 0) {
			rc = -ETIMEDOUT;
			goto out;
		}
		r = read(fd, buf, sizeof(buf));
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			rc = -errno;
			goto out;
		}
		if (r == 0)
			break;
		if (total == 0 && strncmp(buf, "error:", 6) == 0)
			*error_out = true;
		total += (size_t)r;
		if (total > CTL_REPLY_MAX) {
			rc = -EFBIG;
			goto out;
		}
		fwrite(buf, 1, (size_t)r, stdout);
	}
	fflush(stdout);
	rc = 0;
out:
	close(fd);
	return rc;
}

static int
ctl_fail(const char *path, int rc)
{
	fprintf(stderr, "cagmactl: %s: %s\n", path, strerror(-rc));
	return 1;
}

static int
ctl_watch(const char *path, uint64_t interval_ms)
{
	bool err = false;
	int rc;

	for (;;) {
		fputs("\033[H\033[2J", stdout);
		rc = ctl_request(path, "status\n", &err);
		if (rc != 0)
			return ctl_fail(path, rc);
		usleep((useconds_t)(interval_ms * 1000));
	}
}

int
main(int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "json", no_argument, NULL, 'j' },
		{ "interval", required_argument, NULL, 'i' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *path = CTL_SOCK_DEFAULT, *cmd;
	uint64_t interval_ms = 1000;
	bool json = false, err = false;
	int ch, rc;

	while ((ch = getopt_long(argc, argv, "+s:ji:h", lopts, NULL)) != -1) {
		switch (ch) {
		case 's': path = optarg; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return 2;
	}
	cmd = argv[optind++];
	while ((ch = getopt_long(argc, argv, "ji:", lopts, NULL)) != -1) {
		switch (ch) {
		case 'j': json = true; break;
		case 'i':
			/* plain seconds ("2"), or with a unit ("500ms") */
			if (config_parse_u64(optarg, 1, 3600,
			    &interval_ms) == 0)
				interval_ms *= 1000;
			else if (config_parse_ms(optarg, 100, 3600000,
			    &interval_ms) != 0) {
				fprintf(stderr, "cagmactl: bad interval\n");
				return 2;
			}
			break;
		default: usage(stderr); return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	if (strcmp(cmd, "status") == 0)
		rc = ctl_request(path, json ? "status-json\n" : "status\n",
		    &err);
	else if (strcmp(cmd, "reload") == 0)
		rc = ctl_request(path, "reload\n", &err);
	else if (strcmp(cmd, "watch") == 0)
		return ctl_watch(path, interval_ms);
	else {
		usage(stderr);
		return 2;
	}
	if (rc != 0)
		return ctl_fail(path, rc);
	return err ? 1 : 0;
}
