/*
 * cagma-disktask - the paper's disk task ("FixedAccDisk").
 *
 * usage: cagma-disktask PATH SIZE_MIB SECONDS [SEED]
 * Opens PATH (a file, created and preallocated, or a block device) with
 * O_DIRECT|O_SYNC and, until SECONDS have passed or SIGTERM/SIGINT
 * arrives, runs transactions of
 * three 2 MiB transfers at one random 2 MiB-aligned offset below SIZE_MIB:
 * write, read back, write.  Reports transfers per second and the response
 * time of a transaction:
 *   disktask txns=N ops=3N tps=.. mean_ms=.. p50_ms=.. p95_ms=.. max_ms=..
 * Exit status 0, or 1 on bad arguments or an I/O error.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mtime.h"
#include "wl.h"

#define XFER_BYTES	(2u << 20)	/* one transfer, 2 MiB */
#define ALIGN_BYTES	4096
#define SIZE_MIB_MAX	1048576
#define SECONDS_MAX	86400

static int
xfer(int fd, unsigned char *buf, off_t off, int write_it)
{
	ssize_t n;

	if (write_it)
		n = pwrite(fd, buf, XFER_BYTES, off);
	else
		n = pread(fd, buf, XFER_BYTES, off);
	if (n < 0)
		return -errno;
	return n == (ssize_t)XFER_BYTES ? 0 : -EIO;
}

static int
open_target(const char *path, uint64_t size_mib)
{
	struct stat sb;
	int fd, rc;

	fd = open(path, O_RDWR | O_CREAT | O_DIRECT | O_SYNC | O_CLOEXEC,
	    0600);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode)) {
		rc = posix_fallocate(fd, 0, (off_t)(size_mib << 20));
		if (rc != 0) {
			close(fd);
			return -rc;
		}
	}
	return fd;
}

int
main(int argc, char **argv)
{
	static struct wl_stats st;
	uint64_t size_mib, seconds, seed = 0x2545f4914f6cdd1dULL, slots;
	uint64_t t0_ms, t_us, el_ms;
	unsigned char *buf = NULL;
	int fd, rc = 1, err = 0;
	off_t off;

	if (argc < 4 || argc > 5) {
		fprintf(stderr,
		    "usage: cagma-disktask PATH SIZE_MIB SECONDS [SEED]\n");
		return 1;
	}
	if (wl_arg_u64("cagma-disktask", "SIZE_MIB", argv[2], 2, SIZE_MIB_MAX,
	    &size_mib) ||
	    wl_arg_u64("cagma-disktask", "SECONDS", argv[3], 0, SECONDS_MAX,
	    &seconds) ||
	    (argc == 5 && wl_arg_u64("cagma-disktask", "SEED", argv[4], 1,
	    UINT64_MAX, &seed)))
		return 1;
	seed ^= (uint64_t)getpid() << 32;
	if (seed == 0)
		seed = 1;
	slots = size_mib / 2;
	fd = open_target(argv[1], size_mib);
	if (fd < 0) {
		fprintf(stderr, "cagma-disktask: %s: %s\n", argv[1],
		    strerror(-fd));
		return 1;
	}
	if (posix_memalign((void **)&buf, ALIGN_BYTES, XFER_BYTES) != 0)
		goto out;
	memset(buf, 0xa5, XFER_BYTES);
	wl_stop_on_signals();
	t0_ms = mtime_ms();
	while (!wl_stop && mtime_ms() - t0_ms < seconds * 1000) {
		off = (off_t)((wl_rand64(&seed) % slots) * XFER_BYTES);
		t_us = mtime_us();
		if ((err = xfer(fd, buf, off, 1)) || (err = xfer(fd, buf, off, 0))
		    || (err = xfer(fd, buf, off, 1))) {
			if (err == -EINTR && wl_stop)
				break;	/* stopped mid-transaction: not counted */
			fprintf(stderr, "cagma-disktask: %s: %s\n", argv[1],
			    strerror(-err));
			goto out;
		}
		wl_stats_add(&st, mtime_us() - t_us);
	}
	el_ms = mtime_ms() - t0_ms;
	printf("disktask txns=%llu ops=%llu tps=%llu.%02llu",
	    (unsigned long long)st.n, (unsigned long long)(st.n * 3),
	    (unsigned long long)(el_ms ? st.n * 3000 / el_ms : 0),
	    (unsigned long long)(el_ms ? st.n * 300000 / el_ms % 100 : 0));
	wl_print_ms("mean_ms", wl_stats_mean_us(&st));
	wl_print_ms("p50_ms", wl_stats_pct_us(&st, 50));
	wl_print_ms("p95_ms", wl_stats_pct_us(&st, 95));
	wl_print_ms("max_ms", st.max_us);
	printf("\n");
	rc = 0;
out:
	free(buf);
	close(fd);
	return rc;
}
