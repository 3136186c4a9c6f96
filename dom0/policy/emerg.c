/*
 * emerg.c - the emergency queue and the host-wide emergency budget (see
 * emerg.h).  Pure.
 */
#include <stddef.h>
#include <stdint.h>

#include "emerg.h"

/* See emerg.h. */
void
emerg_init(struct emerg *e, uint32_t *ids, size_t cap)
{
	*e = (struct emerg){ .ids = ids, .cap = cap };
}

/* See emerg.h. */
bool
emerg_push(struct emerg *e, struct dom *d)
{
	if (d->emerg_queued)
		return true;
	if (e->n >= e->cap)
		return false;
	e->ids[(e->head + e->n) % e->cap] = d->domid;
	e->n++;
	d->emerg_queued = true;
	return true;
}

/* See emerg.h. */
bool
emerg_intake(struct emerg *e, struct sched *s, struct dom *d,
    enum dom_intake verdict)
{
	switch (verdict) {
	case DOM_INTAKE_URGENT:
		if (!emerg_push(e, d)) {
			d->urgent = false;
			sched_note_record(s);
		}
		return true;
	case DOM_INTAKE_NORMAL:
		sched_note_record(s);
		return true;
	case DOM_INTAKE_REJECTED:
	case DOM_INTAKE_SAME:
		break;
	}
	return false;
}

/* See emerg.h. */
size_t
emerg_pending(const struct emerg *e)
{
	return e->n;
}

/*
 * Tokens in the bucket at now_ms, and the refill clock that goes with
 * them (*last_out).  A full bucket restarts the clock: tokens are not
 * saved up beyond EMERG_BURST.
 */
static uint32_t
emerg_tokens(const struct emerg *e, uint64_t now_ms, uint64_t *last_out)
{
	uint64_t add;

	if (!e->primed) {
		*last_out = now_ms;
		return EMERG_BURST;
	}
	*last_out = e->last_ms;
	if (now_ms <= e->last_ms)
		return e->tokens;
	add = (now_ms - e->last_ms) / EMERG_INTERVAL_MS;
	if ((uint64_t)e->tokens + add >= EMERG_BURST) {
		*last_out = now_ms;
		return EMERG_BURST;
	}
	*last_out = e->last_ms + add * EMERG_INTERVAL_MS;
	return e->tokens + (uint32_t)add;
}

/* See emerg.h. */
bool
emerg_due(const struct emerg *e, uint64_t now_ms)
{
	uint64_t last;

	return e->n > 0 && emerg_tokens(e, now_ms, &last) > 0;
}

/* See emerg.h. */
size_t
emerg_take(struct emerg *e, struct dom_table *t, uint64_t now_ms,
    uint32_t *out, size_t max)
{
	uint32_t tokens, domid;
	uint64_t last;
	struct dom *d;
	size_t nout = 0;

	if (e->n == 0)
		return 0;
	tokens = emerg_tokens(e, now_ms, &last);
	if (tokens == 0) {
		e->deferred++;
		return 0;
	}
	while (e->n > 0 && nout < max) {
		domid = e->ids[e->head];
		e->head = (e->head + 1) % e->cap;
		e->n--;
		d = dom_find(t, domid);
		if (d == NULL || !d->emerg_queued)
			continue;	/* removed (and maybe re-added) since */
		d->emerg_queued = false;
		d->urgent = false;
		out[nout++] = domid;
	}
	if (nout == 0)
		return 0;	/* only stale entries: no round, no token */
	e->tokens = tokens - 1;
	e->last_ms = last;
	e->primed = true;
	e->rounds++;
	e->served += nout;
	return nout;
}

/* See emerg.h. */
uint64_t
emerg_timeout_ms(const struct emerg *e, uint64_t now_ms)
{
	uint64_t last, next;

	if (e->n == 0)
		return UINT64_MAX;
	if (emerg_tokens(e, now_ms, &last) > 0)
		return 0;
	next = last + EMERG_INTERVAL_MS;
	return next > now_ms ? next - now_ms : 0;
}
