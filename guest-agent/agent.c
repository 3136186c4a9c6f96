/*
 * agent.c - cagma-agent settings and loop step (agent.h).
 */
#define _GNU_SOURCE	/* ppoll */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "agent.h"
#include "config.h"
#include "mtime.h"
#include "record.h"

#define AGENT_MAX_INTERVAL_MS	60000
#define AGENT_MAX_HEARTBEAT_MS	3600000
#define AGENT_MAX_GAP_MS	60000
#define AGENT_PSI_MIN_WINDOW_MS	500	/* kernel limits for a trigger */
#define AGENT_PSI_MAX_WINDOW_MS	10000

void
agent_cfg_defaults(struct agent_cfg *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	snprintf(cfg->proc_root, sizeof(cfg->proc_root), "%s", AGENT_DEF_PROC);
	cfg->interval_ms = AGENT_DEF_INTERVAL_MS;
	cfg->interval_max_ms = AGENT_DEF_INTERVAL_MAX_MS;
	cfg->report.thresh_kb = REPORT_DEF_THRESH_KB;
	cfg->report.thresh_pct100 = REPORT_DEF_THRESH_PCT100;
	cfg->report.heartbeat_ms = REPORT_DEF_HEARTBEAT_MS;
	cfg->report.kswapd_burst_pages = REPORT_DEF_KSWAPD_BURST;
	cfg->report.urgent_gap_ms = REPORT_DEF_URGENT_GAP_MS;
	cfg->transport = AGENT_TR_AUTO;
	snprintf(cfg->port, sizeof(cfg->port), "%s", VPORT_DEF_PATH);
	cfg->psi.enable = true;
	cfg->psi.stall_us = AGENT_DEF_PSI_STALL_MS * 1000;
	cfg->psi.window_us = AGENT_DEF_PSI_WINDOW_MS * 1000;
}

/* Settings that take a duration in ms: key, bounds, destination. */
static int
agent_cfg_set_ms(struct agent_cfg *cfg, const char *key, const char *value,
    char *err, size_t errlen)
{
	uint64_t v, lo = 0, hi = AGENT_MAX_GAP_MS, *dst = NULL;
	uint32_t *dst_us = NULL;

	if (strcmp(key, "interval") == 0) {
		lo = 1, hi = AGENT_MAX_INTERVAL_MS, dst = &cfg->interval_ms;
	} else if (strcmp(key, "interval_max") == 0) {
		lo = 1, hi = AGENT_MAX_INTERVAL_MS, dst = &cfg->interval_max_ms;
	} else if (strcmp(key, "heartbeat") == 0) {
		lo = 1, hi = AGENT_MAX_HEARTBEAT_MS;
		dst = &cfg->report.heartbeat_ms;
	} else if (strcmp(key, "urgent_gap") == 0) {
		dst = &cfg->report.urgent_gap_ms;
	} else if (strcmp(key, "psi_stall") == 0) {
		lo = 1, hi = AGENT_PSI_MAX_WINDOW_MS, dst_us = &cfg->psi.stall_us;
	} else if (strcmp(key, "psi_window") == 0) {
		lo = AGENT_PSI_MIN_WINDOW_MS, hi = AGENT_PSI_MAX_WINDOW_MS;
		dst_us = &cfg->psi.window_us;
	} else {
		return -ENOENT;
	}
	if (config_parse_ms(value, lo, hi, &v) != 0) {
		snprintf(err, errlen, "%s: expected a duration between "
		    "%llums and %llums (e.g. \"100ms\", \"5s\")", key,
		    (unsigned long long)lo, (unsigned long long)hi);
		return -EINVAL;
	}
	if (dst != NULL)
		*dst = v;
	else
		*dst_us = (uint32_t)(v * 1000);
	return 0;
}

