/*
 * mtime.c - monotonic time helpers.
 */
#include "mtime.h"

uint64_t
mtime_ns(void)
{
	struct timespec ts;

	/* CLOCK_MONOTONIC cannot fail with a valid pointer. */
	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

uint64_t
mtime_us(void)
{
	return mtime_ns() / 1000ULL;
}

uint64_t
mtime_ms(void)
{
	return mtime_ns() / 1000000ULL;
}

struct timespec
mtime_ms_to_ts(uint64_t ms)
{
	struct timespec ts;

	ts.tv_sec = (time_t)(ms / 1000);
	ts.tv_nsec = (long)((ms % 1000) * 1000000);
	return ts;
}
