/*
 * cagma-memtask - the paper's fixed-access memory task ("FixedAccMem").
 *
 * usage: cagma-memtask MIB SECONDS [SEED]
 * Allocates MIB MiB, touches every 4 KiB page once, then runs batches until
 * SECONDS have passed or SIGTERM/SIGINT arrives: one batch writes one
 * byte in each of MIB*256 pages picked at random (4 KiB stride).  Without
 * memory pressure a batch takes milliseconds; when the guest swaps, it
 * takes seconds.  The mapping is populated in one call (MAP_POPULATE):
 * under TCG a PV guest's page faults one by one took ~70 s for 480 MiB.
 * Every WIN_MS of batches it prints a window line (up_ms: CLOCK_MONOTONIC,
 * the guest's uptime, to place the window in the scenario's phases):
 *   memtask_win up_ms=.. batches=N sum_ms=..
 * and at the end one summary line:
 *   memtask mib=M touch_ms=T batches=N mean_ms=.. p50_ms=.. p95_ms=.. max_ms=..
 * Exit status 0, or 1 on bad arguments / allocation failure.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "mtime.h"
#include "wl.h"

#define PAGE_BYTES	4096
#define MIB_MAX		65536	/* 64 GiB */
#define SECONDS_MAX	86400
#define WIN_MS		5000	/* window of the per-window lines */

/* Batches and their total time since the last window line. */
struct win {
	uint64_t start_ms;
	uint64_t n;
	uint64_t sum_us;
};

static void
win_print(struct win *w, uint64_t now)
{
	if (w->n == 0)
		return;
	printf("memtask_win up_ms=%llu batches=%llu", (unsigned long long)now,
	    (unsigned long long)w->n);
	wl_print_ms("sum_ms", w->sum_us);
	printf("\n");
	fflush(stdout);
	w->start_ms = now;
	w->n = 0;
	w->sum_us = 0;
}

static void
win_add(struct win *w, uint64_t us)
{
	uint64_t now = mtime_ms();

	w->n++;
	w->sum_us += us;
	if (now - w->start_ms >= WIN_MS)
		win_print(w, now);
}

static uint64_t
run_batch(volatile unsigned char *mem, uint64_t npages, uint64_t *seed)
{
	uint64_t t0 = mtime_us(), i;

	for (i = 0; i < npages && !wl_stop; i++)
		mem[(wl_rand64(seed) % npages) * PAGE_BYTES]++;
	return mtime_us() - t0;
}

int
main(int argc, char **argv)
{
	static struct wl_stats st;
	struct win w = { 0, 0, 0 };
	uint64_t mib, seconds, seed = 0x9e3779b97f4a7c15ULL, npages, i;
	uint64_t t0_ms, touch_us;
	volatile unsigned char *mem;
	size_t bytes;

	if (argc < 3 || argc > 4) {
		fprintf(stderr, "usage: cagma-memtask MIB SECONDS [SEED]\n");
		return 1;
	}
	if (wl_arg_u64("cagma-memtask", "MIB", argv[1], 1, MIB_MAX, &mib) ||
	    wl_arg_u64("cagma-memtask", "SECONDS", argv[2], 0, SECONDS_MAX,
	    &seconds) ||
	    (argc == 4 && wl_arg_u64("cagma-memtask", "SEED", argv[3], 1,
	    UINT64_MAX, &seed)))
		return 1;
	seed ^= (uint64_t)getpid() << 32;
	if (seed == 0)
		seed = 1;
	bytes = (size_t)mib << 20;
	npages = bytes / PAGE_BYTES;
	wl_stop_on_signals();
	t0_ms = mtime_ms();
	mem = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (mem == MAP_FAILED) {
		perror("cagma-memtask: mmap");
		return 1;
	}
	for (i = 0; i < npages && !wl_stop; i++)
		mem[i * PAGE_BYTES] = (unsigned char)i;
	touch_us = mtime_ms() * 1000 - t0_ms * 1000;
	w.start_ms = mtime_ms();
	while (!wl_stop && mtime_ms() - t0_ms < seconds * 1000) {
		uint64_t us = run_batch(mem, npages, &seed);

		wl_stats_add(&st, us);
		win_add(&w, us);
	}
	win_print(&w, mtime_ms());
	printf("memtask mib=%llu batches=%llu", (unsigned long long)mib,
	    (unsigned long long)st.n);
	wl_print_ms("touch_ms", touch_us);
	wl_print_ms("mean_ms", wl_stats_mean_us(&st));
	wl_print_ms("p50_ms", wl_stats_pct_us(&st, 50));
	wl_print_ms("p95_ms", wl_stats_pct_us(&st, 95));
	wl_print_ms("max_ms", st.max_us);
	printf("\n");
	return 0;
}
