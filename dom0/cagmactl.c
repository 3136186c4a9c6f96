/*
 * cagmactl.c - client for cagmad's control socket.
 *
 *   cagmactl [--socket PATH] status [--json] | watch [--interval S] | reload
 *   cagmactl [--socket PATH] reserve SIZE [--timeout S] | release ID
 *   cagmactl [--socket PATH] create [--timeout S] CONFIG [xl create args]
 *
 * Exit codes (cagmactl.8): CTL_EXIT_*.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "mtime.h"
#include "num.h"
#include "xlcfg.h"

#define CTL_SOCK_DEFAULT	"/run/cagma/cagmad.sock"
#define CTL_TIMEOUT_MS		5000
#define CTL_REPLY_MAX		(4U << 20)	/* 4 MiB */
#define CTL_POLL_MS		100	/* reservation state poll */
#define CTL_RESV_TIMEOUT_S	30	/* default --timeout */
#define CTL_XL_OUT_MAX		(1U << 20)	/* xl create -n output cap */
#define CTL_XL_DEFAULT		"xl"	/* CAGMACTL_XL overrides it */

enum {
	CTL_EXIT_OK = 0,
	CTL_EXIT_ERROR = 1,	/* cagmad unreachable or reported an error */
	CTL_EXIT_USAGE = 2,
	CTL_EXIT_REFUSED = 3,	/* the memory cannot be freed: refused */
	CTL_EXIT_TIMEOUT = 4,	/* not freed within the timeout */
	CTL_EXIT_CANCELLED = 5,	/* interrupted (SIGINT/SIGTERM/SIGHUP) */
	CTL_EXIT_XL = 6,	/* xl create failed */
	CTL_EXIT_CONFIG = 7,	/* xl could not parse the config */
};

static volatile sig_atomic_t ctl_stop;

static void
usage(FILE *fp)
{
	fprintf(fp, "usage: cagmactl [--socket PATH] status [--json]\n"
	    "       cagmactl [--socket PATH] watch [--interval S]\n"
	    "       cagmactl [--socket PATH] reload\n"
	    "       cagmactl [--socket PATH] reserve SIZE [--timeout S]\n"
	    "       cagmactl [--socket PATH] release ID\n"
	    "       cagmactl [--socket PATH] create [--timeout S] CONFIG "
	    "[xl create args...]\n");
}

/* Send cmd and read the whole reply into buf (NUL-terminated).  0/-errno. */
static int
ctl_call(const char *path, const char *cmd, char *buf, size_t cap)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct pollfd pfd;
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
		if (rc < 0 && errno == EINTR)
			continue;
		if (rc <= 0) {
			rc = rc == 0 ? -ETIMEDOUT : -errno;
			goto out;
		}
		r = read(fd, buf + total, cap - 1 - total);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			rc = -errno;
			goto out;
		}
		if (r == 0)
			break;
		total += (size_t)r;
		if (total == cap - 1) {
			rc = -EFBIG;
			goto out;
		}
	}
	buf[total] = '\0';
	rc = 0;
out:
	close(fd);
	return rc;
}

/* Send cmd, print the reply to stdout.  0, or -errno. */
static int
ctl_request(const char *path, const char *cmd, bool *error_out)
{
	char *buf = malloc(CTL_REPLY_MAX + 2);
	int rc;

	if (buf == NULL)
		return -ENOMEM;
	rc = ctl_call(path, cmd, buf, CTL_REPLY_MAX + 2);
	if (rc == 0) {
		if (strncmp(buf, "error:", 6) == 0)
			*error_out = true;
		fputs(buf, stdout);
		fflush(stdout);
	}
	free(buf);
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

/* The number after " key=" (or at the start) in a reply line. */
static int
ctl_kv(const char *reply, const char *key, uint64_t *out)
{
	size_t klen = strlen(key);
	const char *p = reply, *e;

	for (;;) {
		p = strstr(p, key);
		if (p == NULL)
			return -ENOENT;
		if ((p == reply || p[-1] == ' ') && p[klen] == '=')
			break;
		p += klen;
	}
	p += klen + 1;
	for (e = p; *e >= '0' && *e <= '9'; e++)
		;
	return num_parse_u64(p, (size_t)(e - p), 0, UINT64_MAX, out);
}

/* The state word of a reply line ("state=ready ..."), or "". */
static void
ctl_state(const char *reply, char *out, size_t cap)
{
	const char *p = strstr(reply, " state=");
	size_t n = 0;

	out[0] = '\0';
	if (p == NULL)
		return;
	p += 7;
	while (p[n] >= 'a' && p[n] <= 'z' && n + 1 < cap)
		n++;
	memcpy(out, p, n);
	out[n] = '\0';
}

static void
ctl_on_signal(int sig)
{
	(void)sig;
	ctl_stop = 1;
}

/* SIGINT / SIGTERM / SIGHUP set ctl_stop (no SA_RESTART: waits end). */
static void
ctl_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = ctl_on_signal;
	sigemptyset(&sa.sa_mask);
	(void)sigaction(SIGINT, &sa, NULL);
	(void)sigaction(SIGTERM, &sa, NULL);
	(void)sigaction(SIGHUP, &sa, NULL);
}

