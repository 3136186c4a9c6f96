/*
 * chan.h - cagmad's reader of one domain's agent channel (KVM/libvirt).
 *
 * A libvirt domain with
 *   <channel type='unix'><source mode='bind' path='PATH'/>
 *     <target type='virtio' name='org.cagma.agent.0'/></channel>
 * has QEMU listening on the unix stream socket PATH; the guest's
 * cagma-agent writes one record per line to the port (record text, '\n').
 * cagmad connects to PATH and reads.  Everything on the socket is hostile:
 *
 * - framing (pure, chan_framer_*): a fixed buffer of CG_RECORD_MAX_LEN + 1
 *   bytes; each complete line (without its '\n') goes to sink->line; a line
 *   longer than CG_RECORD_MAX_LEN goes to sink->oversize once and is
 *   discarded up to the next '\n'.  Lines are not otherwise checked here
 *   (the sink runs record_decode through dom_intake()).
 * - rate (chan_*): a token bucket per channel for bytes and for lines
 *   (CHAN_BYTES_PER_S / CHAN_LINES_PER_S, bursts CHAN_*_BURST); beyond it
 *   the channel is not read (chan_events() is 0) until chan_next_ms().
 *   One chan_service() call does at most one read of at most one buffer
 *   and delivers at most CHAN_LINES_BURST lines: bounded work per poll
 *   wake-up, so one guest cannot delay the others.
 * - connection: nonblocking connect and reads; EOF or an error (QEMU
 *   closed the socket: the domain stopped or restarted) closes it, drops a
 *   partial line and reconnects with backoff (CHAN_BACKOFF_MIN_MS doubling
 *   to CHAN_BACKOFF_MAX_MS, reset by the first byte of a connection).
 *
 * No allocation; no logging but one debug line per connection change.
 */
#ifndef CAGMA_DOM0_CHAN_H
#define CAGMA_DOM0_CHAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/un.h>

#include "schema.h"

#define CHAN_NAME		"org.cagma.agent.0"	/* the port's name */
#define CHAN_BUF_LEN		(CG_RECORD_MAX_LEN + 1)	/* bytes */
#define CHAN_LINES_PER_S	40	/* agent: <= 20 urgent + 10 others /s */
#define CHAN_LINES_BURST	40	/* lines */
#define CHAN_BYTES_PER_S	32768	/* 40 lines of ~800 bytes */
#define CHAN_BYTES_BURST	32768	/* bytes */
#define CHAN_BACKOFF_MIN_MS	200
#define CHAN_BACKOFF_MAX_MS	10000

/* Where lines go.  untrusted is not NUL-terminated; valid during the call. */
struct chan_sink {
	void (*line)(void *ctx, const char *untrusted, size_t len);
	void (*oversize)(void *ctx);	/* a line > CG_RECORD_MAX_LEN */
	void *ctx;
};

/* The pure framer; zero-initialise (or chan_framer_reset). */
struct chan_framer {
	size_t len;			/* bytes held in buf */
	bool skipping;			/* in an over-long line: to '\n' */
	char buf[CHAN_BUF_LEN];
};

/* Forget everything held (a new connection starts a new line). */
void chan_framer_reset(struct chan_framer *f);

/*
 * Where the next read goes: *room_out free bytes at the returned pointer
 * (0 while the buffer holds complete lines not yet delivered).
 */
char *chan_framer_space(struct chan_framer *f, size_t *room_out);

/*
 * n bytes (at most the room) were read into the space; deliver up to max
 * events (a complete line or an over-long one) to sink, keep the rest.
 * Returns the number of events delivered.  O(CHAN_BUF_LEN).
 */
unsigned chan_framer_push(struct chan_framer *f, size_t n, unsigned max,
    const struct chan_sink *sink);

/* Copying convenience (tests, fuzzing): feed len bytes of data.  Returns
 * the number of bytes taken (less than len when max events came first). */
size_t chan_framer_feed(struct chan_framer *f, const char *data, size_t len,
    unsigned max, const struct chan_sink *sink, unsigned *events_out);

/* A token bucket in thousandths of a token. */
struct chan_bucket {
	uint64_t milli;			/* tokens x 1000 */
	uint64_t last_ms;
};

enum chan_state {
	CHAN_DOWN,			/* waiting for retry_at_ms */
	CHAN_CONNECTING,		/* nonblocking connect in progress */
	CHAN_UP,
};

struct chan_stats {
	uint64_t bytes;			/* read */
	uint64_t lines;			/* delivered to sink->line */
	uint64_t oversize;		/* delivered to sink->oversize */
	uint64_t throttled;		/* times a bucket ran dry */
	uint64_t connects;		/* connections made */
	uint64_t drops;			/* connections lost (EOF, error) */
};

struct chan {
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	int fd;				/* -1 unless CONNECTING or UP */
	uint64_t fd_gen;		/* +1 for every new fd (chanset) */
	enum chan_state state;
	bool fresh;			/* no byte yet on this connection */
	uint64_t retry_at_ms;
	uint64_t backoff_ms;
	struct chan_bucket bytes, lines;
	struct chan_stats st;
	struct chan_framer fr;
};

/*
 * Set up a channel for the socket path (trusted: from the domain's XML,
 * checked here for length).  Nothing is opened; the first chan_service()
 * connects.  0, or -ENAMETOOLONG / -EINVAL (empty).
 */
int chan_init(struct chan *c, const char *path, uint64_t now_ms);

/*
 * Use fd, a connected stream socket (socketpair in tests), as the
 * channel's connection now: made nonblocking, the channel owns it.  After
 * a loss the channel reconnects to its path as usual.  0 or -errno (fd is
 * closed then).
 */
int chan_attach(struct chan *c, int fd);

/* The fd to poll (-1 if none) and the events wanted now (0: none). */
int chan_fd(const struct chan *c);
short chan_events(const struct chan *c, uint64_t now_ms);

/*
 * When chan_service() must run although the fd shows nothing: a reconnect
 * attempt or a bucket refill; UINT64_MAX if only fd events matter.
 */
uint64_t chan_next_ms(const struct chan *c, uint64_t now_ms);

/*
 * Do what is due at now_ms (revents from poll, 0 on a timer): connect,
 * finish a connect, deliver buffered lines, one read.  Bounded work.
 * Returns the number of events delivered to sink (>= 0); connection
 * trouble is handled (reconnect with backoff), never returned.
 */
int chan_service(struct chan *c, short revents, uint64_t now_ms,
    const struct chan_sink *sink);

/* Close the socket (the domain is gone).  Cannot fail. */
void chan_close(struct chan *c);

#endif
