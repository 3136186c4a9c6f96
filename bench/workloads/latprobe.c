/*
 * cagma-latprobe - the in-guest half of the real-Xen emergency latency
 * benchmark (make bench-latency-xen, bench/lab/share/job-latency.sh).
 *
 * usage: cagma-latprobe CYCLES OVER_MIB POLL_MS GROW_MIB
 * First waits until cagmad has settled the domain (no swap-in and no
 * MemTotal change for 2 s) and populates a base set of MemAvailable less
 * 24 MiB, kept to the end.  Each of CYCLES pressure events then waits for
 * calm again, populates a chunk of MemAvailable + OVER_MIB (MAP_POPULATE:
 * the kernel swaps the base set's oldest pages out) and re-touches the
 * base set from its start, so the guest swaps in until its MemTotal has
 * grown by GROW_MIB (cagmad grew the domain) or 60 s passed; then unmaps
 * the chunk, and cagmad shrinks the domain back: the next cycle waits for
 * that (MemTotal back within OVER_MIB + GROW_MIB of what it was once the
 * base set was in place, at most 180 s).  A monitor thread reads
 * /proc/vmstat and MemTotal every POLL_MS and reports to xenstore, where
 * dom0 timestamps the watch events on its own clock (cagma-latwatch):
 *   data/lab/probe/swapin   = "CYCLE PSWPIN"  first swap-in of a cycle
 *   data/lab/probe/memtotal = "CYCLE KB"      every MemTotal change, and
 *                                             once as a cycle starts
 * The monitor locks its memory (mlockall) so that it is not swapped out.
 * One line per cycle on stdout:
 *   cycle N chunk_mib=M grown=0|1 memtotal0=KB memtotal1=KB t_ms=T
 * Detection resolution: POLL_MS (plus the poll's own time under TCG).
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#include <xenstore.h>

#include "mtime.h"
#include "wl.h"

#define PAGE_BYTES	4096
#define QUIET_MS	2000	/* no swap-in this long: calm */
#define CYCLE_MAX_MS	60000
#define BASE_MARGIN_MIB	24	/* base set: MemAvailable less this */
#define SHRUNK_MAX_MS	180000	/* wait this long for the shrink back */

struct probe {
	struct xs_handle *xsh;
	uint64_t poll_ms;
	atomic_uint_fast64_t pswpin;	/* last read */
	atomic_uint_fast64_t memtotal_kb;
	atomic_uint_fast64_t memavail_kb;
	atomic_uint_fast64_t last_swapin_ms;
	atomic_uint_fast64_t last_mt_ms;	/* last MemTotal change */
	atomic_uint_fast64_t armed;	/* cycle waiting for its swap-in */
	atomic_uint_fast64_t base;	/* pswpin at arming */
	atomic_uint_fast64_t cur;	/* current cycle */
	atomic_int stop;
};

/* Value of "name" (with its trailing space or colon) in buf, or 0. */
static uint64_t
field(const char *buf, const char *name)
{
	const char *p = strstr(buf, name);

	if (p == NULL)
		return 0;
	p += strlen(name);
	while (*p == ' ')
		p++;
	return strtoull(p, NULL, 10);
}

static int
read_file(int fd, char *buf, size_t cap)
{
	ssize_t n = pread(fd, buf, cap - 1, 0);

	if (n < 0)
		return -errno;
	buf[n] = '\0';
	return 0;
}

static void
report(struct probe *p, const char *key, uint64_t cycle, uint64_t v)
{
	char path[64], val[48];

	(void)snprintf(path, sizeof(path), "data/lab/probe/%s", key);
	(void)snprintf(val, sizeof(val), "%llu %llu",
	    (unsigned long long)cycle, (unsigned long long)v);
	if (!xs_write(p->xsh, XBT_NULL, path, val, (unsigned int)strlen(val)))
		perror("cagma-latprobe: xs_write");
}

