/*
 * scenario.h - cagma-sim scenario files (format: bench/scenarios/FORMAT.md).
 */
#ifndef CAGMA_SIM_SCENARIO_H
#define CAGMA_SIM_SCENARIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SIM_MAX_PHASES	32
#define SIM_MAX_GCFG	32	/* guest lines per scenario */
#define SIM_MAX_GUESTS	256	/* instances after count= */
#define SIM_NAME_MAX	32
#define SIM_MAX_EVENTS	32	/* host_use / vm_start lines */

enum sim_balloon {
	SIM_BALLOON_NORMAL,	/* moves at rate */
	SIM_BALLOON_IDEAL,	/* instantly */
	SIM_BALLOON_SLOW,	/* rate / 16 */
	SIM_BALLOON_STUCK,	/* never moves */
};

struct sim_phase {
	uint64_t dur_ms;
	uint64_t anon_kb;	/* anonymous working set of the tasks */
	uint64_t file_kb;	/* page cache the tasks want */
	uint64_t cold_kb;	/* anon written once, then not touched */
	uint32_t tasks;		/* the Xen lab's memory tasks (lab.c) */
	uint32_t disk_tasks;	/* the Xen lab's O_DIRECT disk tasks */
	bool has_tasks;		/* tasks= given (the lab needs it) */
	unsigned line;		/* line of the phase in the file */
};

struct sim_guest_cfg {
	char name[SIM_NAME_MAX];
	uint64_t start_kb, min_kb, max_kb, swap_kb, base_kb;
	uint64_t rate_kbps;	/* balloon speed, KiB/s */
	uint64_t hidden_floor_kb; /* balloon cannot go below (0: none) */
	uint64_t hidden_max_kb;	/* balloon cannot go above (0: none) */
	uint64_t balloon_slack_kb; /* balloon stops this short of target */
	bool has_stuck_from;	/* stuck from stuck_from_ms on */
	uint64_t stuck_from_ms;
	uint64_t stuck_on_ms;	/* intermittent: stuck this long, */
	uint64_t stuck_off_ms;	/* ... then moving this long (0: always) */
	uint64_t access_pps;	/* page touches/s over the anon set */
	uint64_t file_pps;	/* page cache touches/s */
	uint64_t ramp_kbps;	/* how fast demand can grow, KiB/s */
	uint64_t jitter_ms;	/* random start offset per instance */
	uint32_t weight, count;
	enum sim_balloon balloon;
	unsigned line;		/* line of the guest in the file */
	size_t nphases;
	struct sim_phase phases[SIM_MAX_PHASES];
};

/* Memory used on the host outside the guests (dom0, a host "hog"). */
struct sim_host_use {
	uint64_t at_ms;		/* wants size_kb from then */
	uint64_t until_ms;	/* gives it back then (0: never) */
	uint64_t size_kb;
};

/* A VM start: size_kb + overhead_kb must be free within deadline_ms. */
struct sim_vm_start {
	char name[SIM_NAME_MAX];
	uint64_t at_ms, size_kb, overhead_kb, deadline_ms;
};

struct sim_scenario {
	char name[SIM_NAME_MAX];
	uint64_t duration_ms, step_ms, host_kb, reserve_kb;
	uint64_t disk_pps;	/* host swap I/O budget, pages/s */
	size_t nguests;
	struct sim_guest_cfg guests[SIM_MAX_GCFG];
	size_t nhost_use, nvm_start;
	struct sim_host_use host_use[SIM_MAX_EVENTS];
	struct sim_vm_start vm_start[SIM_MAX_EVENTS];
};

/*
 * Parse a scenario file.  Returns 0, or -errno and a "path:line: message"
 * in err.  Trusted input (the researcher's file) but parsed strictly.
 */
int scenario_load(const char *path, struct sim_scenario *sc_out, char *err,
    size_t errlen);

/* Same from a NUL-terminated buffer (tests). */
int scenario_parse(const char *name, const char *text,
    struct sim_scenario *sc_out, char *err, size_t errlen);

#endif
