/*
 * sched.c - round pacing, reconnect backoff and emergency ordering (pure).
 */
#include <string.h>

#include "sched.h"

void
sched_init(struct sched *s, uint64_t period_ms, uint64_t coalesce_ms)
{
	memset(s, 0, sizeof(*s));
	s->period_ms = period_ms;
	s->coalesce_ms = coalesce_ms;
}

void
sched_note_record(struct sched *s)
{
	s->pending = true;
}

static uint64_t
sched_next_ms(const struct sched *s)
{
	uint64_t next = s->last_ms + s->period_ms;

	if (s->pending && s->last_ms + s->coalesce_ms < next)
		next = s->last_ms + s->coalesce_ms;
	return next;
}

bool
sched_due(const struct sched *s, uint64_t now_ms)
{
	return !s->primed || now_ms >= sched_next_ms(s);
}

void
sched_done(struct sched *s, uint64_t now_ms)
{
	s->last_ms = now_ms;
	s->pending = false;
	s->primed = true;
}

uint64_t
sched_timeout_ms(const struct sched *s, uint64_t now_ms)
{
	uint64_t next;

	if (!s->primed)
		return 0;
	next = sched_next_ms(s);
	return next > now_ms ? next - now_ms : 0;
}

void
sched_backoff_start(struct sched_backoff *b, uint64_t now_ms)
{
	b->delay_ms = SCHED_BACKOFF_MIN_MS;
	b->next_ms = now_ms + b->delay_ms;
	b->since_ms = now_ms;
	b->attempts = 0;
}

void
sched_backoff_fail(struct sched_backoff *b, uint64_t now_ms)
{
	b->delay_ms *= 2;
	if (b->delay_ms > SCHED_BACKOFF_MAX_MS)
		b->delay_ms = SCHED_BACKOFF_MAX_MS;
	if (b->delay_ms < SCHED_BACKOFF_MIN_MS)
		b->delay_ms = SCHED_BACKOFF_MIN_MS;	/* never started */
	b->next_ms = now_ms + b->delay_ms;
	b->attempts++;
}

bool
sched_backoff_due(const struct sched_backoff *b, uint64_t now_ms)
{
	return now_ms >= b->next_ms;
}

uint64_t
sched_backoff_timeout_ms(const struct sched_backoff *b, uint64_t now_ms)
{
	return b->next_ms > now_ms ? b->next_ms - now_ms : 0;
}

/* See sched.h. */
size_t
sched_order_emergency(const struct sched_etarget *e, size_t n,
    uint64_t host_avail_kb, struct vm_target *out)
{
	uint64_t left = host_avail_kb, grow;
	size_t i, nout = 0, lead = 0;

	/* 1: urgent targets the host covers now, in order */
	for (i = 0; i < n; i++) {
		if (!e[i].urgent)
			continue;
		grow = e[i].t.target_kb > e[i].from_kb ?
		    e[i].t.target_kb - e[i].from_kb : 0;
		if (grow <= left) {
			left -= grow;
			out[nout++] = e[i].t;
		}
	}
	/* 2: the other domains' leading shrinks (the donors) */
	for (i = 0; i < n; i++) {
		if (e[i].urgent)
			continue;
		if (e[i].t.target_kb >= e[i].from_kb)
			break;
		out[nout++] = e[i].t;
		lead++;
	}
	/* 3: urgent grows that wait for the donors (pass 1 again, its rest) */
	left = host_avail_kb;
	for (i = 0; i < n; i++) {
		if (!e[i].urgent)
			continue;
		grow = e[i].t.target_kb > e[i].from_kb ?
		    e[i].t.target_kb - e[i].from_kb : 0;
		if (grow <= left)
			left -= grow;
		else
			out[nout++] = e[i].t;
	}
	/* 4: the other shrinks, after the leading ones; no other grows */
	for (i = 0; i < n; i++) {
		if (e[i].urgent)
			continue;
		if (lead > 0) {
			lead--;
			continue;
		}
		if (e[i].t.target_kb < e[i].from_kb)
			out[nout++] = e[i].t;
	}
	return nout;
}
