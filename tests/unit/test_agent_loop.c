/*
 * test_agent_loop.c - the agent end to end without Xen (guest-agent/agent.c,
 * sample.c): fixture trees give exact records in --dry-run; a FIFO made
 * readable stands in for the PSI trigger and wakes the loop at once; a
 * copied fixture changed on disk drives the threshold and swap-in triggers
 * through the real sampler; the built binary prints a valid record with
 * --once --dry-run.  Run from the repository root (make unit).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "agent.h"
#include "config.h"
#include "mtime.h"
#include "record.h"

#define FIX	"tests/fixtures/"

static struct agent ag;		/* large: keep off the stack */

/* Expected record values per fixture (seq is time based, not checked). */
struct expect {
	const char *dir;
	uint64_t v[CG_F_COUNT];
	uint32_t absent;	/* CG_BIT of optional fields not sent */
};

#define E(id, x)	[CG_F_##id] = (x)
static const struct expect expects[] = {
	{ "linux-6.1-swap", { E(V, 1), E(MEM_TOTAL, 2013456),
	    E(MEM_FREE, 81234), E(MEM_AVAIL, 402112), E(SWAP_TOTAL, 524284),
	    E(SWAP_FREE, 311000), E(PSWPIN, 15321), E(PSWPOUT, 53310),
	    E(PGSCAN_KSWAPD, 998877), E(PGMAJFAULT, 4123),
	    E(REFAULT, 35200), E(PSI_SOME_US, 8812345),
	    E(PSI_FULL_US, 2203344), E(URGENT, 0), E(CACHED, 290112),
	    E(PSI_SOME_AVG10, 1234), E(HAS_PSI, 1), E(OOM_KILL, 0),
	    E(ALLOCSTALL, 15), E(PGSCAN_DIRECT, 4567),
	    E(WMARK_LOW, 45056 + 45056 / 4) }, 0 },
	{ "linux-6.1-noswap", { E(V, 1), E(MEM_TOTAL, 1015808),
	    E(MEM_FREE, 601000), E(MEM_AVAIL, 810240), E(SWAP_TOTAL, 0),
	    E(SWAP_FREE, 0), E(PSWPIN, 0), E(PSWPOUT, 0),
	    E(PGSCAN_KSWAPD, 0), E(PGMAJFAULT, 812), E(REFAULT, 77),
	    E(PSI_SOME_US, 1203), E(PSI_FULL_US, 310), E(URGENT, 0),
	    E(CACHED, 190000), E(PSI_SOME_AVG10, 0), E(HAS_PSI, 1),
	    E(OOM_KILL, 0), E(ALLOCSTALL, 0), E(PGSCAN_DIRECT, 0) },
	    CG_BIT(CG_F_WMARK_LOW) },
	{ "linux-5.4-nopsi", { E(V, 1), E(MEM_TOTAL, 4030000),
	    E(MEM_FREE, 1200000), E(MEM_AVAIL, 2500000),
	    E(SWAP_TOTAL, 1048572), E(SWAP_FREE, 1048000), E(PSWPIN, 77),
	    E(PSWPOUT, 900), E(PGSCAN_KSWAPD, 4096), E(PGMAJFAULT, 2500),
	    E(REFAULT, 5555), E(PSI_SOME_US, 0), E(PSI_FULL_US, 0),
	    E(URGENT, 0), E(CACHED, 1100000), E(HAS_PSI, 0), E(OOM_KILL, 1),
	    E(ALLOCSTALL, 0), E(PGSCAN_DIRECT, 0) },
	    CG_BIT(CG_F_PSI_SOME_AVG10) | CG_BIT(CG_F_WMARK_LOW) },
	{ "linux-4.19-minimal", { E(V, 1), E(MEM_TOTAL, 500000),
	    E(MEM_FREE, 100000), E(MEM_AVAIL, 200000), E(SWAP_TOTAL, 0),
	    E(SWAP_FREE, 0), E(PSWPIN, 0), E(PSWPOUT, 0),
	    E(PGSCAN_KSWAPD, 0), E(PGMAJFAULT, 99), E(REFAULT, 0),
	    E(PSI_SOME_US, 42), E(PSI_FULL_US, 0), E(URGENT, 0),
	    E(PSI_SOME_AVG10, 10000), E(HAS_PSI, 1), E(OOM_KILL, 0),
	    E(ALLOCSTALL, 0), E(PGSCAN_DIRECT, 0) },
	    CG_BIT(CG_F_CACHED) | CG_BIT(CG_F_WMARK_LOW) },
};

