/*
 * log.h - the one logger: stderr in the foreground, syslog as a daemon.
 *
 * All functions are printf-format-checked and preserve errno.  Lines about a
 * guest start with "domid %u: " and are rate limited with log_ratelimit().
 */
#ifndef CAGMA_LOG_H
#define CAGMA_LOG_H

#include <stdbool.h>
#include <stdint.h>

enum log_dest {
	LOGDEST_STDERR,
	LOGDEST_SYSLOG,
};

/* Levels, lowest to highest verbosity. */
enum log_level {
	LOGLVL_ERR,
	LOGLVL_WARN,
	LOGLVL_INFO,
	LOGLVL_DEBUG,
};

#define LOG_PRINTF(a, b) __attribute__((format(printf, a, b)))

/*
 * ident: program name for syslog/stderr prefix; verbose: 0 info, 1 debug.
 * LOGDEST_STDERR on the systemd journal (JOURNAL_STREAM matches fd 2):
 * lines carry a "<N>" syslog priority prefix instead of the ident, so
 * journalctl -p filters and colours them.
 */
void log_init(enum log_dest dest, int verbose, const char *ident);
void log_setverbose(int verbose);
/* Whether env ("DEV:INO", JOURNAL_STREAM's form) names dev/ino exactly. */
bool log_journal_match(const char *env, unsigned long long dev,
    unsigned long long ino);
int log_getverbose(void);

void log_warn(const char *fmt, ...) LOG_PRINTF(1, 2);	/* + strerror */
void log_warnx(const char *fmt, ...) LOG_PRINTF(1, 2);
void log_info(const char *fmt, ...) LOG_PRINTF(1, 2);
void log_debug(const char *fmt, ...) LOG_PRINTF(1, 2);
/* At a level chosen at run time (LOGLVL_DEBUG only when verbose). */
void log_msg(enum log_level level, const char *fmt, ...) LOG_PRINTF(2, 3);
__attribute__((noreturn)) void fatal(const char *fmt, ...) LOG_PRINTF(1, 2);
__attribute__((noreturn)) void fatalx(const char *fmt, ...) LOG_PRINTF(1, 2);

/*
 * Token bucket for messages caused by guests: at most burst messages, then
 * one per interval_ms.  Zero-initialise with LOG_RATELIMIT_INIT.
 */
struct log_ratelimit {
	uint32_t interval_ms;
	uint32_t burst;
	uint32_t tokens;
	uint32_t suppressed;	/* messages dropped since the last one let through */
	uint64_t last_ms;
	bool primed;
};

#define LOG_RATELIMIT_INIT(interval, burst_n) \
	{ .interval_ms = (interval), .burst = (burst_n) }

/*
 * Returns true if a message may be logged now.  When it returns true and
 * messages were dropped before, *suppressed_out (if not NULL) gets their
 * count (else 0), so the caller can say "(N similar suppressed)".
 */
bool log_ratelimit(struct log_ratelimit *rl, uint64_t now_ms,
    uint32_t *suppressed_out);

/*
 * Copy at most dstlen-1 bytes of untrusted data into dst as printable ASCII,
 * escaping anything else as \xHH, truncating with "..." if needed.  For logging
 * guest strings safely.  dst is always NUL-terminated (dstlen >= 4).
 */
void log_escape(char *dst, size_t dstlen, const char *untrusted, size_t len);

#endif
