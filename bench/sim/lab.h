/*
 * lab.h - a cagma-sim scenario as the Xen lab's paper job (bench/lab/):
 * the settings `cagma-sim --scenario FILE --lab[=FIRST-LAST]` prints, so
 * that the simulator and the lab read one scenario through one parser.
 * See bench/scenarios/FORMAT.md ("The Xen lab").
 */
#ifndef CAGMA_SIM_LAB_H
#define CAGMA_SIM_LAB_H

#include <stdbool.h>
#include <stddef.h>

#include "scenario.h"

#define LAB_GUESTS	3	/* the lab's guest slots vm1, vm2, vm3 */
#define LAB_UNITS_MAX	64	/* phase units one lab run may have */
#define LAB_OUT_MAX	4096	/* lab_format() output, bytes */

/* Phase units FIRST..LAST (0-based, inclusive), or all of them. */
struct lab_range {
	bool all;
	unsigned first, last;
};

/*
 * Parse a phase range: "" (all units) or "FIRST-LAST", each one or two
 * decimal digits.  Returns 0 and sets *range_out, or -EINVAL.
 */
int lab_parse_range(const char *s, struct lab_range *range_out);

/*
 * Format sc (as scenario_parse() left it; file names it in messages) as
 * the lab's settings, one KEY=VALUE line each, values only of
 * [A-Za-z0-9_,.-]:
 *   LAB_SCN_NAME LAB_SCN_PHASES, then for n = 1..3
 *   LAB_VMn_START LAB_VMn_MAX (MiB) LAB_VMn_TASKS LAB_VMn_DISK (per unit,
 *   comma-separated)
 * The guests must be exactly vm1, vm2, vm3 in that order, count=1, with
 * whole-MiB start/max and at least one phase, each with tasks=.  Phases
 * are cut into units of the greatest common divisor of all durations; a
 * guest's last phase holds until the longest guest's end.  Writes a
 * NUL-terminated text of at most outlen bytes to out and returns 0, or
 * returns -EINVAL (-ENOSPC: out too small) with one "file:line: message"
 * (or "file: message") in err.  Pure: no I/O.
 */
int lab_format(const struct sim_scenario *sc, const char *file,
    const struct lab_range *range, char *out, size_t outlen, char *err,
    size_t errlen);

#endif
