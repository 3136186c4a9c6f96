/*
 * test_agent_vport.c - the agent's virtio-serial transport
 * (guest-agent/vport.c, publish.c) with a FIFO standing in for the port:
 * line framing, a port with no host side (no reader: ENXIO, reopened with
 * backoff), a full port (EAGAIN: dropped, counted, the next record intact),
 * a host that goes away (EPIPE with SIGPIPE ignored), the auto rule, and
 * the agent loop publishing over the port without blocking its sampling.
 */
#define _GNU_SOURCE	/* F_SETPIPE_SZ */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "agent.h"
#include "mtime.h"
#include "publish.h"
#include "record.h"
#include "vport.h"

#define FIX	"tests/fixtures/"
#define REC	"v=1 seq=5 mem_total=100 mem_free=10 mem_avail=20"

static struct agent ag;		/* large: keep off the stack */
static char dir[64], fifo[96];

static int
setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/cagma-vport-XXXXXX");
	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(fifo, sizeof(fifo), "%s/port", dir);
	return mkfifo(fifo, 0600);
}

static int
teardown(void **state)
{
	(void)state;
	unlink(fifo);
	rmdir(dir);
	return 0;
}

/* The host side: a nonblocking reader of the FIFO. */
static int
host_open(void)
{
	int fd = open(fifo, O_RDONLY | O_NONBLOCK | O_CLOEXEC);

	assert_true(fd >= 0);
	return fd;
}

/* Read what is there (up to size - 1 bytes) within timeout_ms. */
static size_t
host_read(int fd, char *buf, size_t size, int timeout_ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	size_t o = 0;
	ssize_t n;

	while (o + 1 < size && poll(&p, 1, o == 0 ? timeout_ms : 0) == 1) {
		n = read(fd, buf + o, size - 1 - o);
		if (n <= 0)
			break;
		o += (size_t)n;
	}
	buf[o] = '\0';
	return o;
}

static void
test_line(void **state)
{
	struct agent_vport v;
	char buf[256];
	int h;

	(void)state;
	h = host_open();
	agent_vport_init(&v, fifo);
	assert_false(agent_vport_up(&v));
	assert_int_equal(agent_vport_publish(&v, REC, strlen(REC), 0),
	    -ENOTCONN);
	assert_int_equal(agent_vport_open(&v, 0), 0);
	assert_true(agent_vport_up(&v));
	assert_int_equal(agent_vport_publish(&v, REC, strlen(REC), 0), 0);
	assert_int_equal(agent_vport_publish(&v, REC, strlen(REC), 0), 0);
	assert_int_equal(host_read(h, buf, sizeof(buf), 1000),
	    2 * (strlen(REC) + 1));
	assert_string_equal(buf, REC "\n" REC "\n");
	/* never a newline inside a line, never an over-long one */
	assert_int_equal(agent_vport_publish(&v, "v=1\nx", 5, 0), -EINVAL);
	assert_int_equal(agent_vport_publish(&v, REC, 0, 0), -EINVAL);
	assert_int_equal(agent_vport_publish(&v, buf, CG_RECORD_MAX_LEN + 1,
	    0), -EINVAL);
	assert_int_equal(host_read(h, buf, sizeof(buf), 50), 0);
	assert_int_equal(v.writes, 2);
	agent_vport_close(&v);
	close(h);
}

/* No host side: open fails (ENXIO on a FIFO), reopened with backoff. */
static void
test_no_host_backoff(void **state)
{
	struct agent_vport v;
	int h;

	(void)state;
	agent_vport_init(&v, fifo);
	assert_int_equal(agent_vport_open(&v, 1000), -ENXIO);
	assert_int_equal(v.retry_at_ms, 1000 + VPORT_BACKOFF_MIN_MS);
	assert_int_equal(agent_vport_open(&v, 1050), -EAGAIN);
	assert_int_equal(agent_vport_open(&v, 1100), -ENXIO);
	assert_int_equal(v.retry_at_ms, 1100 + 2 * VPORT_BACKOFF_MIN_MS);
	for (int i = 0; i < 20; i++)
		(void)agent_vport_open(&v, v.retry_at_ms);
	assert_int_equal(v.backoff_ms, VPORT_BACKOFF_MAX_MS);
	h = host_open();
	assert_int_equal(agent_vport_open(&v, v.retry_at_ms), 0);
	assert_int_equal(v.failures, 0);
	assert_int_equal(v.backoff_ms, VPORT_BACKOFF_MAX_MS);
	assert_int_equal(agent_vport_publish(&v, REC, strlen(REC), 0), 0);
	assert_int_equal(v.backoff_ms, VPORT_BACKOFF_MIN_MS);	/* by a write */
	agent_vport_close(&v);
	close(h);
	/* a missing port */
	agent_vport_init(&v, "/nonexistent/port");
	assert_int_equal(agent_vport_open(&v, 0), -ENOENT);
}