static void *
monitor(void *arg)
{
	struct probe *p = arg;
	static char vm[8192], mi[4096];
	int fv = open("/proc/vmstat", O_RDONLY), fm = open("/proc/meminfo",
	    O_RDONLY);
	uint64_t sw, mt, armed, last_armed = 0, last_mt = 0;

	while (!atomic_load(&p->stop) && fv >= 0 && fm >= 0) {
		if (read_file(fv, vm, sizeof(vm)) == 0 &&
		    read_file(fm, mi, sizeof(mi)) == 0) {
			sw = field(vm, "\npswpin ");
			mt = field(mi, "MemTotal:");
			if (sw != atomic_load(&p->pswpin))
				atomic_store(&p->last_swapin_ms, mtime_ms());
			atomic_store(&p->pswpin, sw);
			atomic_store(&p->memavail_kb, field(mi,
			    "MemAvailable:"));
			armed = atomic_load(&p->armed);
			if (armed != 0 && armed != last_armed) {
				/* the cycle's baseline, before its swap-in */
				report(p, "memtotal", armed, mt);
				last_armed = armed;
			}
			if (armed != 0 && sw > atomic_load(&p->base)) {
				report(p, "swapin", armed, sw);
				atomic_store(&p->armed, 0);
			}
			if (mt != last_mt) {
				atomic_store(&p->last_mt_ms, mtime_ms());
				atomic_store(&p->memtotal_kb, mt);
				if (last_mt != 0)
					report(p, "memtotal",
					    atomic_load(&p->cur), mt);
				last_mt = mt;
			}
		}
		(void)nanosleep(&(struct timespec){ 0,
		    (long)(p->poll_ms * 1000000) }, NULL);
	}
	return NULL;
}

static void
sleep_ms(uint64_t ms)
{
	struct timespec ts = mtime_ms_to_ts(ms);

	(void)nanosleep(&ts, NULL);
}

/* Wait (at most CYCLE_MAX_MS) until no swap-in and no MemTotal change
   for QUIET_MS: cagmad has settled the domain. */
static void
wait_calm(struct probe *p)
{
	uint64_t t0 = mtime_ms(), last;

	while (!wl_stop && mtime_ms() - t0 < CYCLE_MAX_MS) {
		last = atomic_load(&p->last_swapin_ms);
		if (atomic_load(&p->last_mt_ms) > last)
			last = atomic_load(&p->last_mt_ms);
		if (mtime_ms() - last >= QUIET_MS)
			return;
		sleep_ms(100);
	}
}

/*
 * Before a cycle: wait (at most SHRUNK_MAX_MS) until cagmad has shrunk the
 * domain back to about its size with the base set (MemTotal <= limit_kb).
 * A cycle started at a larger MemTotal would size its chunk to fill it,
 * and one started at maxmem swaps in with nothing left to grant (the first
 * run of this benchmark: the guest stayed at maxmem, 0 target writes in
 * 20 cycles).  Returns whether it was shrunk back.
 */
static bool
wait_shrunk(struct probe *p, uint64_t limit_kb)
{
	uint64_t t0 = mtime_ms();

	while (!wl_stop && atomic_load(&p->memtotal_kb) > limit_kb) {
		if (mtime_ms() - t0 >= SHRUNK_MAX_MS)
			return false;
		sleep_ms(100);
	}
	return true;
}

/* An anonymous mapping of mib MiB, populated (the kernel makes room by
   swapping the oldest anonymous pages out); NULL on failure. */
static void *
populate(uint64_t mib)
{
	void *m = mmap(NULL, mib << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE |
	    MAP_ANONYMOUS | MAP_POPULATE, -1, 0);

	if (m == MAP_FAILED) {
		perror("cagma-latprobe: mmap");
		return NULL;
	}
	return m;
}

/*
 * One pressure event.  base (base_mib, populated once before the first
 * cycle) holds nearly all the guest's memory; the cycle populates a chunk
 * of MemAvailable + over_mib, which pushes base's oldest pages to swap,
 * then re-touches base from its start (swap-ins) until MemTotal grew by
 * grow_kb or CYCLE_MAX_MS passed, and unmaps the chunk so that cagmad
 * shrinks the domain back.  Returns whether it grew, or -1.
 */
