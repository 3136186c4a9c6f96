/*
 * wl.c - helpers shared by the in-guest lab workloads.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "num.h"
#include "wl.h"

/* See wl.h. */
int
wl_arg_u64(const char *prog, const char *name, const char *s, uint64_t min,
    uint64_t max, uint64_t *out)
{
	uint64_t v;
	int rc;

	rc = num_parse_u64(s, strlen(s), min, max, &v);
	if (rc < 0) {
		fprintf(stderr, "%s: %s: bad value \"%s\" (want %llu..%llu)\n",
		    prog, name, s, (unsigned long long)min,
		    (unsigned long long)max);
		return rc;
	}
	*out = v;
	return 0;
}

/* See wl.h. */
void
wl_stats_add(struct wl_stats *st, uint64_t us)
{
	st->n++;
	st->sum_us += us;
	if (us > st->max_us)
		st->max_us = us;
	if (st->kept < WL_SAMPLES_MAX)
		st->sample_us[st->kept++] = us;
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* See wl.h. */
uint64_t
wl_stats_pct_us(struct wl_stats *st, unsigned int pct)
{
	size_t idx;

	if (st->kept == 0)
		return 0;
	if (pct > 100)
		pct = 100;
	qsort(st->sample_us, st->kept, sizeof(st->sample_us[0]), cmp_u64);
	idx = ((size_t)st->kept - 1) * pct / 100;
	return st->sample_us[idx];
}

/* See wl.h. */
uint64_t
wl_stats_mean_us(const struct wl_stats *st)
{
	return st->n ? st->sum_us / st->n : 0;
}

/* See wl.h. */
uint64_t
wl_rand64(uint64_t *state)
{
	uint64_t x = *state;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*state = x;
	return x * 0x2545F4914F6CDD1DULL;
}

void
wl_print_ms(const char *key, uint64_t us)
{
	printf(" %s=%llu.%03llu", key, (unsigned long long)(us / 1000),
	    (unsigned long long)(us % 1000));
}

volatile sig_atomic_t wl_stop;

static void
on_stop(int sig)
{
	(void)sig;
	wl_stop = 1;
}

/* See wl.h. */
void
wl_stop_on_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
}
