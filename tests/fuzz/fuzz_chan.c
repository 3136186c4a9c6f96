/*
 * fuzz_chan.c - libFuzzer target for cagmad's agent-channel line framer
 * (dom0/chan.c, the pure part).
 *
 * The first two bytes choose how the rest is cut into reads and how many
 * events each call may deliver; whatever the cut, the framer must deliver
 * exactly what a plain split at '\n' gives (lines of at most
 * CG_RECORD_MAX_LEN bytes; longer ones reported once as over-long) and
 * hold exactly the unterminated rest.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "chan.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Events as text: a line's bytes then 0x01; an over-long line 0x02. */
struct log {
	char *buf;
	size_t len, cap;
};

static void
log_put(struct log *l, const char *p, size_t n, char end)
{
	if (l->len + n + 1 > l->cap)
		abort();
	if (n != 0)
		memcpy(l->buf + l->len, p, n);
	l->len += n;
	l->buf[l->len++] = end;
}

static void
sink_line(void *ctx, const char *untrusted, size_t len)
{
	if (len > CG_RECORD_MAX_LEN || memchr(untrusted, '\n', len) != NULL)
		abort();
	log_put(ctx, untrusted, len, '\x01');
}

static void
sink_oversize(void *ctx)
{
	log_put(ctx, NULL, 0, '\x02');
}

/* The reference: split at '\n'.  Returns the held tail's length. */
static size_t
reference(const char *in, size_t n, struct log *l, size_t *tail_off,
    int *skipping)
{
	size_t s = 0, i;

	for (i = 0; i < n; i++) {
		if (in[i] != '\n')
			continue;
		if (i - s <= CG_RECORD_MAX_LEN)
			log_put(l, in + s, i - s, '\x01');
		else
			log_put(l, NULL, 0, '\x02');
		s = i + 1;
	}
	*tail_off = s;
	*skipping = n - s > CG_RECORD_MAX_LEN;
	if (*skipping) {
		log_put(l, NULL, 0, '\x02');
		return 0;
	}
	return n - s;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct chan_framer f;
	struct log got = { NULL, 0, 0 }, want = { NULL, 0, 0 };
	struct chan_sink sink = { sink_line, sink_oversize, &got };
	const char *in = (const char *)data + 2;
	size_t n, off = 0, cut, tail_off, held, k;
	unsigned step, maxev, ev;
	int skipping;

	if (size < 2)
		return 0;
	step = data[0];
	maxev = (unsigned)(data[1] % 8) + 1;
	n = size - 2;
	got.cap = want.cap = 2 * n + 16;
	got.buf = malloc(got.cap);
	want.buf = malloc(want.cap);
	if (got.buf == NULL || want.buf == NULL)
		abort();
	chan_framer_reset(&f);
	while (off < n) {
		/* cuts from 1 byte to a few buffers, varying */
		cut = 1 + (step * 131 + off * 7) % (3 * CHAN_BUF_LEN);
		if (cut > n - off)
			cut = n - off;
		k = chan_framer_feed(&f, in + off, cut, maxev, &sink, &ev);
		if (ev > maxev || (k == 0 && ev == 0))
			abort();	/* over the limit, or stuck */
		off += k;
		step = step * 33 + 1;
	}
	while (chan_framer_push(&f, 0, maxev, &sink) != 0)
		;
	held = reference(in, n, &want, &tail_off, &skipping);
	if (got.len != want.len || memcmp(got.buf, want.buf, got.len) != 0)
		abort();
	if (f.len != held || (held && memcmp(f.buf, in + tail_off, held)))
		abort();
	if (f.skipping != (skipping != 0))
		abort();
	free(got.buf);
	free(want.buf);
	return 0;
}
