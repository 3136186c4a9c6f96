/*
 * metrics.h - optional Prometheus text-format file, rewritten atomically
 * (temporary file + rename) after every round.
 */
#ifndef CAGMA_DOM0_METRICS_H
#define CAGMA_DOM0_METRICS_H

#include <stdio.h>

struct cagmad;

/* Write c's state to path atomically.  0 or -errno (logged once). */
int metrics_write(const struct cagmad *c, const char *path);

/* Write the same text to fp (tests, cagmactl).  0 or -errno. */
int metrics_print(const struct cagmad *c, FILE *fp);

#endif
