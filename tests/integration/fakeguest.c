/*
 * fakeguest.c - run an unmodified libxenstore program as guest domain N of
 * a xenstored that runs under the fakexen shim (tests/integration/).
 *
 *   fakeguest --domid N [options] [-- PROGRAM [ARGS...]]
 *
 * It creates N's ring page and sockets in $FAKEXEN_DIR, lays out
 * /local/domain/N as libxl does (through dom0's $XENSTORED_PATH), sends
 * XS_INTRODUCE, then runs PROGRAM with XENSTORED_PATH pointing at the
 * guest socket, so that every request PROGRAM makes reaches xenstored
 * through N's ring and gets N's permissions.  It exits with PROGRAM's
 * status.  Without PROGRAM it prints "ready" and serves until SIGTERM;
 * clients then connect to $FAKEXEN_DIR/guest-N.sock themselves.
 *
 * SIGHUP = "xenstored was restarted": drop all clients, zero the ring,
 * lay the domain out again (unless --no-layout) and re-introduce it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include <xenstore.h>

#include "fgring.h"
#include "num.h"
#include "xsdom.h"

#define FG_DEFAULT_TARGET_KB	(1024 * 1024)
#define FG_DEFAULT_MAX_KB	(2 * 1024 * 1024)

struct fg_opts {
	const char *dir;
	const char *dom0_path;	/* dom0's XENSTORED_PATH */
	struct xsdom_layout lay;
	char name[32];
	int layout;
	int introduce;
	char **argv;		/* PROGRAM and ARGS, or NULL */
};

static struct fg_ring fg;	/* ~200 KiB: not on the stack */

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: fakeguest --domid N [--dir DIR] [--name NAME]\n"
	    "       [--target-kb KIB] [--max-kb KIB] [--no-layout]\n"
	    "       [--no-introduce] [-- PROGRAM [ARGS...]]\n"
	    "env: FAKEXEN_DIR (default for --dir), XENSTORED_PATH (dom0)\n");
}

static int
parse_u64_arg(const char *s, uint64_t max, uint64_t *out)
{
	return num_parse_u64(s, strlen(s), 0, max, out);
}

