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

static const struct policy_vm *
sched_vm(const struct policy_vm *vms, size_t nvm, uint32_t domid)
{
	size_t i;

	for (i = 0; i < nvm; i++)
		if (vms[i].domid == domid)
			return &vms[i];
	return NULL;
}

int
sched_order_emergency(struct vm_target *t, size_t n, uint32_t urgent_domid,
    const struct policy_vm *vms, size_t nvm, uint64_t host_avail_kb)
{
	struct vm_target urgent;
	const struct policy_vm *vm;
	size_t i, u = n, pos;
	uint64_t grow_kb = 0;

	for (i = 0; i < n; i++)
		if (t[i].domid == urgent_domid) {
			u = i;
			break;
		}
	if (u == n)
		return -1;
	urgent = t[u];
	vm = sched_vm(vms, nvm, urgent_domid);
	if (vm != NULL && urgent.target_kb > vm->target_kb)
		grow_kb = urgent.target_kb - vm->target_kb;
	memmove(&t[u], &t[u + 1], (n - u - 1) * sizeof(*t));
	pos = 0;
	if (grow_kb > host_avail_kb) {
		/* after the leading shrinks (the planner puts donors first) */
		while (pos < n - 1) {
			vm = sched_vm(vms, nvm, t[pos].domid);
			if (vm == NULL || t[pos].target_kb >= vm->target_kb)
				break;
			pos++;
		}
	}
	memmove(&t[pos + 1], &t[pos], (n - 1 - pos) * sizeof(*t));
	t[pos] = urgent;
	return (int)pos;
}
