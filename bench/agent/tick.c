/*
 * tick.c - the bench's baseline: a process that only wakes up every
 * PERIOD_MS (ppoll timeout, as cagma-agent's loop) and does nothing else,
 * so that bench.sh can measure, in the same run, what one idle wake-up
 * costs on this machine (scheduler, timer, and on a VM the hypervisor)
 * beside what the agent costs.
 * usage: tick PERIOD_MS
 */
#define _GNU_SOURCE
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

int
main(int argc, char **argv)
{
	struct timespec ts;
	long ms;
	char *end;

	if (argc != 2 || (ms = strtol(argv[1], &end, 10)) <= 0 ||
	    *end != '\0' || ms > 60000) {
		fprintf(stderr, "usage: tick PERIOD_MS (1..60000)\n");
		return 2;
	}
	ts.tv_sec = ms / 1000;
	ts.tv_nsec = ms % 1000 * 1000000L;
	for (;;)
		(void)ppoll(NULL, 0, &ts, NULL);
}
