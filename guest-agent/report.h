/*
 * report.h - when to publish, and what: the agent's pure decision core.
 *
 * No I/O, no clock, no globals: time is a now_ms argument, so every trigger
 * (threshold change, heartbeat, swap-in growth, kswapd burst, PSI trigger,
 * urgent rate limit) is unit tested without xenstore or timers.
 */
#ifndef CAGMA_AGENT_REPORT_H
#define CAGMA_AGENT_REPORT_H

#include <stdbool.h>
#include <stdint.h>

#include "record.h"
#include "sample.h"

/* Defaults (also in cagma-agent.conf and cagma-agent.8). */
#define REPORT_DEF_THRESH_KB		16384	/* KiB, 16 MiB */
#define REPORT_DEF_THRESH_PCT100	200	/* 2 % of MemTotal */
#define REPORT_DEF_HEARTBEAT_MS		5000
#define REPORT_DEF_KSWAPD_BURST		1024	/* pages scanned per sample */
#define REPORT_DEF_URGENT_GAP_MS	50
/*
 * MemAvailable below the low watermark plus this much (at least the
 * watermark again) is urgent: kswapd is about to work and, without swap,
 * the OOM killer is near.  KiB.
 */
#define REPORT_LOWMEM_MARGIN_KB		16384

struct report_cfg {
	uint64_t thresh_kb;		/* publish if a value moved > this */
	uint32_t thresh_pct100;		/* ... or > this share of MemTotal */
	uint64_t heartbeat_ms;		/* publish at least this often */
	uint64_t kswapd_burst_pages;	/* pgscan_kswapd growth that is urgent */
	uint64_t urgent_gap_ms;		/* min time between urgent publishes */
};

/* The values the decision looks at, taken from a sample. */
struct report_vals {
	uint64_t mem_total_kb;
	uint64_t mem_free_kb;
	uint64_t mem_avail_kb;
	uint64_t swap_used_kb;
	uint64_t pswpin;		/* pages, cumulative */
	uint64_t pgscan_kswapd;		/* pages, cumulative */
	uint64_t oom_kill;		/* OOM kills, cumulative */
	uint64_t allocstall;		/* direct-reclaim stalls, cumulative */
	uint64_t wmark_low_kb;		/* low watermarks; 0: unknown */
};

/* Why a publish happens (bit mask; 0 = do not publish). */
enum report_why {
	REPORT_FIRST = 1U << 0,		/* nothing published yet */
	REPORT_CHANGE = 1U << 1,	/* a value moved past the threshold */
	REPORT_HEARTBEAT = 1U << 2,	/* heartbeat_ms since the last one */
	REPORT_SWAPIN = 1U << 3,	/* pswpin grew (urgent) */
	REPORT_KSWAPD = 1U << 4,	/* pgscan_kswapd burst (urgent) */
	REPORT_PSI = 1U << 5,		/* PSI trigger fired (urgent) */
	REPORT_OOM = 1U << 6,		/* oom_kill grew (urgent) */
	REPORT_STALL = 1U << 7,		/* allocstall grew (urgent) */
	REPORT_LOWMEM = 1U << 8,	/* MemAvailable fell below the low
					   watermark + margin (urgent) */
};
#define REPORT_URGENT_MASK	(REPORT_SWAPIN | REPORT_KSWAPD | REPORT_PSI | \
				 REPORT_OOM | REPORT_STALL | REPORT_LOWMEM)

/* Zero-initialise; report_reset() after a reconnect. */
struct report_state {
	bool have_prev;			/* prev_* hold the previous sample */
	uint64_t prev_pswpin;
	uint64_t prev_pgscan;
	uint64_t prev_oom;
	uint64_t prev_stall;
	bool lowmem;			/* last sample was below the line */
	bool published;			/* pub_* and last_pub_ms valid */
	struct report_vals pub;		/* values of the last publish */
	uint64_t last_pub_ms;
	bool urgent_sent;		/* last_urgent_ms valid */
	uint64_t last_urgent_ms;
	uint32_t pending;		/* urgent reasons held by the rate limit */
};

/* Extract the decision inputs from a sample.  Cannot fail. */
void report_vals_from_sample(const struct sample *s, struct report_vals *out);

/*
 * Decide whether to publish the sample v taken at now_ms; psi_fired says the
 * PSI trigger woke the agent since the last call.  Updates the
 * previous-sample counters and the pending urgent reasons in *st; returns the
 * reasons (REPORT_*), 0 for "not now".  An urgent reason that the rate limit
 * holds back stays pending (and holds back ordinary publishes too) until
 * report_wake_ms().  Call report_published() once the record is written.
 */
uint32_t report_decide(const struct report_cfg *cfg, struct report_state *st,
    const struct report_vals *v, bool psi_fired, uint64_t now_ms);

/* Record that v was published at now_ms with the given reasons. */
void report_published(struct report_state *st, const struct report_vals *v,
    uint32_t why, uint64_t now_ms);

/* Forget the last publish (e.g. xenstore reconnected): next is FIRST. */
void report_reset(struct report_state *st);

/*
 * Earliest time (ms) at which report_decide() may publish without a new
 * event: the end of the urgent rate limit if an urgent reason is pending,
 * else the next heartbeat; 0 if nothing was published yet (now).
 */
uint64_t report_wake_ms(const struct report_cfg *cfg,
    const struct report_state *st);

/*
 * Next sequence number: strictly above last, and at least boot_ms (the
 * guest's CLOCK_BOOTTIME in ms) so a restarted agent does not repeat the
 * sequence numbers of its previous run.  Cannot fail.
 */
uint64_t report_next_seq(uint64_t last, uint64_t boot_ms);

/*
 * Fill *rec (all fields of schema v1) from a sample.  Values are clamped to
 * the schema bounds and made self-consistent (mem_free <= mem_total, ...)
 * so dom0 never rejects a record for a kernel quirk.  Cannot fail.
 */
void report_build(const struct sample *s, uint64_t seq, bool urgent,
    struct cg_record *rec);

/*
 * Adaptive sampling (as earlyoom): the time MemAvailable needs to fall to
 * the low line (wmark_low + margin, or REPORT_LOWMEM_MARGIN_KB x 4 when
 * the watermark is unknown) at REPORT_FILL_KBPS (a task writing new
 * memory as fast as one core can), clamped to [fast_ms, slow_ms].  Fast
 * while memory is falling (MemAvailable fell by REPORT_FALL_KB or more
 * since the previous sample, prev) or while the guest has swap in use
 * and less available than that swap plus the line (its swap-ins are
 * pressure).  fast_ms when slow_ms <= fast_ms.  Pure.
 */
#define REPORT_FILL_KBPS	(8192ULL * 1024)	/* 8 GiB/s */
#define REPORT_FALL_KB		(16ULL * 1024)	/* falling: this since the last */
uint64_t report_interval_ms(uint64_t fast_ms, uint64_t slow_ms,
    const struct report_vals *v, const struct report_vals *prev,
    uint64_t dt_ms);

/* Reasons as text ("change+heartbeat") into buf (size >= 64). */
const char *report_why_str(uint32_t why, char *buf, size_t size);

#endif
