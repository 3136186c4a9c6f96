/*
 * test_chanset.c - all channels behind one epoll fd (dom0/chanset.c): a
 * flooding guest and a quiet one over socketpairs; one call serves both,
 * the flood bounded, the quiet guest's line delivered in the same call; a
 * throttled channel leaves the epoll set and comes back by its timer; a
 * hang-up does not wake the loop for ever; reconnect through a listening
 * socket is re-armed; del and fini.
 */
#include <errno.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <cmocka.h>

#include "chanset.h"
#include "log.h"
#include "sockfix.h"

struct count {
	unsigned lines, oversize;
};

static void
c_line(void *ctx, const char *untrusted, size_t len)
{
	(void)untrusted;
	(void)len;
	((struct count *)ctx)->lines++;
}

static void
c_oversize(void *ctx)
{
	((struct count *)ctx)->oversize++;
}

/* Is the set's fd readable now? */
static bool
set_ready(const struct chanset *s)
{
	struct pollfd p = { .fd = chanset_fd(s), .events = POLLIN };

	return poll(&p, 1, 0) == 1;
}

static void
test_flood_and_quiet(void **state)
{
	static char flood[300 * 16];
	static struct chan_slot a, b;
	struct count ca = { 0, 0 }, cb = { 0, 0 };
	struct chan_sink sa = { c_line, c_oversize, &ca };
	struct chan_sink sb = { c_line, c_oversize, &cb };
	struct chanset s;
	uint64_t now = 1000;
	int pa[2], pb[2], got;

	(void)state;
	for (size_t i = 0; i < 300; i++)
		memcpy(flood + i * 16, "v=1 seq=1234567\n", 16);
	assert_int_equal(chanset_init(&s), 0);
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, pa), 0);
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, pb), 0);
	assert_int_equal(chanset_add(&s, &a, "/nonexistent/a", &sa, now), 0);
	assert_int_equal(chanset_add(&s, &b, "/nonexistent/b", &sb, now), 0);
	assert_int_equal(chan_attach(&a.ch, pa[0]), 0);
	assert_int_equal(chan_attach(&b.ch, pb[0]), 0);
	assert_int_equal(chanset_next_ms(&s, now), now);	/* arm them */
	assert_int_equal(chanset_service(&s, now), 0);
	assert_false(set_ready(&s));
	assert_int_equal(chanset_next_ms(&s, now), UINT64_MAX);
	sockfix_write_all(pa[1], flood, sizeof(flood));
	sockfix_write_all(pb[1], "v=1 seq=1\n", 10);
	assert_true(set_ready(&s));
	got = chanset_service(&s, now);
	assert_int_equal(cb.lines, 1);		/* the quiet guest: at once */
	assert_in_range(ca.lines, 1, CHAN_LINES_BURST);
	assert_int_equal(got, (int)(ca.lines + cb.lines));
	for (int i = 0; i < 100 && set_ready(&s); i++)
		chanset_service(&s, now);
	assert_int_equal(ca.lines, CHAN_LINES_BURST);	/* then throttled */
	assert_false(set_ready(&s));	/* a's fd out of the set */
	assert_false(a.armed);
	assert_true(b.armed);
	assert_true(chanset_next_ms(&s, now) > now);
	/* the quiet guest still gets through at once while a is throttled */
	sockfix_write_all(pb[1], "v=1 seq=2\n", 10);
	assert_true(set_ready(&s));
	chanset_service(&s, now);
	assert_int_equal(cb.lines, 2);
	/* a comes back by its timer */
	now = chanset_next_ms(&s, now);
	chanset_service(&s, now);
	assert_true(ca.lines > CHAN_LINES_BURST);
	/* a hangs up: it leaves the set, no endless wake-ups */
	close(pa[1]);
	now += 2000;
	for (int i = 0; i < 400; i++) {
		if (!set_ready(&s) && chanset_next_ms(&s, now) > now) {
			if (a.ch.state == CHAN_DOWN)
				break;
			now = chanset_next_ms(&s, now);	/* refill */
		}
		chanset_service(&s, now);
	}
	assert_int_equal(a.ch.state, CHAN_DOWN);
	assert_false(set_ready(&s));
	assert_int_equal(ca.lines, 300);
	chanset_del(&s, &a);
	assert_int_equal(s.n, 1);
	chanset_fini(&s);
	assert_int_equal(s.n, 0);
	close(pb[1]);
}

/* Through a listening socket: connect, lines, QEMU restarts, re-armed. */
static void
test_reconnect_rearm(void **state)
{
	static struct chan_slot a;
	struct count ca = { 0, 0 };
	struct chan_sink sk = { c_line, c_oversize, &ca };
	struct chanset s;
	char path[64];
	uint64_t now = 0;
	int l, c;

	(void)state;
	sockfix_path(path, sizeof(path), "chanset");
	l = sockfix_listen(path, 4);
	assert_int_equal(chanset_init(&s), 0);
	assert_int_equal(chanset_add(&s, &a, path, &sk, now), 0);
	for (int round = 0; round < 3; round++) {
		chanset_service(&s, now);
		assert_int_equal(a.ch.state, CHAN_UP);
		assert_true(a.armed);
		c = accept(l, NULL, NULL);
		assert_true(c >= 0);
		sockfix_write_all(c, "v=1 seq=5\nv=1 seq=6\n", 20);
		assert_true(set_ready(&s));
		chanset_service(&s, now);
		assert_int_equal(ca.lines, 2 * (unsigned)(round + 1));
		close(c);		/* QEMU goes away */
		assert_true(set_ready(&s));
		chanset_service(&s, now);
		assert_int_equal(a.ch.state, CHAN_DOWN);
		assert_false(set_ready(&s));
		now = chanset_next_ms(&s, now);
	}
	assert_int_equal(a.ch.st.connects, 3);
	chanset_fini(&s);
	close(l);
	unlink(path);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_flood_and_quiet),
		cmocka_unit_test(test_reconnect_rearm),
	};

	log_init(LOGDEST_STDERR, 0, "test_chanset");
	return cmocka_run_group_tests_name("chanset", tests, NULL, NULL);
}
