/*
 * test_chan.c - cagmad's agent-channel reader (dom0/chan.c): the pure line
 * framer (table: split lines, partial lines, empty lines, the exact
 * maximum, over-long lines discarded to the next '\n', NUL bytes, any
 * chunking gives the same lines), the rate limit and the bounded work per
 * call over a socketpair, EOF and reconnect with backoff against a
 * listening unix socket standing in for QEMU's.
 */
#include <errno.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <cmocka.h>

#include "chan.h"
#include "log.h"
#include "sockfix.h"

#define MAXL	CG_RECORD_MAX_LEN

/* Collects what the sink got: lines joined by '|', over-long as '#'. */
struct got {
	char text[16384];
	size_t len;
	unsigned lines, oversize;
	size_t longest;
};

static void
got_line(void *ctx, const char *untrusted, size_t len)
{
	struct got *g = ctx;

	assert_true(len <= MAXL);
	assert_null(memchr(untrusted, '\n', len));
	if (len > g->longest)
		g->longest = len;
	if (g->len + len + 1 < sizeof(g->text)) {
		memcpy(g->text + g->len, untrusted, len);
		g->len += len;
		g->text[g->len++] = '|';
		g->text[g->len] = '\0';
	}
	g->lines++;
}

static void
got_oversize(void *ctx)
{
	struct got *g = ctx;

	if (g->len + 2 < sizeof(g->text)) {
		g->text[g->len++] = '#';
		g->text[g->len] = '\0';
	}
	g->oversize++;
}

static struct chan_sink
sink_for(struct got *g)
{
	memset(g, 0, sizeof(*g));
	return (struct chan_sink){ got_line, got_oversize, g };
}

static char big[4 * MAXL + 64];

/* "x" * n into big, then the tail. */
static size_t
mkbig(size_t n, const char *tail)
{
	memset(big, 'x', n);
	memcpy(big + n, tail, strlen(tail));
	return n + strlen(tail);
}

static void
test_framer_table(void **state)
{
	static const struct {
		const char *in;
		const char *want;	/* lines '|', over-long '#' */
		size_t held;		/* bytes left in the buffer */
	} t[] = {
		{ "", "", 0 },
		{ "a\nb\n", "a|b|", 0 },
		{ "abc", "", 3 },
		{ "abc\ndef", "abc|", 3 },
		{ "\n\n", "||", 0 },
		{ "v=1 seq=1\r\n", "v=1 seq=1\r|", 0 },
		{ "a\n\nb", "a||", 1 },
	};
	struct chan_framer f;
	struct chan_sink s;
	struct got g;
	unsigned ev;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		chan_framer_reset(&f);
		s = sink_for(&g);
		assert_int_equal(chan_framer_feed(&f, t[i].in, strlen(t[i].in),
		    100, &s, &ev), strlen(t[i].in));
		assert_string_equal(g.len ? g.text : "", t[i].want);
		assert_int_equal(f.len, t[i].held);
	}
}

static void
test_framer_limits(void **state)
{
	struct chan_framer f;
	struct chan_sink s;
	struct got g;
	unsigned ev;
	size_t n;

	(void)state;
	/* exactly CG_RECORD_MAX_LEN bytes: a line */
	chan_framer_reset(&f);
	s = sink_for(&g);
	n = mkbig(MAXL, "\nok\n");
	assert_int_equal(chan_framer_feed(&f, big, n, 100, &s, &ev), n);
	assert_int_equal(g.lines, 2);
	assert_int_equal(g.longest, MAXL);
	assert_int_equal(g.oversize, 0);
	/* one more: over-long, discarded to the '\n', then back in step */
	chan_framer_reset(&f);
	s = sink_for(&g);
	n = mkbig(MAXL + 1, "\nok\n");
	assert_int_equal(chan_framer_feed(&f, big, n, 100, &s, &ev), n);
	assert_string_equal(g.text, "#ok|");
	/* far over, fed in small pieces: one report, nothing kept */
	chan_framer_reset(&f);
	s = sink_for(&g);
	n = mkbig(4 * MAXL, "");
	for (size_t o = 0; o < n; o += 7)
		chan_framer_feed(&f, big + o, n - o < 7 ? n - o : 7, 100, &s,
		    &ev);
	assert_int_equal(g.oversize, 1);
	assert_true(f.skipping);
	chan_framer_feed(&f, "yy\nok\n", 6, 100, &s, &ev);
	assert_string_equal(g.text, "#ok|");
	assert_int_equal(f.len, 0);
	/* NUL bytes pass through (record_decode rejects them) */
	chan_framer_reset(&f);
	s = sink_for(&g);
	chan_framer_feed(&f, "a\0b\n", 4, 100, &s, &ev);
	assert_int_equal(g.lines, 1);
	assert_int_equal(g.longest, 3);
}

