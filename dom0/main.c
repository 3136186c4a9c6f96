/*
 * main.c - cagmad: arguments, daemonizing and the poll loop.
 *
 * One thread, one poll() over the backend side's fd (xenstore watches, or
 * the libvirt backend's event pipe), a timerfd, a signalfd (SIGHUP reload,
 * SIGTERM/SIGINT stop) and the control socket.  While the side's link is
 * down its fd is left out and the timerfd paces the reconnect attempts
 * (daemon_xs.c, backend_libvirt.c).  The same main.o is cagmad and
 * cagmad-libvirt: the backend table linked in makes the difference.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "backend.h"
#include "control.h"
#include "daemon.h"
#include "log.h"
#include "mtime.h"
#include "xlconf.h"



/* Exit codes (cagmad.8). */
#define EXIT_CONFIG	2	/* bad arguments or configuration */
#define EXIT_SETUP	3	/* xenstore, backend or socket unavailable */

struct opts {
	bool foreground;
	int verbose;
	bool check_only;
	const char *socket_path;
};

static void
usage(FILE *fp)
{
	const struct policy_ops *const *p;

	fprintf(fp, "usage: %s [--foreground] [--verbose] [--dry-run] "
	    "[--config FILE]\n"
	    "              [--backend %s] [--connect URI] [--socket PATH]\n"
	    "              [--metrics-file PATH] [-n] [--help] [--version]\n"
	    "  -f, --foreground     stay in the foreground, log to stderr\n"
	    "  -v, --verbose        debug logging\n"
	    "  -d, --dry-run        decide and log, change nothing\n"
	    "  -c, --config FILE    configuration (default %s)\n"
	    "  -b, --backend NAME   %s (default %s)\n"
	    "  -C, --connect URI    libvirt URI (libvirt backend; default: "
	    "[libvirt] uri,\n"
	    "                       else %s)\n"
	    "  -s, --socket PATH    control socket (default %s)\n"
	    "  -m, --metrics-file PATH  Prometheus text file, each round\n"
	    "  -n                   check the configuration and exit\n"
	    "policies:\n", backend_program, backend_names, CFG_PATH_DEFAULT,
	    backend_names, backend_default(), CFG_LIBVIRT_URI_DEF,
	    CONTROL_SOCK_DEFAULT);
	for (p = policy_all; *p != NULL; p++)
		fprintf(fp, "  %-12s %s\n", (*p)->name, (*p)->summary);
}

static void check_backend(struct cagmad *c, char **argv);