static int
cycle(struct probe *p, uint64_t n, volatile unsigned char *base,
    uint64_t base_mib, uint64_t base_mt_kb, uint64_t over_mib,
    uint64_t grow_kb)
{
	uint64_t t0, mt0, mib, off;
	void *chunk;
	int grown = 0;
	bool shrunk;

	shrunk = wait_shrunk(p, base_mt_kb + (over_mib << 10) + grow_kb);
	wait_calm(p);
	mt0 = atomic_load(&p->memtotal_kb);
	mib = atomic_load(&p->memavail_kb) / 1024 + over_mib;
	atomic_store(&p->cur, n);
	atomic_store(&p->base, atomic_load(&p->pswpin));
	atomic_store(&p->armed, n);
	t0 = mtime_ms();
	chunk = populate(mib);
	if (chunk == NULL)
		return -1;
	while (!grown && !wl_stop && mtime_ms() - t0 < CYCLE_MAX_MS) {
		for (off = 0; off < (base_mib << 20) && !grown;
		    off += PAGE_BYTES) {
			base[off]++;
			if ((off & ((1u << 20) - 1)) == 0)
				grown = atomic_load(&p->memtotal_kb) >=
				    mt0 + grow_kb;
		}
	}
	(void)munmap(chunk, mib << 20);
	printf("cycle %llu chunk_mib=%llu grown=%d shrunk_before=%d "
	    "memtotal0=%llu memtotal1=%llu t_ms=%llu\n",
	    (unsigned long long)n, (unsigned long long)mib, grown, shrunk,
	    (unsigned long long)mt0,
	    (unsigned long long)atomic_load(&p->memtotal_kb),
	    (unsigned long long)(mtime_ms() - t0));
	fflush(stdout);
	atomic_store(&p->armed, 0);
	return grown;
}

/* The base working set: what the settled guest has available, less a
   margin, populated once. */
static volatile unsigned char *
base_set(struct probe *p, uint64_t *mib_out, uint64_t *mt_out)
{
	uint64_t avail_mib;
	void *m;

	wait_calm(p);
	avail_mib = atomic_load(&p->memavail_kb) / 1024;
	*mib_out = avail_mib > BASE_MARGIN_MIB + 16 ? avail_mib -
	    BASE_MARGIN_MIB : 16;
	printf("base mib=%llu memtotal=%llu\n", (unsigned long long)*mib_out,
	    (unsigned long long)atomic_load(&p->memtotal_kb));
	fflush(stdout);
	m = populate(*mib_out);
	wait_calm(p);		/* cagmad has sized the domain for it */
	*mt_out = atomic_load(&p->memtotal_kb);
	return m;
}

int
main(int argc, char **argv)
{
	static struct probe p;
	uint64_t cycles, over, grow, n = 1, base_mib = 0, base_mt = 0;
	volatile unsigned char *base;
	pthread_t th;

	if (argc != 5 ||
	    wl_arg_u64("cagma-latprobe", "CYCLES", argv[1], 1, 10000, &cycles) ||
	    wl_arg_u64("cagma-latprobe", "OVER_MIB", argv[2], 1, 65536, &over) ||
	    wl_arg_u64("cagma-latprobe", "POLL_MS", argv[3], 1, 1000,
	    &p.poll_ms) ||
	    wl_arg_u64("cagma-latprobe", "GROW_MIB", argv[4], 1, 65536, &grow)) {
		fprintf(stderr, "usage: cagma-latprobe CYCLES OVER_MIB POLL_MS "
		    "GROW_MIB\n");
		return 1;
	}
	wl_stop_on_signals();
	p.xsh = xs_open(0);
	if (p.xsh == NULL) {
		perror("cagma-latprobe: xs_open");
		return 1;
	}
	if (pthread_create(&th, NULL, monitor, &p) != 0) {
		fprintf(stderr, "cagma-latprobe: pthread_create failed\n");
		return 1;
	}
	/* after the thread exists: its stack is locked too, the big
	   mappings of the cycles (later) are not */
	if (mlockall(MCL_CURRENT) != 0)
		perror("cagma-latprobe: mlockall");
	sleep_ms(3 * p.poll_ms + 100);
	base = base_set(&p, &base_mib, &base_mt);
	for (n = 1; base != NULL && n <= cycles && !wl_stop; n++)
		if (cycle(&p, n, base, base_mib, base_mt, over,
		    grow << 10) < 0)
			break;
	atomic_store(&p.stop, 1);
	(void)pthread_join(th, NULL);
	xs_close(p.xsh);
	printf("latprobe done cycles=%llu\n", (unsigned long long)(n - 1));
	return 0;
}