/* max events per call: the rest stays and comes with the next call. */
static void
test_framer_max(void **state)
{
	struct chan_framer f;
	struct chan_sink s;
	struct got g;
	unsigned ev;

	(void)state;
	chan_framer_reset(&f);
	s = sink_for(&g);
	assert_int_equal(chan_framer_feed(&f, "a\nb\nc\nd", 7, 2, &s, &ev),
	    7);
	assert_int_equal(ev, 2);
	assert_string_equal(g.text, "a|b|");
	assert_int_equal(chan_framer_push(&f, 0, 0, &s), 0);
	assert_int_equal(chan_framer_push(&f, 0, 5, &s), 1);
	assert_string_equal(g.text, "a|b|c|");
	assert_int_equal(f.len, 1);
}

/* Any chunking gives what one piece gives. */
static void
test_framer_chunking(void **state)
{
	static const char in[] = "v=1 a=1\nv=1 b=2\n\nzz";
	struct chan_framer f;
	struct chan_sink s;
	struct got g, whole;
	char want[sizeof(whole.text)];
	unsigned ev;
	size_t step, o, n;

	(void)state;
	n = mkbig(MAXL + 5, "\n");
	memcpy(big + n, in, sizeof(in) - 1);
	n += sizeof(in) - 1;
	chan_framer_reset(&f);
	s = sink_for(&whole);
	chan_framer_feed(&f, big, n, 1000, &s, &ev);
	snprintf(want, sizeof(want), "%s", whole.text);
	assert_string_equal(want, "#v=1 a=1|v=1 b=2||");
	for (step = 1; step < 40; step++) {
		chan_framer_reset(&f);
		s = sink_for(&g);
		for (o = 0; o < n; o += step)
			chan_framer_feed(&f, big + o, n - o < step ? n - o :
			    step, 1000, &s, &ev);
		assert_string_equal(g.text, want);
		assert_int_equal(f.len, 2);
	}
}

/* --- the fd part --------------------------------------------------------- */

/* c (path, now_ms) on one end of a new socketpair; the guest's end out. */
static int
chan_paired(struct chan *c, const char *path, uint64_t now_ms)
{
	int sv[2];

	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	assert_int_equal(chan_init(c, path, now_ms), 0);
	assert_int_equal(chan_attach(c, sv[0]), 0);
	return sv[1];
}