/* Read one line from fd (a pipe) within timeout_ms; returns its length. */
static ssize_t
read_line(int fd, char *buf, size_t size, int timeout_ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	size_t o = 0;
	ssize_t n;

	while (o + 1 < size) {
		if (poll(&p, 1, timeout_ms) != 1)
			return -ETIMEDOUT;
		n = read(fd, buf + o, 1);
		if (n != 1)
			return -EIO;
		if (buf[o] == '\n') {
			buf[o] = '\0';
			return (ssize_t)o;
		}
		o++;
	}
	return -ENOSPC;
}

static void
check_record(const char *line, size_t len, const struct expect *e)
{
	struct cg_record rec;
	struct record_error err;
	int id;

	assert_int_equal(record_decode(line, len, &rec, &err), 0);
	for (id = 0; id < CG_F_COUNT; id++) {
		if (id == CG_F_SEQ)
			continue;
		if (e->absent & CG_BIT(id)) {
			assert_false(record_has(&rec, id));
			continue;
		}
		assert_true(record_has(&rec, id));
		if (rec.val[id] != e->v[id])
			fail_msg("%s: %s=%llu, want %llu", e->dir,
			    cg_fields[id].name,
			    (unsigned long long)rec.val[id],
			    (unsigned long long)e->v[id]);
	}
}

static void
cfg_for(struct agent_cfg *cfg, const char *proc)
{
	agent_cfg_defaults(cfg);
	snprintf(cfg->proc_root, sizeof(cfg->proc_root), "%s", proc);
	cfg->dry_run = true;
	cfg->psi.enable = false;	/* fixtures: never written anyway */
}

/* --once --dry-run over each kernel layout: exact values. */
static void
test_fixture_records(void **state)
{
	struct agent_cfg cfg;
	char line[CG_RECORD_MAX_LEN + 2];
	int pfd[2];
	size_t i;
	ssize_t n;

	(void)state;
	for (i = 0; i < sizeof(expects) / sizeof(expects[0]); i++) {
		cfg_for(&cfg, FIX);
		strncat(cfg.proc_root, expects[i].dir,
		    sizeof(cfg.proc_root) - strlen(cfg.proc_root) - 1);
		cfg.once = true;
		assert_int_equal(pipe(pfd), 0);
		assert_int_equal(agent_init(&ag, &cfg, pfd[1]), 0);
		assert_int_equal(agent_sample_publish(&ag, false, true,
		    mtime_ms()), 1);
		n = read_line(pfd[0], line, sizeof(line), 1000);
		assert_true(n > 0);
		check_record(line, (size_t)n, &expects[i]);
		agent_fini(&ag);
		close(pfd[0]);
		close(pfd[1]);
	}
}

static void
test_missing_proc(void **state)
{
	struct agent_cfg cfg;

	(void)state;
	cfg_for(&cfg, "tests/fixtures/does-not-exist");
	assert_int_equal(agent_init(&ag, &cfg, 1), -ENOENT);
}

/* The FIFO stands in for the PSI trigger: it wakes the loop at once. */
static void
test_fifo_trigger_wakes(void **state)
{
	char fifo[64] = "/tmp/cagma-test-fifo-XXXXXX", line[CG_RECORD_MAX_LEN];
	struct agent_cfg cfg;
	uint64_t t0;
	int pfd[2], wfd, rc;
	ssize_t n;

	(void)state;
	assert_non_null(mkdtemp(fifo));
	strcat(fifo, "/t");
	assert_int_equal(mkfifo(fifo, 0600), 0);
	cfg_for(&cfg, FIX "linux-6.1-swap");
	cfg.interval_ms = 60000;		/* no timed wake-up in the test */
	cfg.report.heartbeat_ms = 3600000;
	snprintf(cfg.trigger_fifo, sizeof(cfg.trigger_fifo), "%s", fifo);
	assert_int_equal(pipe(pfd), 0);
	assert_int_equal(agent_init(&ag, &cfg, pfd[1]), 0);
	/* First step: first sample, first (non-urgent) publish. */
	assert_int_equal(agent_step(&ag, NULL), 0);
	n = read_line(pfd[0], line, sizeof(line), 1000);
	assert_true(n > 0);
	assert_non_null(strstr(line, " urgent=0"));
	/* Make the FIFO readable; the next step must return quickly. */
	wfd = open(fifo, O_WRONLY | O_NONBLOCK);
	assert_true(wfd >= 0);
	assert_int_equal(write(wfd, "x", 1), 1);
	t0 = mtime_ms();
	rc = agent_step(&ag, NULL);
	assert_int_equal(rc, 0);
	assert_true(mtime_ms() - t0 < 5000);
	n = read_line(pfd[0], line, sizeof(line), 1000);
	assert_true(n > 0);
	assert_non_null(strstr(line, " urgent=1"));
	assert_int_equal(ag.urgent_publishes, 1);
	/* Drained: nothing more is pending on the output. */
	assert_int_equal(read_line(pfd[0], line, sizeof(line), 100),
	    -ETIMEDOUT);
	close(wfd);
	agent_fini(&ag);
	close(pfd[0]);
	close(pfd[1]);
	unlink(fifo);
	*strrchr(fifo, '/') = '\0';
	rmdir(fifo);
}

