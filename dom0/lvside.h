/*
 * lvside.h - the libvirt backend's parts that call no libvirt function
 * (backend_libvirt*.c keep every libvirt call): per-domain intake of a
 * balloon statistics sample or an agent channel line, the agent channels
 * (dom0/chanset.c behind one epoll fd), and the host's free memory.
 */
#ifndef CAGMA_DOM0_LVSIDE_H
#define CAGMA_DOM0_LVSIDE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "chanset.h"
#include "lvrec.h"

struct cagmad;

/* One libvirt domain, as far as the libvirt-free code needs it. */
struct lvside_dom {
	struct cagmad *c;
	uint32_t slot;			/* cagma's domid */
	uint64_t max_kb;		/* virDomainGetMaxMemory */
	uint64_t actual_kb;		/* balloon size: events and stats */
	uint64_t rss_kb;		/* QEMU's RSS (host accounting only) */
	bool autodeflate;
	uint64_t seq;			/* stats records built */
	/* agent channel */
	bool has_chan;
	struct chan_slot chan;
	uint64_t chan_rec_ms;		/* last record taken from it, 0: none */
};

/* The channels of all domains, and the side's one pollable fd. */
struct lvside {
	struct chanset cs;
	int epfd;			/* {event pipe, chanset fd} */
	uint64_t now_ms;		/* of the service call in progress */
	uint64_t chan_lines;		/* lines taken, all channels */
};

/*
 * epoll fd over the libvirt event pipe's read end and the channels'
 * epoll fd.  0 or -errno.
 */
int lvside_init(struct lvside *s, int pipe_fd);
void lvside_fini(struct lvside *s);

/* Start reading d's agent channel at path (from the domain XML). */
int lvside_chan_add(struct lvside *s, struct lvside_dom *d, const char *path,
    uint64_t now_ms);
/* Stop (the domain is gone).  No-op without a channel. */
void lvside_chan_del(struct lvside *s, struct lvside_dom *d);

/*
 * Serve the channels that are ready or due (each line through the same
 * intake as a xenstore record; autodeflate guests get their balloon taken
 * off MemTotal first); then one emergency round if any line came.
 * Returns the lines delivered (>= 0).
 */
int lvside_chan_service(struct cagmad *c, struct lvside *s, uint64_t now_ms);

/* When lvside_chan_service() is due without fd events (UINT64_MAX: no). */
uint64_t lvside_chan_next_ms(const struct lvside *s, uint64_t now_ms);

/*
 * One statistics sample of d (tags as lvrec.h) into the intake, unless the
 * domain's agent channel gave a record within stale_ms (the agent's record
 * is the richer one); sets the safety floor.
 */
void lvside_take_stats(struct cagmad *c, struct lvside_dom *d,
    const struct lvrec_stats *st, uint64_t now_ms);

/*
 * Host free memory: MemAvailable of the host's /proc/meminfo, less
 * owed_kb (memory guests were given and have not touched yet).  0 or
 * -errno.
 */
int lvside_free_kb(uint64_t owed_kb, uint64_t *free_kb_out);

#endif
