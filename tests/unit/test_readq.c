/*
 * test_readq.c - cagmad's read queue (dom0/readq.c): one entry per domain
 * however often it writes, quiet domains before noisy ones, arrival order
 * in each, removal and clearing leave nothing behind.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "readq.h"

#define NDOMS	8

static struct dom doms[NDOMS];

static void
reset(struct readq *q)
{
	size_t i;

	memset(doms, 0, sizeof(doms));
	for (i = 0; i < NDOMS; i++)
		doms[i].domid = (uint32_t)(i + 1);
	readq_init(q);
}

/* Pop everything; the domids in order, 0-terminated, into out. */
static void
drain(struct readq *q, uint32_t *out, size_t max)
{
	struct dom *d;
	size_t n = 0;

	while ((d = readq_pop(q)) != NULL && n + 1 < max) {
		assert_false(readq_has(d));
		out[n++] = d->domid;
	}
	out[n] = 0;
	assert_int_equal(readq_len(q), 0);
	assert_null(q->quiet.head);
	assert_null(q->noisy.head);
}

static void
test_once_per_domain(void **state)
{
	struct readq q;
	uint32_t got[NDOMS + 1];
	int i;

	(void)state;
	reset(&q);
	for (i = 0; i < 1000; i++)
		readq_note(&q, &doms[2]);	/* a flood: one entry */
	assert_int_equal(readq_len(&q), 1);
	assert_true(readq_has(&doms[2]));
	drain(&q, got, NDOMS + 1);
	assert_int_equal(got[0], 3);
	assert_int_equal(got[1], 0);
	assert_null(readq_pop(&q));
}

static void
test_quiet_first_arrival_order(void **state)
{
	struct readq q;
	uint32_t got[NDOMS + 1];

	(void)state;
	reset(&q);
	/* 1 and 2 write twice before being read: noisy; 3, 4, 5 once */
	readq_note(&q, &doms[0]);
	readq_note(&q, &doms[1]);
	readq_note(&q, &doms[0]);
	readq_note(&q, &doms[2]);
	readq_note(&q, &doms[1]);
	readq_note(&q, &doms[3]);
	readq_note(&q, &doms[4]);
	assert_int_equal(q.quiet.n, 3);
	assert_int_equal(q.noisy.n, 2);
	assert_int_equal(q.noisy_moves, 2);
	drain(&q, got, NDOMS + 1);
	assert_int_equal(got[0], 3);		/* quiet, as they came */
	assert_int_equal(got[1], 4);
	assert_int_equal(got[2], 5);
	assert_int_equal(got[3], 1);		/* then noisy, as they turned */
	assert_int_equal(got[4], 2);
	assert_int_equal(got[5], 0);
}

/* A flooder read is quiet again until it writes twice more. */
static void
test_read_resets_class(void **state)
{
	struct readq q;
	struct dom *d;

	(void)state;
	reset(&q);
	readq_note(&q, &doms[0]);
	readq_note(&q, &doms[0]);
	assert_int_equal(doms[0].rq_class, READQ_NOISY);
	d = readq_pop(&q);
	assert_ptr_equal(d, &doms[0]);
	assert_int_equal(d->rq_class, READQ_NONE);
	readq_note(&q, &doms[0]);
	assert_int_equal(doms[0].rq_class, READQ_QUIET);
	/* a noisy domain stays noisy, at its place, however often more */
	readq_note(&q, &doms[1]);
	readq_note(&q, &doms[1]);
	readq_note(&q, &doms[2]);
	readq_note(&q, &doms[2]);
	readq_note(&q, &doms[1]);
	assert_ptr_equal(q.noisy.head, &doms[1]);
	assert_ptr_equal(q.noisy.tail, &doms[2]);
}

static void
test_remove_and_clear(void **state)
{
	struct readq q;
	uint32_t got[NDOMS + 1];
	size_t i;

	(void)state;
	reset(&q);
	for (i = 0; i < 6; i++)
		readq_note(&q, &doms[i]);
	readq_note(&q, &doms[4]);		/* 5 noisy */
	readq_remove(&q, &doms[0]);		/* head */
	readq_remove(&q, &doms[3]);		/* middle */
	readq_remove(&q, &doms[5]);		/* tail */
	readq_remove(&q, &doms[4]);		/* the only noisy one */
	readq_remove(&q, &doms[4]);		/* not queued: nothing */
	readq_remove(&q, &doms[7]);		/* never queued */
	assert_int_equal(readq_len(&q), 2);
	assert_false(readq_has(&doms[0]));
	assert_null(q.noisy.head);
	assert_null(q.noisy.tail);
	drain(&q, got, NDOMS + 1);
	assert_int_equal(got[0], 2);
	assert_int_equal(got[1], 3);
	assert_int_equal(got[2], 0);

	for (i = 0; i < NDOMS; i++) {
		readq_note(&q, &doms[i]);
		if (i % 2)
			readq_note(&q, &doms[i]);
	}
	readq_clear(&q);
	assert_int_equal(readq_len(&q), 0);
	for (i = 0; i < NDOMS; i++)
		assert_false(readq_has(&doms[i]));
	assert_null(readq_pop(&q));
	readq_note(&q, &doms[6]);		/* usable again */
	assert_ptr_equal(readq_pop(&q), &doms[6]);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_once_per_domain),
		cmocka_unit_test(test_quiet_first_arrival_order),
		cmocka_unit_test(test_read_resets_class),
		cmocka_unit_test(test_remove_and_clear),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