static void
write_file(const char *path, const char *text)
{
	FILE *fp = fopen(path, "w");

	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
}

#define MEMINFO(avail) "MemTotal:  2000000 kB\nMemFree:  100000 kB\n" \
	"MemAvailable:  " avail " kB\nSwapTotal: 0 kB\nSwapFree: 0 kB\n" \
	"Cached: 0 kB\n"
#define VMSTAT(pswpin) "pswpin " pswpin "\npswpout 0\npgscan_kswapd 0\n" \
	"pgmajfault 1\nworkingset_refault_file 0\n"

/* Threshold and swap-in growth through the real sampler, 10 ms samples. */
static void
test_changes_on_disk(void **state)
{
	char dir[] = "/tmp/cagma-test-proc-XXXXXX", path[PATH_MAX],
	    line[CG_RECORD_MAX_LEN];
	struct agent_cfg cfg;
	int pfd[2], i;
	ssize_t n;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/meminfo", dir);
	write_file(path, MEMINFO("1000000"));
	snprintf(path, sizeof(path), "%s/vmstat", dir);
	write_file(path, VMSTAT("5"));
	cfg_for(&cfg, dir);
	cfg.interval_ms = 10;
	cfg.report.heartbeat_ms = 3600000;
	assert_int_equal(pipe(pfd), 0);
	assert_int_equal(agent_init(&ag, &cfg, pfd[1]), 0);
	assert_int_equal(agent_step(&ag, NULL), 0);
	assert_true(read_line(pfd[0], line, sizeof(line), 1000) > 0);
	for (i = 0; i < 5; i++)		/* calm: no publish */
		assert_int_equal(agent_step(&ag, NULL), 0);
	assert_int_equal(ag.publishes, 1);
	/* 10 MiB less available: below 16 MiB and below 2 % of 2 GB. */
	snprintf(path, sizeof(path), "%s/meminfo", dir);
	write_file(path, MEMINFO("0989760"));
	for (i = 0; i < 5; i++)
		assert_int_equal(agent_step(&ag, NULL), 0);
	assert_int_equal(ag.publishes, 1);
	/* 20 MiB less: a change publish, not urgent. */
	write_file(path, MEMINFO("0979520"));
	for (i = 0; i < 3; i++)
		assert_int_equal(agent_step(&ag, NULL), 0);
	assert_int_equal(ag.publishes, 2);
	n = read_line(pfd[0], line, sizeof(line), 1000);
	assert_true(n > 0);
	assert_non_null(strstr(line, " mem_avail=979520 "));
	assert_non_null(strstr(line, " urgent=0"));
	/* Swap-in: urgent. */
	snprintf(path, sizeof(path), "%s/vmstat", dir);
	write_file(path, VMSTAT("6"));
	for (i = 0; i < 3; i++)
		assert_int_equal(agent_step(&ag, NULL), 0);
	assert_int_equal(ag.publishes, 3);
	assert_int_equal(ag.urgent_publishes, 1);
	n = read_line(pfd[0], line, sizeof(line), 1000);
	assert_true(n > 0);
	assert_non_null(strstr(line, " pswpin=6 "));
	assert_non_null(strstr(line, " urgent=1"));
	/* A broken meminfo: the sample fails, nothing is published. */
	snprintf(path, sizeof(path), "%s/meminfo", dir);
	write_file(path, "MemTotal: x\n");
	for (i = 0; i < 3; i++)
		assert_int_equal(agent_step(&ag, NULL), 0);
	assert_int_equal(ag.publishes, 3);
	agent_fini(&ag);
	close(pfd[0]);
	close(pfd[1]);
	unlink(path);
	snprintf(path, sizeof(path), "%s/vmstat", dir);
	unlink(path);
	rmdir(dir);
}

/* Heartbeat: with 30 ms heartbeats over ~200 ms, several publishes. */
static void
test_heartbeat_loop(void **state)
{
	struct agent_cfg cfg;
	uint64_t t0;
	int pfd[2];

	(void)state;
	cfg_for(&cfg, FIX "linux-6.1-noswap");
	cfg.interval_ms = 1000;
	cfg.report.heartbeat_ms = 30;
	assert_int_equal(pipe(pfd), 0);
	fcntl(pfd[0], F_SETFL, O_NONBLOCK);
	assert_int_equal(agent_init(&ag, &cfg, pfd[1]), 0);
	t0 = mtime_ms();
	while (mtime_ms() - t0 < 200)
		assert_int_equal(agent_step(&ag, NULL), 0);
	/* 1 first + about 6 heartbeats; slack for a loaded machine. */
	assert_in_range(ag.publishes, 3, 8);
	agent_fini(&ag);
	close(pfd[0]);
	close(pfd[1]);
}

