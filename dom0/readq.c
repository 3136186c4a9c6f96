/*
 * readq.c - quiet-first read queue of domains (see readq.h).
 */
#include "readq.h"

static struct readq_list *
readq_list_of(struct readq *q, const struct dom *d)
{
	return d->rq_class == READQ_QUIET ? &q->quiet : &q->noisy;
}

static void
readq_link(struct readq_list *l, struct dom *d, enum readq_class cls)
{
	d->rq_class = cls;
	d->rq_next = NULL;
	d->rq_prev = l->tail;
	if (l->tail != NULL)
		l->tail->rq_next = d;
	else
		l->head = d;
	l->tail = d;
	l->n++;
}

static void
readq_unlink(struct readq *q, struct dom *d)
{
	struct readq_list *l = readq_list_of(q, d);

	if (d->rq_prev != NULL)
		d->rq_prev->rq_next = d->rq_next;
	else
		l->head = d->rq_next;
	if (d->rq_next != NULL)
		d->rq_next->rq_prev = d->rq_prev;
	else
		l->tail = d->rq_prev;
	d->rq_prev = d->rq_next = NULL;
	d->rq_class = READQ_NONE;
	l->n--;
}

void
readq_init(struct readq *q)
{
	*q = (struct readq){ { NULL, NULL, 0 }, { NULL, NULL, 0 }, 0 };
}

size_t
readq_len(const struct readq *q)
{
	return q->quiet.n + q->noisy.n;
}

bool
readq_has(const struct dom *d)
{
	return d->rq_class != READQ_NONE;
}

void
readq_note(struct readq *q, struct dom *d)
{
	if (d->rq_class == READQ_NONE) {
		readq_link(&q->quiet, d, READQ_QUIET);
	} else if (d->rq_class == READQ_QUIET) {
		readq_unlink(q, d);
		readq_link(&q->noisy, d, READQ_NOISY);
		q->noisy_moves++;
	}
}

struct dom *
readq_pop(struct readq *q)
{
	struct dom *d = q->quiet.head != NULL ? q->quiet.head : q->noisy.head;

	if (d != NULL)
		readq_unlink(q, d);
	return d;
}

void
readq_remove(struct readq *q, struct dom *d)
{
	if (readq_has(d))
		readq_unlink(q, d);
}

void
readq_clear(struct readq *q)
{
	while (readq_pop(q) != NULL)
		;
}