/* A full port drops records (counted) and keeps every line whole. */
static void
test_full_port(void **state)
{
	static char buf[1 << 20];
	struct agent_vport v;
	uint64_t written = 0;
	size_t n, i, lines = 0;
	int h, rc;

	(void)state;
	h = host_open();
	agent_vport_init(&v, fifo);
	assert_int_equal(agent_vport_open(&v, 0), 0);
	for (i = 0; i < 100000; i++) {
		rc = agent_vport_publish(&v, REC, strlen(REC), 0);
		if (rc == -EAGAIN)
			break;
		assert_int_equal(rc, 0);
		written++;
	}
	assert_int_equal(rc, -EAGAIN);
	assert_int_equal(v.dropped, 1);
	assert_true(agent_vport_up(&v));
	assert_int_equal(agent_vport_publish(&v, REC, strlen(REC), 0),
	    -EAGAIN);
	assert_int_equal(v.dropped, 2);
	n = host_read(h, buf, sizeof(buf), 1000);
	assert_int_equal(agent_vport_publish(&v, REC, strlen(REC), 0), 0);
	n += host_read(h, buf + n, sizeof(buf) - n, 1000);
	for (i = 0; i < n; i += strlen(REC) + 1) {
		assert_memory_equal(buf + i, REC "\n", strlen(REC) + 1);
		lines++;
	}
	assert_int_equal(i, n);
	assert_int_equal(lines, written + 1);
	agent_vport_close(&v);
	close(h);
}

/* The host goes away: EPIPE (SIGPIPE ignored) closes and reopens. */
static void
test_host_gone(void **state)
{
	struct agent_vport v;
	char buf[256];
	int h;

	(void)state;
	h = host_open();
	agent_vport_init(&v, fifo);
	assert_int_equal(agent_vport_open(&v, 0), 0);
	close(h);
	assert_int_equal(agent_vport_publish(&v, REC, strlen(REC), 500),
	    -EPIPE);
	assert_false(agent_vport_up(&v));
	assert_int_equal(v.retry_at_ms, 500 + VPORT_BACKOFF_MIN_MS);
	/* opens but every write fails: the backoff still grows */
	h = host_open();
	assert_int_equal(agent_vport_open(&v, 550), -EAGAIN);
	assert_int_equal(agent_vport_open(&v, 600), 0);
	close(h);
	assert_int_equal(agent_vport_publish(&v, REC, strlen(REC), 600),
	    -EPIPE);
	assert_int_equal(v.retry_at_ms, 600 + 2 * VPORT_BACKOFF_MIN_MS);
	h = host_open();
	assert_int_equal(agent_vport_open(&v, 800), 0);
	assert_int_equal(agent_vport_publish(&v, REC, strlen(REC), 800), 0);
	assert_int_equal(v.backoff_ms, VPORT_BACKOFF_MIN_MS);
	host_read(h, buf, sizeof(buf), 1000);
	assert_string_equal(buf, REC "\n");
	agent_vport_close(&v);
	close(h);
}