static void
test_socketpair_lines(void **state)
{
	struct chan c;
	struct chan_sink s;
	struct got g;
	int peer;

	(void)state;
	peer = chan_paired(&c, "/nonexistent/chan.sock", 1000);
	assert_int_equal(chan_events(&c, 1000), POLLIN);
	s = sink_for(&g);
	assert_int_equal(chan_service(&c, 0, 1000, &s), 0);	/* EAGAIN */
	sockfix_write_all(peer, "v=1 seq=1\nv=1 se", 16);
	assert_int_equal(chan_service(&c, POLLIN, 1000, &s), 1);
	sockfix_write_all(peer, "q=2\n", 4);
	assert_int_equal(chan_service(&c, POLLIN, 1001, &s), 1);
	assert_string_equal(g.text, "v=1 seq=1|v=1 seq=2|");
	assert_int_equal(c.st.bytes, 20);
	assert_int_equal(c.st.lines, 2);
	/* QEMU closes: a partial line is dropped, reconnect with backoff */
	sockfix_write_all(peer, "v=1 part", 8);
	close(peer);
	assert_int_equal(chan_service(&c, POLLIN, 2000, &s), 0);
	assert_int_equal(chan_service(&c, POLLIN, 2000, &s), 0);
	assert_int_equal(c.state, CHAN_DOWN);
	assert_int_equal(c.st.drops, 1);
	assert_int_equal(chan_fd(&c), -1);
	assert_int_equal(chan_events(&c, 2000), 0);
	assert_int_equal(chan_next_ms(&c, 2000), 2000 + CHAN_BACKOFF_MIN_MS);
	assert_int_equal(g.lines, 2);
	/* the path does not exist: the backoff doubles */
	chan_service(&c, 0, 2000 + CHAN_BACKOFF_MIN_MS, &s);
	assert_int_equal(c.state, CHAN_DOWN);
	assert_int_equal(chan_next_ms(&c, 0), 2000 + 3 * CHAN_BACKOFF_MIN_MS);
	chan_close(&c);
}

/*
 * A flood: each call reads at most one buffer and delivers at most the
 * line tokens; past the burst the channel is not polled until the refill.
 */
static void
test_rate_limit(void **state)
{
	static char buf[200 * 16];
	struct chan c;
	struct chan_sink s;
	struct got g;
	uint64_t now = 5000, before;
	unsigned total = 0, calls = 0;
	int peer, ev;
	size_t i;

	(void)state;
	for (i = 0; i < 200; i++)
		memcpy(buf + i * 16, "v=1 seq=1234567\n", 16);
	peer = chan_paired(&c, "/nonexistent/chan.sock", now);
	sockfix_write_all(peer, buf, sizeof(buf));
	s = sink_for(&g);
	while (chan_events(&c, now) == POLLIN) {
		before = c.st.bytes;
		ev = chan_service(&c, POLLIN, now, &s);
		assert_true(c.st.bytes - before <= CHAN_BUF_LEN);
		assert_in_range(ev, 0, CHAN_LINES_BURST);
		total += (unsigned)ev;
		assert_true(++calls < 100);
	}
	assert_int_equal(total, CHAN_LINES_BURST);
	assert_true(c.st.throttled >= 1);
	assert_int_equal(chan_service(&c, POLLIN, now, &s), 0);
	/* the refill: one line per 1000 / CHAN_LINES_PER_S ms */
	assert_int_equal(chan_next_ms(&c, now),
	    now + (1000 + CHAN_LINES_PER_S - 1) / CHAN_LINES_PER_S);
	now += 1000;		/* one second: CHAN_LINES_PER_S more */
	while (chan_events(&c, now) == POLLIN || chan_next_ms(&c, now) <= now)
		total += (unsigned)chan_service(&c, POLLIN, now, &s);
	assert_int_equal(total, CHAN_LINES_BURST + CHAN_LINES_PER_S);
	assert_int_equal(g.lines, total);
	assert_int_equal(g.oversize, 0);
	chan_close(&c);
	close(peer);
}

/* Lines held in the buffer by the line bucket come by the timer alone. */
static void
test_held_lines(void **state)
{
	char buf[45 * 16];
	struct chan c;
	struct chan_sink s;
	struct got g;
	uint64_t now = 100;
	int peer;

	(void)state;
	for (size_t i = 0; i < 45; i++)
		memcpy(buf + i * 16, "v=1 seq=7654321\n", 16);
	peer = chan_paired(&c, "/x", now);
	s = sink_for(&g);
	sockfix_write_all(peer, buf, sizeof(buf)); /* one read takes it all */
	assert_int_equal(chan_service(&c, POLLIN, now, &s), CHAN_LINES_BURST);
	assert_int_equal(c.st.bytes, sizeof(buf));
	assert_int_equal(chan_events(&c, now), 0);
	now = chan_next_ms(&c, now);
	assert_int_equal(chan_service(&c, 0, now, &s), 1);
	now += 1000;
	assert_int_equal(chan_next_ms(&c, now), now);	/* 4 held: due */
	assert_int_equal(chan_service(&c, 0, now, &s), 4);
	assert_int_equal(chan_next_ms(&c, now), UINT64_MAX);
	assert_int_equal(g.lines, 45);
	chan_close(&c);
	close(peer);
}