int
agent_cfg_set(struct agent_cfg *cfg, const char *key, const char *value,
    char *err, size_t errlen)
{
	uint64_t v;
	int rc;

	rc = agent_cfg_set_ms(cfg, key, value, err, errlen);
	if (rc != -ENOENT)
		return rc;
	if (strcmp(key, "proc") == 0) {
		if (value[0] == '\0' || strlen(value) >= sizeof(cfg->proc_root))
			goto bad;
		snprintf(cfg->proc_root, sizeof(cfg->proc_root), "%s", value);
	} else if (strcmp(key, "threshold") == 0) {
		if (config_parse_size_kb(value, 0, CG_MAX_KB, &v) != 0)
			goto bad;
		cfg->report.thresh_kb = v;
	} else if (strcmp(key, "threshold_pct") == 0) {
		if (config_parse_u64(value, 0, 100, &v) != 0)
			goto bad;
		cfg->report.thresh_pct100 = (uint32_t)(v * 100);
	} else if (strcmp(key, "kswapd_burst") == 0) {
		if (config_parse_u64(value, 0, CG_MAX_COUNT, &v) != 0)
			goto bad;
		cfg->report.kswapd_burst_pages = v;
	} else if (strcmp(key, "transport") == 0) {
		if (agent_transport_parse(value, &cfg->transport) != 0)
			goto bad;
	} else if (strcmp(key, "port") == 0) {
		if (value[0] == '\0' || strlen(value) >= sizeof(cfg->port))
			goto bad;
		snprintf(cfg->port, sizeof(cfg->port), "%s", value);
	} else if (strcmp(key, "psi_trigger") == 0) {
		if (config_parse_bool(value, &cfg->psi.enable) != 0)
			goto bad;
	} else {
		snprintf(err, errlen, "unknown setting \"%s\"", key);
		return -EINVAL;
	}
	return 0;
bad:
	snprintf(err, errlen, "%s: invalid value \"%s\" (see "
	    "cagma-agent(8))", key, value);
	return -EINVAL;
}

static int
agent_cfg_handler(void *user, const char *section, const char *key,
    const char *value, char *err, size_t errlen)
{
	if (section[0] != '\0' && strcmp(section, "agent") != 0) {
		snprintf(err, errlen, "unknown section [%s] (expected "
		    "[agent])", section);
		return -EINVAL;
	}
	return agent_cfg_set(user, key, value, err, errlen);
}

int
agent_cfg_load(struct agent_cfg *cfg, const char *path, char *err,
    size_t errlen)
{
	return config_parse_file(path, agent_cfg_handler, cfg, err, errlen);
}

int
agent_cfg_check(const struct agent_cfg *cfg, char *err, size_t errlen)
{
	if (cfg->psi.stall_us > cfg->psi.window_us) {
		snprintf(err, errlen, "psi_stall (%ums) must not exceed "
		    "psi_window (%ums)", cfg->psi.stall_us / 1000,
		    cfg->psi.window_us / 1000);
		return -EINVAL;
	}
	return 0;
}

int
agent_init(struct agent *a, const struct agent_cfg *cfg, int out_fd)
{
	struct log_ratelimit rl = LOG_RATELIMIT_INIT(10000, 3);
	int rc;

	memset(&a->rs, 0, sizeof(a->rs));
	a->cfg = *cfg;
	a->fifo_fd = -1;
	a->out_fd = out_fd;
	a->seq = 0;
	a->next_sample_ms = 0;
	a->period_ms = cfg->interval_ms;
	a->have_last = false;
	a->hold_until_ms = 0;
	a->samples = a->publishes = a->urgent_publishes = 0;
	a->rl = rl;
	agent_pub_init(&a->pub, cfg->transport, cfg->port);
	rc = sample_open(&a->smp, cfg->proc_root, &cfg->psi);
	if (rc != 0)
		return rc;
	if (cfg->trigger_fifo[0] != '\0') {
		/* O_RDWR: we hold a writer, so no POLLHUP when tests close. */
		a->fifo_fd = open(cfg->trigger_fifo,
		    O_RDWR | O_NONBLOCK | O_CLOEXEC);
		if (a->fifo_fd < 0) {
			rc = -errno;
			log_warn("%s: cannot open trigger FIFO",
			    cfg->trigger_fifo);
			sample_close(&a->smp);
			return rc;
		}
	}
	return 0;
}

int
agent_connect(struct agent *a, uint64_t now_ms)
{
	int rc;

	if (a->cfg.dry_run || agent_pub_up(&a->pub))
		return 0;
	rc = agent_pub_connect(&a->pub, now_ms);
	if (rc == 0)
		report_reset(&a->rs);	/* publish at once after (re)connect */
	return rc;
}

