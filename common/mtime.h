/*
 * mtime.h - monotonic time helpers (CLOCK_MONOTONIC; never wall time).
 */
#ifndef CAGMA_MTIME_H
#define CAGMA_MTIME_H

#include <stdint.h>
#include <time.h>

/* Monotonic clock in ns / us / ms since an arbitrary origin.  Cannot fail. */
uint64_t mtime_ns(void);
uint64_t mtime_us(void);
uint64_t mtime_ms(void);

/* Convert milliseconds to a struct timespec (for timerfd, ppoll). */
struct timespec mtime_ms_to_ts(uint64_t ms);

/* Elapsed ms from then_ms to now_ms, 0 if the clock went "backwards". */
static inline uint64_t
mtime_since_ms(uint64_t now_ms, uint64_t then_ms)
{
	return now_ms > then_ms ? now_ms - then_ms : 0;
}

#endif