/* A bytes flood of one endless line: bounded by the byte bucket. */
static void
test_byte_limit(void **state)
{
	static char buf[CHAN_BYTES_BURST * 2];
	struct chan c;
	struct chan_sink s;
	struct got g;
	uint64_t now = 100;
	int peer;

	(void)state;
	memset(buf, 'z', sizeof(buf));
	peer = chan_paired(&c, "/x", now);
	s = sink_for(&g);
	for (int i = 0; i < 1000 && chan_events(&c, now) == POLLIN; i++) {
		if (c.st.bytes < sizeof(buf) / 2)
			sockfix_write_all(peer, buf, CHAN_BUF_LEN);
		chan_service(&c, POLLIN, now, &s);
	}
	assert_int_equal(c.st.bytes, CHAN_BYTES_BURST);
	assert_int_equal(g.oversize, 1);	/* one line, reported once */
	assert_int_equal(g.lines, 0);
	assert_true(chan_next_ms(&c, now) > now);
	chan_close(&c);
	close(peer);
}

/* Against a listening socket, as QEMU's: connect, EOF, reconnect. */
static void
test_connect_reconnect(void **state)
{
	char path[64];
	struct chan c;
	struct chan_sink s;
	struct got g;
	int l, a;

	(void)state;
	sockfix_path(path, sizeof(path), "chan");
	assert_int_equal(chan_init(&c, path, 0), 0);
	s = sink_for(&g);
	chan_service(&c, 0, 0, &s);		/* ENOENT */
	assert_int_equal(c.state, CHAN_DOWN);
	l = sockfix_listen(path, 1);
	chan_service(&c, 0, CHAN_BACKOFF_MIN_MS - 1, &s);
	assert_int_equal(c.state, CHAN_DOWN);	/* not yet due */
	chan_service(&c, 0, CHAN_BACKOFF_MIN_MS, &s);
	assert_int_equal(c.state, CHAN_UP);
	a = accept(l, NULL, NULL);
	assert_true(a >= 0);
	sockfix_write_all(a, "v=1 seq=9\n", 10);
	assert_int_equal(chan_service(&c, POLLIN, 300, &s), 1);
	assert_string_equal(g.text, "v=1 seq=9|");
	assert_int_equal(c.backoff_ms, CHAN_BACKOFF_MIN_MS);
	close(a);
	chan_service(&c, POLLIN, 400, &s);
	assert_int_equal(c.state, CHAN_DOWN);
	chan_service(&c, 0, 400 + CHAN_BACKOFF_MIN_MS, &s);
	assert_int_equal(c.state, CHAN_UP);
	assert_int_equal(c.st.connects, 2);
	chan_close(&c);
	close(l);
	unlink(path);
	assert_int_equal(chan_init(&c, "", 0), -EINVAL);
	memset(big, 'p', 200);
	big[200] = '\0';
	assert_int_equal(chan_init(&c, big, 0), -ENAMETOOLONG);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_framer_table),
		cmocka_unit_test(test_framer_limits),
		cmocka_unit_test(test_framer_max),
		cmocka_unit_test(test_framer_chunking),
		cmocka_unit_test(test_socketpair_lines),
		cmocka_unit_test(test_rate_limit),
		cmocka_unit_test(test_held_lines),
		cmocka_unit_test(test_byte_limit),
		cmocka_unit_test(test_connect_reconnect),
	};

	log_init(LOGDEST_STDERR, 0, "test_chan");
	return cmocka_run_group_tests_name("chan", tests, NULL, NULL);
}