void
agent_reconnect(struct agent *a)
{
	if (a->cfg.dry_run)
		return;
	agent_pub_close(&a->pub);
	agent_pub_init(&a->pub, a->cfg.transport, a->cfg.port);
	(void)agent_connect(a, mtime_ms());
}

static uint64_t
agent_boot_ms(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_BOOTTIME, &ts) != 0)
		return 0;
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static int
agent_write_all(int fd, const char *buf, size_t len)
{
	ssize_t n;

	while (len > 0) {
		n = write(fd, buf, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/* agent_emit() results besides -errno (dry-run output lost). */
enum {
	AGENT_EMIT_LOST = 0,	/* connection lost; resent after reconnect */
	AGENT_EMIT_OK = 1,	/* written */
	AGENT_EMIT_DROPPED = 2,	/* refused; retried at the next heartbeat */
	AGENT_EMIT_BUSY = 3,	/* port full: the next sample tries again */
};

/* Encode and write one record. */
static int
agent_emit(struct agent *a, const struct sample *s, uint32_t why,
    uint64_t now_ms)
{
	struct cg_record rec;
	bool urgent = (why & REPORT_URGENT_MASK) != 0;
	uint64_t seq = report_next_seq(a->seq, agent_boot_ms());
	int n, rc;

	report_build(s, seq, urgent, &rec);
	n = record_encode(&rec, a->rec_buf, sizeof(a->rec_buf) - 1);
	if (n < 0) {
		if (log_ratelimit(&a->rl, now_ms, NULL))
			log_warnx("internal error: record_encode: %s",
			    strerror(-n));
		return AGENT_EMIT_DROPPED;
	}
	a->seq = seq;
	if (a->cfg.dry_run) {
		a->rec_buf[n] = '\n';
		rc = agent_write_all(a->out_fd, a->rec_buf, (size_t)n + 1);
		if (rc != 0) {
			errno = -rc;
			log_warn("cannot write the record to stdout");
			return rc;
		}
		return AGENT_EMIT_OK;
	}
	switch (agent_pub_publish(&a->pub, a->rec_buf, (size_t)n, now_ms,
	    &rc)) {
	case AGENT_PUB_OK:
		return AGENT_EMIT_OK;
	case AGENT_PUB_BUSY:
		log_debug("%s: port full or no host side: record seq=%llu "
		    "dropped", agent_pub_where(&a->pub),
		    (unsigned long long)seq);
		return AGENT_EMIT_BUSY;
	case AGENT_PUB_REFUSED:
		if (log_ratelimit(&a->rl, now_ms, NULL)) {
			errno = rc;
			log_warn("%s refused the record",
			    agent_pub_where(&a->pub));
		}
		return AGENT_EMIT_DROPPED;
	case AGENT_PUB_LOST:
		break;
	}
	return AGENT_EMIT_LOST;
}

int
agent_sample_publish(struct agent *a, bool psi_fired, bool force,
    uint64_t now_ms)
{
	struct report_vals v;
	struct sample s;
	char why_buf[80];
	uint32_t why;
	int rc;

	rc = sample_read(&a->smp, &s);
	if (rc != 0) {
		a->hold_until_ms = now_ms + a->cfg.interval_ms;
		if (log_ratelimit(&a->rl, now_ms, NULL)) {
			errno = -rc;
			log_warn("cannot sample %s", a->smp.root);
		}
		return AGENT_SAMPLE_FAILED;
	}
	a->samples++;
	report_vals_from_sample(&s, &v);
	a->period_ms = report_interval_ms(a->cfg.interval_ms,
	    a->cfg.interval_max_ms, &v, a->have_last ? &a->last_vals : NULL,
	    now_ms > a->last_ms ? now_ms - a->last_ms : 0);
	a->last_vals = v;
	a->last_ms = now_ms;
	a->have_last = true;
	why = report_decide(&a->cfg.report, &a->rs, &v, psi_fired, now_ms);
	if (force && why == 0)
		why = REPORT_FIRST;
	if (why == 0 || (!a->cfg.dry_run && !agent_pub_up(&a->pub)))
		return 0;
	rc = agent_emit(a, &s, why, now_ms);
	if (rc < 0)
		return rc;
	if (rc == AGENT_EMIT_LOST)
		return 0;
	if (rc == AGENT_EMIT_BUSY) {
		/* not published: the next sample decides (and tries) again */
		a->hold_until_ms = now_ms + a->period_ms;
		return 0;
	}
	report_published(&a->rs, &v, why, now_ms);
	if (rc != AGENT_EMIT_OK)
		return 0;
	a->publishes++;
	if (why & REPORT_URGENT_MASK)
		a->urgent_publishes++;
	log_debug("published seq=%llu (%s)", (unsigned long long)a->seq,
	    report_why_str(why, why_buf, sizeof(why_buf)));
	return 1;
}

/* When the next piece of work is due (ms). */
static uint64_t
agent_deadline(const struct agent *a)
{
	uint64_t d = a->next_sample_ms, w;
	bool can_publish = a->cfg.dry_run || agent_pub_up(&a->pub);

	if (!can_publish && agent_pub_retry_at_ms(&a->pub) < d)
		d = agent_pub_retry_at_ms(&a->pub);
	if (can_publish) {
		w = report_wake_ms(&a->cfg.report, &a->rs);
		if (w < a->hold_until_ms)
			w = a->hold_until_ms;
		if (w < d)
			d = w;
	}
	return d;
}

/* Poll the PSI trigger and the test FIFO; true if either fired. */
static int
agent_wait(struct agent *a, uint64_t timeout_ms, const sigset_t *sigmask,
    bool *fired_out)
{
	struct pollfd pfd[2];
	struct timespec ts = mtime_ms_to_ts(timeout_ms);
	nfds_t n = 0;
	int psi_i = -1, fifo_i = -1, rc;
	char drain[64];

	if (a->smp.psi_trigger) {
		pfd[n] = (struct pollfd){ .fd = a->smp.psi_fd, .events = POLLPRI };
		psi_i = (int)n++;
	}
	if (a->fifo_fd >= 0) {
		pfd[n] = (struct pollfd){ .fd = a->fifo_fd, .events = POLLIN };
		fifo_i = (int)n++;
	}
	*fired_out = false;
	rc = ppoll(pfd, n, &ts, sigmask);
	if (rc < 0)
		return errno == EINTR ? 0 : -errno;
	if (psi_i >= 0 && (pfd[psi_i].revents & POLLPRI))
		*fired_out = true;
	else if (psi_i >= 0 && (pfd[psi_i].revents & (POLLERR | POLLNVAL)))
		sample_trigger_lost(&a->smp);
	if (fifo_i >= 0 && (pfd[fifo_i].revents & POLLIN)) {
		*fired_out = true;
		while (read(a->fifo_fd, drain, sizeof(drain)) > 0)
			;
	}
	return 0;
}

int
agent_step(struct agent *a, const sigset_t *sigmask)
{
	uint64_t now = mtime_ms(), deadline = agent_deadline(a);
	bool fired = false, due;
	int rc;

	rc = agent_wait(a, deadline > now ? deadline - now : 0, sigmask,
	    &fired);
	if (rc != 0)
		return rc;
	now = mtime_ms();
	if (!a->cfg.dry_run && !agent_pub_up(&a->pub) &&
	    now >= agent_pub_retry_at_ms(&a->pub))
		(void)agent_connect(a, now);
	due = fired || now >= agent_deadline(a);
	if (!due)
		return 0;	/* signal or early wake-up */
	rc = agent_sample_publish(a, fired, false, now);
	if (rc < 0)
		return rc;	/* dry-run output lost */
	/* the next sample after the period this one called for */
	if (now >= a->next_sample_ms || a->next_sample_ms > now + a->period_ms)
		a->next_sample_ms = now + a->period_ms;
	if (a->cfg.max_samples != 0 && a->samples >= a->cfg.max_samples)
		return 1;
	return 0;
}

void
agent_fini(struct agent *a)
{
	agent_pub_close(&a->pub);
	sample_close(&a->smp);
	if (a->fifo_fd >= 0)
		close(a->fifo_fd);
	a->fifo_fd = -1;
}
