/*
 * cagma-tgtbench - cost of one balloon-target write on real Xen, through
 * cagmad's own Xen backend (dom0/backend_xen.c): set_target = libxl
 * (libxl_set_memory_target, enforce=1) against set_target = direct
 * (xc_domain_setmaxmem + memory/target, as qmemman does).
 *
 * usage: cagma-tgtbench DOMID ROUNDS STEP_MIB
 * Run in dom0 with cagmad stopped.  Each round sets the domain's target
 * STEP_MIB down and back up, once per path, the two paths interleaved
 * (drift in the host's load hits both alike).  Per call, one line:
 *   call PATH DIR call_us=C cpu_us=U first_us=F reach_us=R
 * call_us: the call's wall time; cpu_us: this process's CPU time in it
 * (libxl's own work, not xenstored's); first_us: call start -> the
 * balloon current first moves; reach_us: -> within 2 MiB of the target
 * (polled every 1 ms through the backend's current(), at most 20 s; 0 if
 * never).  With XENSTORED_PID set, also xenstored's CPU ticks summed over
 * each path's calls (one line at the end).  The target is restored at the
 * end.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "backend.h"
#include "cfg.h"
#include "log.h"
#include "mtime.h"
#include "wl.h"
#include "xsio.h"

#define NEAR_KB		2048
#define REACH_MAX_US	20000000ull

/* xenstored's CPU ticks (utime + stime) during each path's calls */
static long xs_pid;			/* XENSTORED_PID, 0: not measured */
static uint64_t xs_ticks[2];

static uint64_t
xs_cpu_ticks(void)
{
	char path[64], buf[1024], *p;
	uint64_t ut;
	FILE *f;
	size_t n;
	int i;

	if (xs_pid <= 0)
		return 0;
	(void)snprintf(path, sizeof(path), "/proc/%ld/stat", xs_pid);
	f = fopen(path, "r");
	if (f == NULL)
		return 0;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	(void)fclose(f);
	buf[n] = '\0';
	p = strrchr(buf, ')');	/* fields after "pid (comm) " */
	if (p == NULL)
		return 0;
	for (i = 0; i < 12 && p != NULL; i++)	/* state .. cmajflt */
		p = strchr(p + 1, ' ');
	if (p == NULL)
		return 0;
	ut = strtoull(p + 1, &p, 10);		/* utime, then stime */
	return ut + strtoull(p, NULL, 10);
}

static uint64_t
cpu_us(void)
{
	struct timespec ts;

	(void)clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

/* One call and its effect; 0 or -errno. */
static int
one(struct backend *be, struct cagmad_cfg *cfg, enum cfg_set_target path,
    uint32_t domid, uint64_t target_kb, const char *dir)
{
	uint64_t t0, c0, t1, c1, t, cur0 = 0, cur, first = 0, reach = 0, x0;
	int rc;

	(void)be->ops->current(be, domid, &cur0);
	cfg->set_target = path;
	x0 = xs_cpu_ticks();
	t0 = mtime_us();
	c0 = cpu_us();
	rc = be->ops->set_target(be, domid, target_kb);
	c1 = cpu_us();
	t1 = mtime_us();
	xs_ticks[path == CFG_SET_TARGET_DIRECT] += xs_cpu_ticks() - x0;
	if (rc != 0) {
		fprintf(stderr, "set_target: %s\n", strerror(-rc));
		return rc;
	}
	while ((t = mtime_us()) - t0 < REACH_MAX_US) {
		if (be->ops->current(be, domid, &cur) != 0)
			return -ENOENT;
		if (first == 0 && cur != cur0)
			first = t - t0;
		if (cur + NEAR_KB >= target_kb && cur <= target_kb + NEAR_KB) {
			reach = t - t0;
			break;
		}
		(void)nanosleep(&(struct timespec){ 0, 1000000 }, NULL);
	}
	printf("call %s %s call_us=%llu cpu_us=%llu first_us=%llu "
	    "reach_us=%llu\n", path == CFG_SET_TARGET_DIRECT ? "direct" :
	    "libxl", dir, (unsigned long long)(t1 - t0),
	    (unsigned long long)(c1 - c0), (unsigned long long)first,
	    (unsigned long long)reach);
	fflush(stdout);
	return 0;
}

static int
rounds(struct backend *be, struct cagmad_cfg *cfg, uint32_t domid,
    uint64_t n, uint64_t base_kb, uint64_t step_kb)
{
	static const enum cfg_set_target paths[2] = { CFG_SET_TARGET_LIBXL,
	    CFG_SET_TARGET_DIRECT };
	uint64_t i;
	int k, rc = 0;

	for (i = 0; i < n && rc == 0; i++)
		for (k = 0; k < 2 && rc == 0; k++) {
			/* alternate which path goes first */
			enum cfg_set_target p = paths[(k + (int)(i & 1)) & 1];

			rc = one(be, cfg, p, domid, base_kb - step_kb, "down");
			if (rc == 0)
				rc = one(be, cfg, p, domid, base_kb, "up");
		}
	return rc;
}

int
main(int argc, char **argv)
{
	static struct cagmad_cfg cfg;
	struct backend be = { 0 };
	struct xsio *xs;
	uint64_t domid, n, step, base;
	char path[64];
	int rc;

	if (argc != 4 ||
	    wl_arg_u64("cagma-tgtbench", "DOMID", argv[1], 1, 0x7fef, &domid) ||
	    wl_arg_u64("cagma-tgtbench", "ROUNDS", argv[2], 1, 10000, &n) ||
	    wl_arg_u64("cagma-tgtbench", "STEP_MIB", argv[3], 1, 65536, &step)) {
		fprintf(stderr, "usage: cagma-tgtbench DOMID ROUNDS STEP_MIB\n");
		return 1;
	}
	log_init(LOGDEST_STDERR, 0, "cagma-tgtbench");
	if (getenv("XENSTORED_PID") != NULL)
		xs_pid = strtol(getenv("XENSTORED_PID"), NULL, 10);
	cfg_defaults(&cfg);
	rc = xsio_open(&xs);
	if (rc == 0) {
		/* the xen backend alone, on this xenstore link (no daemon) */
		be.cfg = &cfg;
		be.xs = xs;
		rc = backend_xen_open(&be);
	}
	(void)snprintf(path, sizeof(path), "/local/domain/%u/memory/target",
	    (unsigned int)domid);
	if (rc == 0)
		rc = xsio_read_u64(xs, path, UINT64_MAX / 2, &base);
	if (rc == 0 && base <= (step << 10) + 65536)
		rc = -ERANGE;
	if (rc != 0) {
		fprintf(stderr, "cagma-tgtbench: %s\n", strerror(-rc));
		return 1;
	}
	printf("tgtbench domid=%llu base_kb=%llu step_kb=%llu rounds=%llu\n",
	    (unsigned long long)domid, (unsigned long long)base,
	    (unsigned long long)(step << 10), (unsigned long long)n);
	rc = rounds(&be, &cfg, (uint32_t)domid, n, base, step << 10);
	if (xs_pid > 0)
		printf("xenstored pid=%ld hz=%ld ticks_libxl=%llu "
		    "ticks_direct=%llu calls_each=%llu\n", xs_pid,
		    sysconf(_SC_CLK_TCK), (unsigned long long)xs_ticks[0],
		    (unsigned long long)xs_ticks[1],
		    (unsigned long long)(2 * n));
	cfg.set_target = CFG_SET_TARGET_LIBXL;
	(void)be.ops->set_target(&be, (uint32_t)domid, base);
	be.ops->close(&be);
	xsio_close(xs);
	return rc == 0 ? 0 : 1;
}