static void
parse_args(int argc, char **argv, struct cagmad *c, struct opts *o)
{
	static const struct option lopts[] = {
		{ "foreground", no_argument, NULL, 'f' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "dry-run", no_argument, NULL, 'd' },
		{ "config", required_argument, NULL, 'c' },
		{ "backend", required_argument, NULL, 'b' },
		{ "connect", required_argument, NULL, 'C' },
		{ "socket", required_argument, NULL, 's' },
		{ "metrics-file", required_argument, NULL, 'm' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	int ch;

	while ((ch = getopt_long(argc, argv, "fvdc:b:C:s:m:nhV", lopts,
	    NULL)) != -1) {
		switch (ch) {
		case 'f': o->foreground = true; break;
		case 'v': o->verbose++; break;
		case 'd': c->dry_run = true; break;
		case 'c': c->cfg_path = optarg; c->cfg_explicit = true; break;
		case 'b': c->backend_name = optarg; break;
		case 'C': c->connect_uri = optarg; break;
		case 's': o->socket_path = optarg; break;
		case 'm': c->metrics_path = optarg; break;
		case 'n': o->check_only = true; break;
		case 'h': usage(stdout); exit(0);
		case 'V': printf("%s %s\n", backend_program, CAGMA_VERSION);
			exit(0);
		default: usage(stderr); exit(EXIT_CONFIG);
		}
	}
	if (optind != argc) {
		usage(stderr);
		exit(EXIT_CONFIG);
	}
	check_backend(c, argv);
}

/*
 * The backend must be one of this program's.  One another program has
 * (cagmad --backend libvirt) runs that program, installed next to this
 * one, with the same arguments; a clear error if it is not there.
 */
static void
check_backend(struct cagmad *c, char **argv)
{
	const char *other = backend_other_program(c->backend_name);
	char self[PATH_MAX], path[PATH_MAX + 32];
	ssize_t n;

	switch (backend_check(c->backend_name)) {
	case 0:
		break;
	case -EPERM:
		fprintf(stderr, "%s: --backend %s is only in the test build "
		    "of cagmad (build/test/bin/cagmad); this one has %s\n",
		    backend_program, c->backend_name, backend_names);
		exit(EXIT_CONFIG);
	case -EXDEV:
		n = readlink("/proc/self/exe", self, sizeof(self) - 1);
		if (n > 0 && other != NULL) {
			self[n] = '\0';
			if (strrchr(self, '/') != NULL)
				*strrchr(self, '/') = '\0';
			snprintf(path, sizeof(path), "%s/%s", self, other);
			execv(path, argv);
		}
		fprintf(stderr, "%s: --backend %s is in %s (package %s), "
		    "which is not installed next to this program (%s); "
		    "this one has %s\n", backend_program, c->backend_name,
		    other, other, strerror(errno), backend_names);
		exit(EXIT_CONFIG);
	default:
		fprintf(stderr, "%s: unknown backend '%.64s' (%s)\n",
		    backend_program, c->backend_name, backend_names);
		exit(EXIT_CONFIG);
	}
	if (c->connect_uri != NULL && strcmp(c->backend_name, "libvirt") != 0) {
		fprintf(stderr, "%s: --connect is for --backend libvirt\n",
		    backend_program);
		exit(EXIT_CONFIG);
	}
}

static void
load_config(struct cagmad *c)
{
	char err[CONFIG_ERR_MAX];

	if (cfg_load(c->cfg_path, !c->cfg_explicit,
	    strcmp(c->backend_name, "sim") == 0, daemon_policy_check, &c->cfg,
	    err, sizeof(err)) != 0) {
		fprintf(stderr, "cagmad: %s\n", err);
		exit(EXIT_CONFIG);
	}
	if (daemon_set_policy(c) != 0) {
		fprintf(stderr, "cagmad: no policy available\n");
		exit(EXIT_CONFIG);
	}
}

static int
setup_fds(int *sfd_out, int *tfd_out)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	if (sigprocmask(SIG_BLOCK, &set, NULL) != 0)
		return -errno;
	signal(SIGPIPE, SIG_IGN);
	*sfd_out = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	if (*sfd_out < 0)
		return -errno;
	*tfd_out = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (*tfd_out < 0)
		return -errno;
	return 0;
}

static void
arm_timer(int tfd, uint64_t ms)
{
	struct itimerspec its = { { 0, 0 }, { 0, 0 } };

	if (ms == 0)
		ms = 1;		/* 0 would disarm it */
	its.it_value = mtime_ms_to_ts(ms);
	(void)timerfd_settime(tfd, 0, &its, NULL);
}

/* Returns true to keep running. */
static bool
handle_signals(int sfd, struct cagmad *c)
{
	struct signalfd_siginfo si;
	bool run = true;

	while (read(sfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		if (si.ssi_signo == SIGHUP)
			(void)daemon_reload(c);
		else {
			log_info("signal %u: stopping", si.ssi_signo);
			run = false;
		}
	}
	return run;
}

static int
loop(struct cagmad *c, struct control *ctl, int sfd, int tfd)
{
	struct pollfd pfd[4 + CONTROL_CLIENTS_MAX];
	uint64_t now, exp;
	size_t nc;
	int rc;

	for (;;) {
		now = mtime_ms();
		daemon_tick(c, now);
		arm_timer(tfd, daemon_timeout_ms(c, mtime_ms()));
		pfd[0] = (struct pollfd){ .fd = daemon_fd(c),
		    .events = POLLIN };
		pfd[1] = (struct pollfd){ .fd = sfd, .events = POLLIN };
		pfd[2] = (struct pollfd){ .fd = tfd, .events = POLLIN };
		nc = control_pollfds(ctl, &pfd[3]);
		rc = poll(pfd, 3 + nc, -1);
		if (rc < 0 && errno == EINTR)
			continue;
		if (rc < 0)
			fatal("poll");
		now = mtime_ms();
		/* pfd[0].fd is -1 while the side is down: revents stay 0 */
		if (pfd[0].revents & (POLLERR | POLLHUP | POLLNVAL)) {
			daemon_hangup(c, now);
		} else if (pfd[0].revents & POLLIN) {
			rc = daemon_ready(c, now);
			if (rc != 0 && rc != -EAGAIN) {
				log_warnx("%s events: %s", c->be.side->name,
				    strerror(-rc));
				return EXIT_SETUP;
			}
		}
		if (pfd[1].revents & POLLIN && !handle_signals(sfd, c))
			return 0;
		if (pfd[2].revents & POLLIN)
			(void)!read(tfd, &exp, sizeof(exp));
		control_serve(ctl, &pfd[3], nc, c, now);
	}
}

int
main(int argc, char **argv)
{
	static struct cagmad c;
	struct control ctl;
	struct opts o = { .socket_path = CONTROL_SOCK_DEFAULT };
	int sfd = -1, tfd = -1, rc;

	c.cfg_path = CFG_PATH_DEFAULT;
	c.backend_name = backend_default();
	parse_args(argc, argv, &c, &o);
	load_config(&c);
	if (o.check_only) {
		printf("%s: ok (policy %s)\n", c.cfg_path, c.ops->name);
		return 0;
	}
	if (!o.foreground && daemon(0, 0) != 0) {
		perror("daemon");
		return EXIT_SETUP;
	}
	log_init(o.foreground ? LOGDEST_STDERR : LOGDEST_SYSLOG, o.verbose,
	    backend_program);
	rc = setup_fds(&sfd, &tfd);
	if (rc != 0)
		fatalx("signalfd/timerfd: %s", strerror(-rc));
	if (daemon_init(&c) != 0)
		return EXIT_SETUP;
	if (control_open(&ctl, o.socket_path) != 0)
		return EXIT_SETUP;
	log_info("started: backend %s, policy %s%s, %zu domains",
	    c.backend_name, c.ops->name, c.dry_run ? ", dry-run" : "",
	    c.tbl->n);
	if (strcmp(c.backend_name, "xen") == 0)
		(void)xlconf_check(XLCONF_PATH);	/* warnings only */
	rc = loop(&c, &ctl, sfd, tfd);
	control_close(&ctl);
	daemon_fini(&c);
	close(sfd);
	close(tfd);
	return rc;
}
