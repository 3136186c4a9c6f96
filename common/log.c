/*
 * log.c - the one logger (after OpenBSD ntpd's log.c).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <sys/stat.h>

#include "log.h"
#include "num.h"

static enum log_dest log_dest = LOGDEST_STDERR;
static int log_verbose;
static const char *log_ident = "cagma";
static bool log_journal;	/* stderr is the systemd journal */

bool
log_journal_match(const char *env, unsigned long long dev,
    unsigned long long ino)
{
	const char *colon;
	uint64_t d, i;

	if (env == NULL || (colon = strchr(env, ':')) == NULL ||
	    num_parse_u64(env, (size_t)(colon - env), 0, UINT64_MAX, &d) != 0 ||
	    num_parse_u64(colon + 1, strlen(colon + 1), 0, UINT64_MAX,
	    &i) != 0)
		return false;
	return d == dev && i == ino;
}

/*
 * systemd sets JOURNAL_STREAM to the "device:inode" of the stream it
 * connects to stdout/stderr; it still matches fd 2 only if nobody
 * redirected stderr since (sd_journal_stream_fd(3), systemd.exec(5)).
 */
static bool
log_stderr_is_journal(void)
{
	struct stat st;

	if (fstat(2, &st) != 0)
		return false;
	return log_journal_match(getenv("JOURNAL_STREAM"),
	    (unsigned long long)st.st_dev, (unsigned long long)st.st_ino);
}

void
log_init(enum log_dest dest, int verbose, const char *ident)
{
	log_dest = dest;
	log_verbose = verbose;
	if (ident != NULL)
		log_ident = ident;
	if (dest == LOGDEST_SYSLOG)
		openlog(log_ident, LOG_PID | LOG_NDELAY, LOG_DAEMON);
	else
		log_journal = log_stderr_is_journal();
}

void
log_setverbose(int verbose)
{
	log_verbose = verbose;
}

int
log_getverbose(void)
{
	return log_verbose;
}

static void
log_vemit(int prio, const char *fmt, va_list ap, const char *suffix)
{
	char line[1024];
	int saved = errno;

	vsnprintf(line, sizeof(line), fmt, ap);
	if (log_dest == LOGDEST_SYSLOG) {
		if (suffix != NULL)
			syslog(prio, "%s: %s", line, suffix);
		else
			syslog(prio, "%s", line);
	} else if (log_journal) {
		/* "<N>" sets the journal priority; it adds the ident itself */
		if (suffix != NULL)
			fprintf(stderr, "<%d>%s: %s\n", prio, line, suffix);
		else
			fprintf(stderr, "<%d>%s\n", prio, line);
		fflush(stderr);
	} else {
		if (suffix != NULL)
			fprintf(stderr, "%s: %s: %s\n", log_ident, line, suffix);
		else
			fprintf(stderr, "%s: %s\n", log_ident, line);
		fflush(stderr);
	}
	errno = saved;
}

void
log_warn(const char *fmt, ...)
{
	const char *err = strerror(errno);
	va_list ap;

	va_start(ap, fmt);
	log_vemit(LOG_WARNING, fmt, ap, err);
	va_end(ap);
}

void
log_warnx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vemit(LOG_WARNING, fmt, ap, NULL);
	va_end(ap);
}

void
log_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vemit(LOG_INFO, fmt, ap, NULL);
	va_end(ap);
}

void
log_debug(const char *fmt, ...)
{
	va_list ap;

	if (log_verbose < 1)
		return;
	va_start(ap, fmt);
	log_vemit(LOG_DEBUG, fmt, ap, NULL);
	va_end(ap);
}

void
log_msg(enum log_level level, const char *fmt, ...)
{
	static const int prio[] = {
		[LOGLVL_ERR] = LOG_ERR,
		[LOGLVL_WARN] = LOG_WARNING,
		[LOGLVL_INFO] = LOG_INFO,
		[LOGLVL_DEBUG] = LOG_DEBUG,
	};
	va_list ap;

	if (level > LOGLVL_DEBUG)
		level = LOGLVL_DEBUG;
	if (level == LOGLVL_DEBUG && log_verbose < 1)
		return;
	va_start(ap, fmt);
	log_vemit(prio[level], fmt, ap, NULL);
	va_end(ap);
}

void
fatal(const char *fmt, ...)
{
	const char *err = strerror(errno);
	va_list ap;

	va_start(ap, fmt);
	log_vemit(LOG_CRIT, fmt, ap, err);
	va_end(ap);
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vemit(LOG_CRIT, fmt, ap, NULL);
	va_end(ap);
	exit(1);
}

bool
log_ratelimit(struct log_ratelimit *rl, uint64_t now_ms,
    uint32_t *suppressed_out)
{
	uint64_t refill;

	if (!rl->primed) {
		rl->tokens = rl->burst;
		rl->last_ms = now_ms;
		rl->primed = true;
	}
	if (rl->interval_ms != 0 && now_ms > rl->last_ms) {
		refill = (now_ms - rl->last_ms) / rl->interval_ms;
		if (refill > 0) {
			uint64_t t = rl->tokens + refill;

			rl->tokens = t > rl->burst ? rl->burst : (uint32_t)t;
			rl->last_ms += refill * rl->interval_ms;
		}
	}
	if (rl->tokens == 0) {
		rl->suppressed++;
		return false;
	}
	rl->tokens--;
	if (suppressed_out != NULL)
		*suppressed_out = rl->suppressed;
	rl->suppressed = 0;
	return true;
}

void
log_escape(char *dst, size_t dstlen, const char *untrusted, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	size_t o = 0, i;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)untrusted[i];
		size_t need = (c >= 0x20 && c < 0x7f && c != '\\') ? 1 : 4;

		if (o + need + 4 > dstlen) {	/* room for "..." + NUL */
			memcpy(dst + o, "...", 3);
			o += 3;
			break;
		}
		if (need == 1) {
			dst[o++] = (char)c;
		} else {
			dst[o++] = '\\';
			dst[o++] = 'x';
			dst[o++] = hex[c >> 4];
			dst[o++] = hex[c & 15];
		}
	}
	dst[o] = '\0';
}