static void
ctl_release(const char *path, uint64_t id)
{
	char cmd[64], reply[512];

	snprintf(cmd, sizeof(cmd), "release %llu\n", (unsigned long long)id);
	if (ctl_call(path, cmd, reply, sizeof(reply)) != 0 ||
	    strncmp(reply, "error:", 6) == 0)
		fprintf(stderr, "cagmactl: releasing reservation %llu: %s",
		    (unsigned long long)id, reply[0] ? reply : "no reply\n");
}

/*
 * Reserve size_kb within timeout_s and wait until it is ready: writes
 * *id_out (the caller releases it) and *freeing_ms_out.  A signal cancels
 * it.  CTL_EXIT_*.
 */
static int
ctl_reserve_wait(const char *path, uint64_t size_kb, uint64_t timeout_s,
    uint64_t *id_out, uint64_t *freeing_ms_out)
{
	char cmd[96], reply[1024], state[16];
	uint64_t id, freeable, t0 = mtime_ms();
	struct timespec ts = { 0, CTL_POLL_MS * 1000000L };
	int rc;

	snprintf(cmd, sizeof(cmd), "reserve %llu %llu\n",
	    (unsigned long long)size_kb,
	    (unsigned long long)(timeout_s * 1000));
	rc = ctl_call(path, cmd, reply, sizeof(reply));
	if (rc != 0)
		return ctl_fail(path, rc);
	if (strncmp(reply, "error: refused", 14) == 0 &&
	    ctl_kv(reply, "freeable_kb", &freeable) == 0) {
		fprintf(stderr, "cagmactl: cannot reserve %llu MiB: at most "
		    "%llu MiB can be freed now\n",
		    (unsigned long long)(size_kb + 1023) / 1024,
		    (unsigned long long)freeable / 1024);
		return CTL_EXIT_REFUSED;
	}
	if (ctl_kv(reply, "id", &id) != 0) {
		fprintf(stderr, "cagmactl: reserve: %s", reply);
		return CTL_EXIT_ERROR;
	}
	*id_out = id;
	for (;;) {
		ctl_state(reply, state, sizeof(state));
		if (strcmp(state, "ready") == 0) {
			*freeing_ms_out = mtime_ms() - t0;
			return CTL_EXIT_OK;
		}
		if (strcmp(state, "pending") != 0) {
			fprintf(stderr, "cagmactl: reservation %llu: %s: %llu "
			    "MiB not freed within %llu s\n",
			    (unsigned long long)id, state[0] ? state : "gone",
			    (unsigned long long)size_kb / 1024,
			    (unsigned long long)timeout_s);
			return CTL_EXIT_TIMEOUT;
		}
		if (!ctl_stop)
			(void)nanosleep(&ts, NULL);
		if (ctl_stop) {
			ctl_release(path, id);
			fprintf(stderr, "cagmactl: reservation %llu "
			    "cancelled\n", (unsigned long long)id);
			return CTL_EXIT_CANCELLED;
		}
		snprintf(cmd, sizeof(cmd), "resv %llu\n",
		    (unsigned long long)id);
		rc = ctl_call(path, cmd, reply, sizeof(reply));
		/*
		 * cagmad busy (a slow libxl call while a domain is built):
		 * ask again until the reservation's own deadline.  Any other
		 * failure ends the wait; the reservation is released so that
		 * it does not hold memory for nobody until it expires.
		 */
		if (rc == -ETIMEDOUT && mtime_ms() - t0 < timeout_s * 1000 +
		    CTL_TIMEOUT_MS) {
			snprintf(reply, sizeof(reply), "id=%llu state=pending\n",
			    (unsigned long long)id);
			continue;
		}
		if (rc != 0) {
			ctl_release(path, id);
			return ctl_fail(path, rc);
		}
	}
}

static int
ctl_reserve(const char *path, uint64_t size_kb, uint64_t timeout_s)
{
	uint64_t id = 0, ms = 0;
	int rc;

	ctl_signals();
	rc = ctl_reserve_wait(path, size_kb, timeout_s, &id, &ms);
	if (rc != CTL_EXIT_OK)
		return rc;
	printf("reservation %llu ready: %llu KiB freed in %llu.%03llu s "
	    "(held for %llu s; cagmactl release %llu)\n",
	    (unsigned long long)id, (unsigned long long)size_kb,
	    (unsigned long long)ms / 1000, (unsigned long long)ms % 1000,
	    (unsigned long long)timeout_s, (unsigned long long)id);
	return CTL_EXIT_OK;
}

