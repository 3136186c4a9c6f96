/*
 * cagma-hog - a memory hog that grows by small steps (like the seed
 * projects' course tests) and keeps its whole set hot.
 *
 * usage: cagma-hog STEP_MIB STEP_MS MAX_MIB HOLD_S
 * Every STEP_MS it maps STEP_MIB more (until MAX_MIB), then writes one
 * byte in every page it holds; after reaching MAX_MIB it keeps re-touching
 * for HOLD_S seconds.  One line per step:
 *   hog t_ms=T mib=M pass_ms=P
 * and a last "hog done mib=M passes=N max_pass_ms=P".
 * Exit status 0, or 1 on bad arguments / allocation failure.
 */
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include <time.h>

#include "mtime.h"
#include "wl.h"

#define PAGE_BYTES	4096
#define MIB_MAX		65536
#define CHUNKS_MAX	4096

struct hog {
	volatile unsigned char *chunk[CHUNKS_MAX];
	size_t nchunks;
	size_t chunk_bytes;
};

static uint64_t
touch_all(struct hog *h)
{
	uint64_t t0 = mtime_us();
	size_t c, off;

	for (c = 0; c < h->nchunks; c++)
		for (off = 0; off < h->chunk_bytes; off += PAGE_BYTES)
			h->chunk[c][off]++;
	return mtime_us() - t0;
}

static void
sleep_ms(uint64_t ms)
{
	struct timespec ts = mtime_ms_to_ts(ms);

	nanosleep(&ts, NULL);
}

int
main(int argc, char **argv)
{
	static struct hog h;
	uint64_t step_mib, step_ms, max_mib, hold_s, t0, pass_us, worst = 0;
	uint64_t passes = 0, hold_end = 0, mib;
	void *p;

	if (argc != 5) {
		fprintf(stderr, "usage: cagma-hog STEP_MIB STEP_MS MAX_MIB HOLD_S\n");
		return 1;
	}
	if (wl_arg_u64("cagma-hog", "STEP_MIB", argv[1], 1, 1024, &step_mib) ||
	    wl_arg_u64("cagma-hog", "STEP_MS", argv[2], 0, 3600000, &step_ms) ||
	    wl_arg_u64("cagma-hog", "MAX_MIB", argv[3], step_mib, MIB_MAX,
	    &max_mib) ||
	    wl_arg_u64("cagma-hog", "HOLD_S", argv[4], 0, 86400, &hold_s))
		return 1;
	if (max_mib / step_mib > CHUNKS_MAX) {
		fprintf(stderr, "cagma-hog: more than %d steps\n", CHUNKS_MAX);
		return 1;
	}
	h.chunk_bytes = (size_t)step_mib << 20;
	t0 = mtime_ms();
	for (;;) {
		mib = h.nchunks * step_mib;
		if (mib + step_mib <= max_mib) {
			p = mmap(NULL, h.chunk_bytes, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
			if (p == MAP_FAILED) {
				perror("cagma-hog: mmap");
				return 1;
			}
			h.chunk[h.nchunks++] = p;
			mib += step_mib;
		} else if (hold_end == 0) {
			hold_end = mtime_ms() + hold_s * 1000;
		}
		pass_us = touch_all(&h);
		passes++;
		if (pass_us > worst)
			worst = pass_us;
		printf("hog t_ms=%llu mib=%llu pass_ms=%llu\n",
		    (unsigned long long)(mtime_ms() - t0),
		    (unsigned long long)mib,
		    (unsigned long long)(pass_us / 1000));
		fflush(stdout);
		if (hold_end && mtime_ms() >= hold_end)
			break;
		sleep_ms(step_ms);
	}
	printf("hog done mib=%llu passes=%llu max_pass_ms=%llu\n",
	    (unsigned long long)mib, (unsigned long long)passes,
	    (unsigned long long)(worst / 1000));
	return 0;
}
