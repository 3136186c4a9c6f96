/*
 * cagma-chanread - the KVM lab's observer of one guest's agent channel:
 * connects to the channel's host-side socket with cagmad's own reader
 * (dom0/chan.c) and prints every line it delivers, decoded.
 *
 * usage: cagma-chanread SOCKET SECONDS
 * Output, one line per event: "t_ms ok seq=N urgent=U mem_avail=KB len=L",
 * "t_ms rejected REASON len=L" or "t_ms oversize"; at the end one summary
 * "chanread: lines=N ok=N rejected=N oversize=N bytes=N connects=N
 * drops=N throttled=N cpu_ms=N" (cpu_ms: this process, user + system).
 * t_ms counts from start.  Exits after SECONDS,
 * or on SIGINT/SIGTERM (summary printed).
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>

#include "chan.h"
#include "log.h"
#include "mtime.h"
#include "record.h"
#include "wl.h"

static volatile sig_atomic_t stop;

static void
on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

struct seen {
	uint64_t t0_ms, ok, rejected;
};

static void
on_line(void *ctx, const char *untrusted, size_t len)
{
	struct seen *s = ctx;
	struct cg_record rec;
	struct record_error err;
	unsigned long long t = mtime_ms() - s->t0_ms;

	if (record_decode(untrusted, len, &rec, &err) != 0) {
		s->rejected++;
		printf("%llu rejected %s len=%zu\n", t,
		    record_strerror(err.reason), len);
	} else {
		s->ok++;
		printf("%llu ok seq=%llu urgent=%llu mem_avail=%llu len=%zu\n",
		    t, (unsigned long long)rec.val[CG_F_SEQ],
		    (unsigned long long)rec.val[CG_F_URGENT],
		    (unsigned long long)rec.val[CG_F_MEM_AVAIL], len);
	}
	fflush(stdout);
}

static void
on_oversize(void *ctx)
{
	struct seen *s = ctx;

	printf("%llu oversize\n", (unsigned long long)(mtime_ms() - s->t0_ms));
	fflush(stdout);
}

int
main(int argc, char **argv)
{
	struct seen s = { 0, 0, 0 };
	struct chan_sink sink = { on_line, on_oversize, &s };
	static struct chan c;
	struct pollfd pfd;
	struct rusage ru;
	uint64_t seconds, now, next, end;
	int timeout;

	if (argc != 3 || wl_arg_u64("cagma-chanread", "SECONDS", argv[2], 1, 86400,
	    &seconds) != 0) {
		fprintf(stderr, "usage: cagma-chanread SOCKET SECONDS\n");
		return 2;
	}
	log_init(LOGDEST_STDERR, 1, "cagma-chanread");
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	s.t0_ms = now = mtime_ms();
	end = now + seconds * 1000;
	if (chan_init(&c, argv[1], now) != 0) {
		fprintf(stderr, "cagma-chanread: bad socket path\n");
		return 2;
	}
	while (!stop && (now = mtime_ms()) < end) {
		chan_service(&c, 0, now, &sink);
		next = chan_next_ms(&c, now);
		if (next > end)
			next = end;
		timeout = next > now ? (int)(next - now) : 0;
		pfd = (struct pollfd){ .fd = chan_fd(&c),
		    .events = chan_events(&c, now) };
		if (pfd.events == 0)
			pfd.fd = -1;
		if (poll(&pfd, 1, timeout) < 0 && errno != EINTR)
			break;
		if (pfd.revents != 0)
			chan_service(&c, pfd.revents, mtime_ms(), &sink);
	}
	getrusage(RUSAGE_SELF, &ru);
	printf("chanread: lines=%llu ok=%llu rejected=%llu oversize=%llu "
	    "bytes=%llu connects=%llu drops=%llu throttled=%llu cpu_ms=%llu\n",
	    (unsigned long long)c.st.lines, (unsigned long long)s.ok,
	    (unsigned long long)s.rejected, (unsigned long long)c.st.oversize,
	    (unsigned long long)c.st.bytes, (unsigned long long)c.st.connects,
	    (unsigned long long)c.st.drops, (unsigned long long)c.st.throttled,
	    (unsigned long long)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) *
	    1000 + (unsigned long long)(ru.ru_utime.tv_usec +
	    ru.ru_stime.tv_usec) / 1000);
	chan_close(&c);
	return 0;
}
