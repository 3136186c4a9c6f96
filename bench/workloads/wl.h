/*
 * wl.h - helpers shared by the in-guest lab workloads (bench/workloads/):
 * strict argument parsing, a response-time accumulator, a small PRNG.
 *
 * The workloads run inside PV guests of the Xen lab and print one
 * "key=value" summary line each; the lab scripts parse those lines.
 */
#ifndef CAGMA_WL_H
#define CAGMA_WL_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#define WL_SAMPLES_MAX	8192	/* response times kept for percentiles */

/* Response times in microseconds; zero-initialise before use. */
struct wl_stats {
	uint64_t n;
	uint64_t sum_us;
	uint64_t max_us;
	uint32_t kept;
	uint64_t sample_us[WL_SAMPLES_MAX];
};

/*
 * Parse argument s (trusted: our own command line) as a decimal in
 * [min, max].  Prints "prog: name: bad value" to stderr on failure.
 * Returns 0 or -EINVAL / -ERANGE; *out is written only on success.
 */
int wl_arg_u64(const char *prog, const char *name, const char *s,
    uint64_t min, uint64_t max, uint64_t *out);

/* Add one response time; keeps the first WL_SAMPLES_MAX for percentiles. */
void wl_stats_add(struct wl_stats *st, uint64_t us);

/*
 * Percentile pct (0..100) of the kept samples in microseconds, 0 if none.
 * Sorts the kept samples in place.
 */
uint64_t wl_stats_pct_us(struct wl_stats *st, unsigned int pct);

/* Mean in microseconds, 0 if no samples. */
uint64_t wl_stats_mean_us(const struct wl_stats *st);

/* Print " key=MS.mmm" (microseconds shown as milliseconds) to stdout. */
void wl_print_ms(const char *key, uint64_t us);

/*
 * Set by SIGTERM or SIGINT once wl_stop_on_signals() ran: the workloads
 * check it between batches, stop, and still print their summary line (the
 * lab runs tasks for as many phases as a scenario keeps them, then stops
 * them with SIGTERM).  Handlers are installed without SA_RESTART.
 */
extern volatile sig_atomic_t wl_stop;
void wl_stop_on_signals(void);

/* xorshift64*: *state must be non-zero.  Not for cryptography. */
uint64_t wl_rand64(uint64_t *state);

#endif
