/*
 * cagma-labstat - the lab's `sar -b`: samples a guest's swap and disk
 * counters at a fixed interval.
 *
 * usage: cagma-labstat INTERVAL_MS SECONDS [DEV...]
 * Every INTERVAL_MS, until SECONDS have passed, prints one line of raw
 * cumulative counters (the host-side scripts compute rates):
 *   labstat t_ms=T up_ms=.. pswpin=.. pswpout=.. pgmajfault=..
 *     pgscan_kswapd=.. pgscan_direct=.. memtotal_kb=.. memavail_kb=..
 *     current_kb=.. user_ms=.. sys_ms=.. idle_ms=.. steal_ms=..
 *     DEV_ios=.. ...
 * where up_ms is CLOCK_MONOTONIC (the guest's uptime, to line samples up
 * with the console's phase marks), user/sys/idle/steal are the guest's CPU
 * time from /proc/stat (sys includes irq and softirq, idle includes
 * iowait; steal is time its vCPU was runnable but Xen ran something else)
 * and DEV_ios = reads + writes completed on DEV (/proc/diskstats), i.e.
 * the transfers sar -b counts.  A missing counter prints as 0.
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "mtime.h"
#include "num.h"
#include "wl.h"

#define BUF_BYTES	16384
#define DEVS_MAX	8
#define CURRENT_KB_PATH "/sys/devices/system/xen_memory/xen_memory0/info/current_kb"

static char buf[BUF_BYTES];

static size_t
slurp(const char *path)
{
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	buf[n > 0 ? n : 0] = '\0';
	return n > 0 ? (size_t)n : 0;
}

/* Value of the first number after "key" + sep at a line start, else 0. */
static uint64_t
field(const char *key, char sep)
{
	size_t klen = strlen(key), len;
	const char *p = buf, *q;
	uint64_t v = 0;

	while (p && *p) {
		if (strncmp(p, key, klen) == 0 && p[klen] == sep) {
			p += klen + 1;
			while (*p == ' ')
				p++;
			for (q = p; *q >= '0' && *q <= '9'; q++)
				;
			len = (size_t)(q - p);
			if (num_parse_u64(p, len, 0, UINT64_MAX, &v) < 0)
				v = 0;
			return v;
		}
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return 0;
}

/* Next space-separated token of *p (advanced); its length in *len. */
static const char *
token(const char **p, size_t *len)
{
	const char *s = *p;

	while (*s == ' ')
		s++;
	*len = strcspn(s, " \n");
	*p = s + *len;
	return s;
}

/*
 * reads + writes completed for dev from /proc/diskstats (already in buf):
 * "major minor name reads merged sectors ms writes ..."
 */
static uint64_t
disk_ios(const char *dev)
{
	const char *p = buf, *t;
	uint64_t v[5];
	size_t len;
	int i;

	while (p && *p) {
		token(&p, &len);
		token(&p, &len);
		t = token(&p, &len);
		if (len == strlen(dev) && strncmp(t, dev, len) == 0) {
			for (i = 0; i < 5; i++) {
				t = token(&p, &len);
				if (num_parse_u64(t, len, 0, UINT64_MAX, &v[i]))
					return 0;
			}
			return v[0] + v[4];
		}
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return 0;
}

/*
 * The aggregate "cpu" line of /proc/stat (already in buf), in ms:
 * user+nice, system+irq+softirq, idle+iowait, steal.
 */
static void
cpu_ms(uint64_t ms[4])
{
	static const int slot[8] = { 0, 0, 1, 2, 2, 1, 1, 3 };
	const char *p = buf, *t;
	long hz = sysconf(_SC_CLK_TCK);
	uint64_t v, tick_ms = hz > 0 && hz <= 1000 ? 1000 / (uint64_t)hz : 10;
	size_t len;
	int i;

	memset(ms, 0, 4 * sizeof(ms[0]));
	t = token(&p, &len);
	if (len != 3 || strncmp(t, "cpu", 3) != 0)
		return;
	for (i = 0; i < 8; i++) {
		t = token(&p, &len);
		if (num_parse_u64(t, len, 0, UINT64_MAX / 1000, &v) < 0)
			return;
		ms[slot[i]] += v * tick_ms;
	}
}

static void
sample(uint64_t t_ms, char **devs, int ndevs)
{
	uint64_t in, out, maj, kswapd, direct, tot, avail, cur, cpu[4];
	int i;

	slurp("/proc/vmstat");
	in = field("pswpin", ' ');
	out = field("pswpout", ' ');
	maj = field("pgmajfault", ' ');
	kswapd = field("pgscan_kswapd", ' ');
	direct = field("pgscan_direct", ' ');
	slurp("/proc/meminfo");
	tot = field("MemTotal", ':');
	avail = field("MemAvailable", ':');
	cur = 0;
	if (slurp(CURRENT_KB_PATH) > 0 &&
	    num_parse_u64(buf, strcspn(buf, "\n"), 0, UINT64_MAX, &cur) < 0)
		cur = 0;
	slurp("/proc/stat");
	cpu_ms(cpu);
	printf("labstat t_ms=%llu up_ms=%llu pswpin=%llu pswpout=%llu "
	    "pgmajfault=%llu pgscan_kswapd=%llu pgscan_direct=%llu "
	    "memtotal_kb=%llu memavail_kb=%llu current_kb=%llu user_ms=%llu "
	    "sys_ms=%llu idle_ms=%llu steal_ms=%llu",
	    (unsigned long long)t_ms, (unsigned long long)mtime_ms(),
	    (unsigned long long)in, (unsigned long long)out,
	    (unsigned long long)maj, (unsigned long long)kswapd,
	    (unsigned long long)direct, (unsigned long long)tot,
	    (unsigned long long)avail, (unsigned long long)cur,
	    (unsigned long long)cpu[0], (unsigned long long)cpu[1],
	    (unsigned long long)cpu[2], (unsigned long long)cpu[3]);
	slurp("/proc/diskstats");
	for (i = 0; i < ndevs; i++)
		printf(" %s_ios=%llu", devs[i],
		    (unsigned long long)disk_ios(devs[i]));
	printf("\n");
	fflush(stdout);
}

int
main(int argc, char **argv)
{
	uint64_t interval_ms, seconds, t0, next, now;
	struct timespec ts;
	int ndevs;

	if (argc < 3 || argc - 3 > DEVS_MAX) {
		fprintf(stderr,
		    "usage: cagma-labstat INTERVAL_MS SECONDS [DEV...]\n");
		return 1;
	}
	if (wl_arg_u64("cagma-labstat", "INTERVAL_MS", argv[1], 10, 3600000,
	    &interval_ms) ||
	    wl_arg_u64("cagma-labstat", "SECONDS", argv[2], 0, 86400,
	    &seconds))
		return 1;
	ndevs = argc - 3;
	t0 = mtime_ms();
	next = t0;
	for (;;) {
		sample(mtime_ms() - t0, argv + 3, ndevs);
		next += interval_ms;
		if (next - t0 > seconds * 1000)
			break;
		/* one clock read per check: reading it again for the sleep
		 * could pass `next` and wrap the unsigned difference (the
		 * sampler then slept for ages; seen once in the lab) */
		while ((now = mtime_ms()) < next) {
			ts = mtime_ms_to_ts(next - now);
			nanosleep(&ts, NULL);
		}
	}
	return 0;
}