static void
test_transport_rule(void **state)
{
	enum agent_transport t = AGENT_TR_VIRTIO;
	struct agent_cfg cfg;
	char err[256];

	(void)state;
	assert_int_equal(agent_transport_pick(true, true), AGENT_TR_XENSTORE);
	assert_int_equal(agent_transport_pick(true, false),
	    AGENT_TR_XENSTORE);
	assert_int_equal(agent_transport_pick(false, true), AGENT_TR_VIRTIO);
	assert_int_equal(agent_transport_pick(false, false), AGENT_TR_AUTO);
	assert_int_equal(agent_transport_parse("auto", &t), 0);
	assert_int_equal(t, AGENT_TR_AUTO);
	assert_int_equal(agent_transport_parse("xenstore", &t), 0);
	assert_int_equal(t, AGENT_TR_XENSTORE);
	assert_int_equal(agent_transport_parse("virtio", &t), 0);
	assert_int_equal(t, AGENT_TR_VIRTIO);
	assert_int_equal(agent_transport_parse("Virtio", &t), -EINVAL);
	assert_int_equal(agent_transport_parse("", &t), -EINVAL);
	assert_int_equal(t, AGENT_TR_VIRTIO);
	agent_cfg_defaults(&cfg);
	assert_int_equal(cfg.transport, AGENT_TR_AUTO);
	assert_string_equal(cfg.port, VPORT_DEF_PATH);
	assert_int_equal(agent_cfg_set(&cfg, "transport", "virtio", err,
	    sizeof(err)), 0);
	assert_int_equal(cfg.transport, AGENT_TR_VIRTIO);
	assert_int_equal(agent_cfg_set(&cfg, "transport", "kvm", err,
	    sizeof(err)), -EINVAL);
	assert_int_equal(agent_cfg_set(&cfg, "port", "/dev/vport1p1", err,
	    sizeof(err)), 0);
	assert_string_equal(cfg.port, "/dev/vport1p1");
	assert_int_equal(agent_cfg_set(&cfg, "port", "", err, sizeof(err)),
	    -EINVAL);
}

static void
cfg_virtio(struct agent_cfg *cfg)
{
	agent_cfg_defaults(cfg);
	snprintf(cfg->proc_root, sizeof(cfg->proc_root), "%s",
	    FIX "linux-6.1-noswap");
	cfg->psi.enable = false;
	cfg->transport = AGENT_TR_VIRTIO;
	snprintf(cfg->port, sizeof(cfg->port), "%s", fifo);
	cfg->interval_ms = cfg->interval_max_ms = 20;
	cfg->report.heartbeat_ms = 20;
}

/* Run the loop for ms milliseconds; returns the number of steps. */
static unsigned
run_for(uint64_t ms)
{
	uint64_t t0 = mtime_ms();
	unsigned steps = 0;

	while (mtime_ms() - t0 < ms) {
		assert_int_equal(agent_step(&ag, NULL), 0);
		steps++;
	}
	return steps;
}

/*
 * The loop over the port: sampling goes on while no host is there, the
 * first record follows the host's arrival within the backoff, a full port
 * neither blocks nor spins the loop, and every line decodes.
 */
static void
test_agent_loop_virtio(void **state)
{
	static char buf[1 << 20];
	struct cg_record rec;
	struct agent_cfg cfg;
	uint64_t s0;
	size_t n, i, len;
	char *nl;
	int h;

	(void)state;
	cfg_virtio(&cfg);
	assert_int_equal(agent_init(&ag, &cfg, -1), 0);
	/* no reader: ENXIO, backoff; sampling on, no busy loop */
	assert_in_range(run_for(300), 3, 40);
	assert_in_range(ag.samples, 3, 20);
	assert_int_equal(ag.publishes, 0);
	assert_false(agent_pub_up(&ag.pub));
	h = host_open();
	assert_int_equal(fcntl(h, F_SETPIPE_SZ, 4096), 4096);
	run_for(VPORT_BACKOFF_MAX_MS / 8 + 400);
	assert_true(agent_pub_up(&ag.pub));
	assert_true(ag.publishes >= 1);
	/* stop reading: the pipe fills, records are dropped, loop paced */
	run_for(1500);
	s0 = ag.samples;
	assert_in_range(run_for(300), 3, 40);	/* paced, not spinning */
	assert_in_range(ag.samples - s0, 3, 20);
	assert_true(ag.pub.vp.dropped > 0);
	assert_true(agent_pub_up(&ag.pub));
	n = host_read(h, buf, sizeof(buf), 100);
	for (i = 0; i < n; i += len + 1) {
		nl = memchr(buf + i, '\n', n - i);
		assert_non_null(nl);
		len = (size_t)(nl - (buf + i));
		assert_int_equal(record_decode(buf + i, len, &rec, NULL), 0);
	}
	assert_true(n > 0);
	agent_fini(&ag);
	close(h);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_line, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_host_backoff, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_full_port, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_host_gone, setup,
		    teardown),
		cmocka_unit_test(test_transport_rule),
		cmocka_unit_test_setup_teardown(test_agent_loop_virtio, setup,
		    teardown),
	};

	signal(SIGPIPE, SIG_IGN);	/* as cagma-agent's main() */
	log_init(LOGDEST_STDERR, 0, "test_agent_vport");
	return cmocka_run_group_tests_name("agent_vport", tests, NULL, NULL);
}