/*
 * Start the xl of CAGMACTL_XL (default "xl") with argv; with pfd != NULL
 * its stdout goes to the pipe pfd[1]; quiet: its stderr to /dev/null.
 * The pid, or -1.
 */
static pid_t
ctl_xl_spawn(char *const *argv, const int *pfd, bool quiet)
{
	const char *xl = getenv("CAGMACTL_XL");
	pid_t pid;
	int fd;

	pid = fork();
	if (pid != 0)
		return pid;
	if (pfd != NULL) {
		dup2(pfd[1], STDOUT_FILENO);
		close(pfd[0]);
		close(pfd[1]);
	}
	if (quiet && (fd = open("/dev/null", O_WRONLY)) >= 0) {
		dup2(fd, STDERR_FILENO);
		if (fd != STDERR_FILENO)
			close(fd);
	}
	execvp(xl != NULL && xl[0] != '\0' ? xl : CTL_XL_DEFAULT, argv);
	_exit(127);
}

/* Exit status of pid (waiting unless nohang), -1 on a signal, -2 running. */
static int
ctl_xl_wait(pid_t pid, bool nohang)
{
	pid_t r;
	int st = 0;

	while ((r = waitpid(pid, &st, nohang ? WNOHANG : 0)) < 0)
		if (errno != EINTR)
			return 127;
	if (r == 0)
		return -2;
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/*
 * Run xl with argv; with out != NULL its stdout goes into out (cap
 * bytes, NUL-terminated); quiet: its stderr is dropped.  Its exit
 * status, 127 if it could not run, -1 on a signal.
 */
static int
ctl_xl(char *const *argv, char *out, size_t cap, bool quiet)
{
	int pfd[2] = { -1, -1 };
	size_t len = 0;
	ssize_t r;
	pid_t pid;

	if (out != NULL && pipe(pfd) != 0)
		return 127;
	pid = ctl_xl_spawn(argv, out != NULL ? pfd : NULL, quiet);
	if (out != NULL)
		close(pfd[1]);
	if (pid < 0) {
		if (out != NULL)
			close(pfd[0]);
		return 127;
	}
	if (out != NULL) {
		while ((r = read(pfd[0], out + len, cap - 1 - len)) != 0) {
			if (r < 0 && errno == EINTR)
				continue;
			if (r < 0)
				break;
			len += (size_t)r;
			if (len == cap - 1)
				break;
		}
		out[len] = '\0';
		close(pfd[0]);
	}
	return ctl_xl_wait(pid, false);
}

/*
 * Whether domain name exists (`xl domid NAME` succeeds; its output,
 * "Can't get domid of domain name ..." until then, dropped).
 */
static bool
ctl_dom_exists(char *name)
{
	char *argv[] = { (char *)"xl", (char *)"domid", name, NULL };
	char out[64];

	return ctl_xl(argv, out, sizeof(out), true) == 0;
}

/*
 * Run `xl create` (argv) and release reservation id as soon as the domain
 * exists (name known: `xl domid` every CTL_POLL_MS; cagmad then grows no
 * guest from free memory while the domain is built and boots, and with
 * claim_mode=1 the builder's claim counts against free memory once made),
 * else when xl returns.  Its exit status (ctl_xl()).
 */
static int
ctl_xl_create(const char *path, char *const *argv, char *name,
    uint64_t id)
{
	struct timespec ts = { 0, CTL_POLL_MS * 1000000L };
	bool released = false;
	pid_t pid;
	int st;

	pid = ctl_xl_spawn(argv, NULL, false);
	if (pid < 0) {
		ctl_release(path, id);
		return 127;
	}
	while ((st = ctl_xl_wait(pid, true)) == -2) {
		if (!released && name[0] != '\0' && ctl_dom_exists(name)) {
			ctl_release(path, id);
			released = true;
		}
		(void)nanosleep(&ts, NULL);
	}
	if (!released)
		ctl_release(path, id);
	return st;
}

/*
 * create: xl's dry run for the memory, reserve memory + overhead, xl
 * create, release.  argv: CONFIG [xl create args...].
 */
static int
ctl_create(const char *path, uint64_t timeout_s, int argc, char **argv)
{
	char **xargv = calloc((size_t)argc + 4, sizeof(char *));
	char *out = malloc(CTL_XL_OUT_MAX);
	uint64_t id = 0, free_ms = 0, t1, need, over;
	struct xlcfg x;
	int i, rc, st;

	if (xargv == NULL || out == NULL) {
		fprintf(stderr, "cagmactl: out of memory\n");
		rc = CTL_EXIT_ERROR;
		goto out;
	}
	xargv[0] = (char *)"xl";
	xargv[1] = (char *)"create";
	xargv[2] = (char *)"-n";
	for (i = 0; i < argc; i++)
		xargv[3 + i] = argv[i];
	st = ctl_xl(xargv, out, CTL_XL_OUT_MAX, false);
	if (st != 0 || xlcfg_parse(out, strlen(out), &x) != 0) {
		fprintf(stderr, "cagmactl: %s: xl create -n %s (no "
		    "target_memkb in its output)\n", argv[0], st != 0 ?
		    "failed" : "gave no memory size");
		rc = CTL_EXIT_CONFIG;
		goto out;
	}
	over = xlcfg_overhead_kb(&x);
	need = x.target_kb + over;
	ctl_signals();
	rc = ctl_reserve_wait(path, need, timeout_s, &id, &free_ms);
	if (rc != CTL_EXIT_OK)
		goto out;
	/* xl create, without -n: argv[2] is the config from here */
	for (i = 0; i < argc; i++)
		xargv[2 + i] = argv[i];
	xargv[2 + argc] = NULL;
	t1 = mtime_ms();
	if (ctl_stop) {
		ctl_release(path, id);
		st = -1;
	} else {
		st = ctl_xl_create(path, xargv, x.name, id);
	}
	t1 = mtime_ms() - t1;
	if (st != 0) {
		fprintf(stderr, "cagmactl: %s: xl create failed (%d) after "
		    "%llu.%03llu s; reservation %llu released\n", argv[0], st,
		    (unsigned long long)t1 / 1000,
		    (unsigned long long)t1 % 1000, (unsigned long long)id);
		rc = ctl_stop ? CTL_EXIT_CANCELLED : CTL_EXIT_XL;
		goto out;
	}
	printf("%s: memory %llu MiB (max %llu MiB) + overhead %llu KiB: "
	    "freed in %llu.%03llu s, created in %llu.%03llu s\n",
	    x.name[0] ? x.name : argv[0],
	    (unsigned long long)x.target_kb / 1024,
	    (unsigned long long)x.max_kb / 1024, (unsigned long long)over,
	    (unsigned long long)free_ms / 1000,
	    (unsigned long long)free_ms % 1000,
	    (unsigned long long)t1 / 1000, (unsigned long long)t1 % 1000);
	rc = CTL_EXIT_OK;
out:
	free(xargv);
	free(out);
	return rc;
}

/* reserve / release / create: argv[0] is the command.  CTL_EXIT_*. */
static int
ctl_resv_main(const char *path, const char *cmd, int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "timeout", required_argument, NULL, 't' },
		{ NULL, 0, NULL, 0 },
	};
	uint64_t timeout_s = CTL_RESV_TIMEOUT_S, size_kb, id;
	int ch;

	optind = 0;	/* glibc: full reset; create stops at CONFIG */
	while ((ch = getopt_long(argc, argv, strcmp(cmd, "create") == 0 ?
	    "+t:" : "t:", lopts, NULL)) != -1) {
		if (ch != 't' || config_parse_u64(optarg, 1, 3600,
		    &timeout_s) != 0) {
			usage(stderr);
			return CTL_EXIT_USAGE;
		}
	}
	if (strcmp(cmd, "create") == 0) {
		if (optind >= argc) {
			usage(stderr);
			return CTL_EXIT_USAGE;
		}
		return ctl_create(path, timeout_s, argc - optind,
		    argv + optind);
	}
	if (optind + 1 != argc) {
		usage(stderr);
		return CTL_EXIT_USAGE;
	}
	if (strcmp(cmd, "release") == 0) {
		char line[64], reply[512];

		if (config_parse_u64(argv[optind], 1, UINT32_MAX, &id) != 0) {
			usage(stderr);
			return CTL_EXIT_USAGE;
		}
		snprintf(line, sizeof(line), "release %llu\n",
		    (unsigned long long)id);
		ch = ctl_call(path, line, reply, sizeof(reply));
		if (ch != 0)
			return ctl_fail(path, ch);
		fputs(reply, strncmp(reply, "error:", 6) == 0 ? stderr :
		    stdout);
		return strncmp(reply, "error:", 6) == 0 ? CTL_EXIT_ERROR :
		    CTL_EXIT_OK;
	}
	if (config_parse_size_kb(argv[optind], 1, 1ULL << 40, &size_kb) != 0) {
		fprintf(stderr, "cagmactl: bad size '%.32s' (e.g. 768M)\n",
		    argv[optind]);
		return CTL_EXIT_USAGE;
	}
	return ctl_reserve(path, size_kb, timeout_s);
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
	if (strcmp(cmd, "reserve") == 0 || strcmp(cmd, "create") == 0 ||
	    strcmp(cmd, "release") == 0)
		return ctl_resv_main(path, cmd, argc - optind + 1,
		    argv + optind - 1);
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