static void
test_cfg(void **state)
{
	struct agent_cfg cfg;
	char err[CONFIG_ERR_MAX];

	(void)state;
	agent_cfg_defaults(&cfg);
	assert_int_equal(cfg.interval_ms, 100);
	assert_int_equal(cfg.report.heartbeat_ms, 5000);
	assert_int_equal(cfg.report.thresh_kb, 16384);
	assert_int_equal(cfg.report.urgent_gap_ms, 50);
	assert_int_equal(cfg.psi.stall_us, 100000);
	assert_int_equal(cfg.psi.window_us, 1000000);
	assert_int_equal(agent_cfg_set(&cfg, "interval", "250ms", err,
	    sizeof(err)), 0);
	assert_int_equal(cfg.interval_ms, 250);
	assert_int_equal(agent_cfg_set(&cfg, "threshold", "32M", err,
	    sizeof(err)), 0);
	assert_int_equal(cfg.report.thresh_kb, 32768);
	assert_int_equal(agent_cfg_set(&cfg, "threshold_pct", "5", err,
	    sizeof(err)), 0);
	assert_int_equal(cfg.report.thresh_pct100, 500);
	assert_int_equal(agent_cfg_set(&cfg, "interval", "0", err,
	    sizeof(err)), -EINVAL);
	assert_int_equal(agent_cfg_set(&cfg, "heartbeat", "5x", err,
	    sizeof(err)), -EINVAL);
	assert_int_equal(agent_cfg_set(&cfg, "threshold_pct", "101", err,
	    sizeof(err)), -EINVAL);
	assert_int_equal(agent_cfg_set(&cfg, "bogus", "1", err,
	    sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "bogus"));
	assert_int_equal(agent_cfg_set(&cfg, "psi_window", "400ms", err,
	    sizeof(err)), -EINVAL);
	assert_int_equal(agent_cfg_set(&cfg, "psi_stall", "2s", err,
	    sizeof(err)), 0);
	assert_int_equal(agent_cfg_check(&cfg, err, sizeof(err)), -EINVAL);
	/* The shipped configuration file parses and keeps the defaults. */
	agent_cfg_defaults(&cfg);
	assert_int_equal(agent_cfg_load(&cfg, "guest-agent/cagma-agent.conf",
	    err, sizeof(err)), 0);
	assert_int_equal(cfg.interval_ms, 100);
	assert_int_equal(cfg.report.heartbeat_ms, 5000);
}

/* The binary: --once --dry-run prints one valid record, exit 0. */
static void
test_binary_once(void **state)
{
	char exe[PATH_MAX], cmd[PATH_MAX + 128], line[CG_RECORD_MAX_LEN + 2];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	FILE *fp;
	int st;

	(void)state;
	assert_true(n > 0);
	exe[n] = '\0';
	*strrchr(exe, '/') = '\0';	/* <build>/tests */
	snprintf(cmd, sizeof(cmd), "%s/../bin/cagma-agent --config /dev/null "
	    "--proc " FIX "linux-6.1-swap --once --dry-run 2>/dev/null", exe);
	fp = popen(cmd, "r");
	assert_non_null(fp);
	assert_non_null(fgets(line, sizeof(line), fp));
	st = pclose(fp);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	line[strcspn(line, "\n")] = '\0';
	check_record(line, strlen(line), &expects[0]);
	/* Exit codes: bad option 2, missing /proc tree 3. */
	snprintf(cmd, sizeof(cmd), "%s/../bin/cagma-agent --interval 0 "
	    ">/dev/null 2>&1", exe);
	st = system(cmd);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == AGENT_EXIT_USAGE);
	snprintf(cmd, sizeof(cmd), "%s/../bin/cagma-agent --config /dev/null "
	    "--proc /nonexistent --once --dry-run >/dev/null 2>&1", exe);
	st = system(cmd);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == AGENT_EXIT_PROC);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fixture_records),
		cmocka_unit_test(test_missing_proc),
		cmocka_unit_test(test_fifo_trigger_wakes),
		cmocka_unit_test(test_changes_on_disk),
		cmocka_unit_test(test_heartbeat_loop),
		cmocka_unit_test(test_cfg),
		cmocka_unit_test(test_binary_once),
	};

	log_init(LOGDEST_STDERR, 0, "test_agent_loop");
	return cmocka_run_group_tests_name("agent_loop", tests, NULL, NULL);
}