static int
parse_opts(int argc, char **argv, struct fg_opts *o)
{
	static const struct option longopts[] = {
		{ "domid", required_argument, NULL, 'd' },
		{ "dir", required_argument, NULL, 'D' },
		{ "name", required_argument, NULL, 'n' },
		{ "target-kb", required_argument, NULL, 't' },
		{ "max-kb", required_argument, NULL, 'm' },
		{ "no-layout", no_argument, NULL, 'L' },
		{ "no-introduce", no_argument, NULL, 'I' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	uint64_t v;
	int c, have_domid = 0;

	o->dir = getenv("FAKEXEN_DIR");
	o->dom0_path = getenv("XENSTORED_PATH");
	o->lay.target_kb = FG_DEFAULT_TARGET_KB;
	o->lay.static_max_kb = FG_DEFAULT_MAX_KB;
	o->layout = o->introduce = 1;
	while ((c = getopt_long(argc, argv, "+h", longopts, NULL)) != -1) {
		switch (c) {
		case 'd':
			if (parse_u64_arg(optarg, 0x7fef, &v) < 0 || v == 0)
				return -EINVAL;
			o->lay.domid = (uint32_t)v;
			have_domid = 1;
			break;
		case 'D': o->dir = optarg; break;
		case 'n': snprintf(o->name, sizeof(o->name), "%s", optarg);
			break;
		case 't': case 'm':
			if (parse_u64_arg(optarg, UINT64_MAX / 2, &v) < 0)
				return -EINVAL;
			*(c == 't' ? &o->lay.target_kb :
			    &o->lay.static_max_kb) = v;
			break;
		case 'L': o->layout = 0; break;
		case 'I': o->introduce = 0; break;
		case 'h': usage(stdout); exit(0);
		default: return -EINVAL;
		}
	}
	if (!have_domid || o->dir == NULL)
		return -EINVAL;
	if (o->name[0] == '\0')
		snprintf(o->name, sizeof(o->name), "guest%u", o->lay.domid);
	o->lay.name = o->name;
	o->argv = optind < argc ? &argv[optind] : NULL;
	return 0;
}

/* Lay out and introduce the domain through a short-lived dom0 handle. */
static int
toolstack_introduce(const struct fg_opts *o)
{
	struct xs_handle *xsh = NULL;
	int rc;

	if (!o->layout && !o->introduce)
		return 0;
	if (o->dom0_path != NULL)
		setenv("XENSTORED_PATH", o->dom0_path, 1);
	xsh = xs_open(0);
	if (xsh == NULL) {
		rc = -errno;
		goto out;
	}
	rc = o->layout ? xsdom_make(xsh, &o->lay) : 0;
	if (rc == 0 && o->introduce)
		rc = xsdom_introduce(xsh, o->lay.domid);
out:
	if (xsh != NULL)
		xs_close(xsh);
	return rc;
}

static pid_t
spawn(char **argv, const sigset_t *oldmask)
{
	pid_t pid;

	pid = fork();
	if (pid != 0)
		return pid;
	setenv("XENSTORED_PATH", fg.sock_path, 1);
	unsetenv("XENSTORED_RUNDIR");
	sigprocmask(SIG_SETMASK, oldmask, NULL);
	execvp(argv[0], argv);
	fprintf(stderr, "fakeguest: %s: %s\n", argv[0], strerror(errno));
	_exit(127);
}

/* Handle one signal; returns an exit status >= 0 to stop, else -1. */
static int
on_signal(int sfd, const struct fg_opts *o, pid_t child)
{
	struct signalfd_siginfo si;
	int status, rc;

	if (read(sfd, &si, sizeof(si)) != (ssize_t)sizeof(si))
		return -1;
	switch (si.ssi_signo) {
	case SIGHUP:
		fg_reset(&fg);
		rc = toolstack_introduce(o);
		if (rc < 0)
			fprintf(stderr, "fakeguest: domid %u: re-introduce: "
			    "%s\n", o->lay.domid, strerror(-rc));
		return -1;
	case SIGCHLD:
		if (child <= 0 || waitpid(child, &status, WNOHANG) != child)
			return -1;
		if (WIFSIGNALED(status))
			return 128 + WTERMSIG(status);
		return WEXITSTATUS(status);
	default:		/* SIGTERM, SIGINT */
		if (child > 0) {
			kill(child, (int)si.ssi_signo);
			return -1;
		}
		return 0;
	}
}

int
main(int argc, char **argv)
{
	struct fg_opts o;
	sigset_t mask, oldmask;
	pid_t child = -1;
	int sfd, rc, status = -1;

	memset(&o, 0, sizeof(o));
	if (parse_opts(argc, argv, &o) < 0) {
		usage(stderr);
		return 2;
	}
	sigemptyset(&mask);
	sigaddset(&mask, SIGCHLD);
	sigaddset(&mask, SIGHUP);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigprocmask(SIG_BLOCK, &mask, &oldmask);
	signal(SIGPIPE, SIG_IGN);
	sfd = signalfd(-1, &mask, SFD_CLOEXEC);
	rc = sfd < 0 ? -errno : fg_open(&fg, o.dir, o.lay.domid);
	if (rc == 0)
		rc = toolstack_introduce(&o);
	if (rc < 0) {
		fprintf(stderr, "fakeguest: domid %u: %s\n", o.lay.domid,
		    strerror(-rc));
		return 1;
	}
	if (o.argv != NULL) {
		child = spawn(o.argv, &oldmask);
		if (child < 0)
			return 1;
	} else {
		printf("ready\n");
		fflush(stdout);
	}
	while (status < 0) {
		rc = fg_serve(&fg, sfd, -1);
		if (rc < 0) {
			fprintf(stderr, "fakeguest: domid %u: ring: %s\n",
			    o.lay.domid, strerror(-rc));
			return 1;
		}
		if (rc == 1)
			status = on_signal(sfd, &o, child);
	}
	return status;
}
