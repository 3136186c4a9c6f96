/*
 * config.c - ini loading over libinih, with exact file:line errors.
 */
#include <errno.h>
#include <ini.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "config.h"
#include "num.h"

struct config_ctx {
	config_handler fn;
	void *user;
	const char *name;
	unsigned line;		/* line being parsed, counted by our reader */
	bool failed;
	char *err;
	size_t errlen;
	/* source: a FILE or a string cursor */
	FILE *fp;
	const char *cursor;
};

static char *
config_reader(char *str, int num, void *stream)
{
	struct config_ctx *ctx = stream;
	const char *nl;
	size_t n;

	if (ctx->fp != NULL) {
		if (fgets(str, num, ctx->fp) == NULL)
			return NULL;
	} else {
		if (ctx->cursor == NULL || *ctx->cursor == '\0')
			return NULL;
		nl = strchr(ctx->cursor, '\n');
		n = nl != NULL ? (size_t)(nl - ctx->cursor) + 1 :
		    strlen(ctx->cursor);
		if (n > (size_t)num - 1)
			n = (size_t)num - 1;
		memcpy(str, ctx->cursor, n);
		str[n] = '\0';
		ctx->cursor += n;
	}
	ctx->line++;
	return str;
}

static int
config_handle(void *user, const char *section, const char *key,
    const char *value)
{
	struct config_ctx *ctx = user;
	char msg[CONFIG_ERR_MAX];

	if (ctx->failed)
		return 1;	/* report only the first error */
	msg[0] = '\0';
	if (ctx->fn(ctx->user, section, key, value, msg, sizeof(msg)) == 0)
		return 1;
	snprintf(ctx->err, ctx->errlen, "%s:%u: %s", ctx->name, ctx->line,
	    msg[0] != '\0' ? msg : "invalid setting");
	ctx->failed = true;
	return 0;
}

static int
config_run(struct config_ctx *ctx)
{
	int line = ini_parse_stream(config_reader, ctx, config_handle, ctx);

	if (ctx->failed)
		return -EINVAL;
	if (line > 0) {
		snprintf(ctx->err, ctx->errlen, "%s:%d: syntax error "
		    "(expected [section] or key = value)", ctx->name, line);
		return -EINVAL;
	}
	if (line < 0) {
		snprintf(ctx->err, ctx->errlen, "%s: out of memory", ctx->name);
		return -ENOMEM;
	}
	return 0;
}

int
config_parse_file(const char *path, config_handler fn, void *user, char *err,
    size_t errlen)
{
	struct config_ctx ctx = { .fn = fn, .user = user, .name = path,
	    .err = err, .errlen = errlen };
	int rc;

	ctx.fp = fopen(path, "re");
	if (ctx.fp == NULL) {
		rc = -errno;
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return rc;
	}
	rc = config_run(&ctx);
	fclose(ctx.fp);
	return rc;
}

int
config_parse_string(const char *name, const char *text, config_handler fn,
    void *user, char *err, size_t errlen)
{
	struct config_ctx ctx = { .fn = fn, .user = user, .name = name,
	    .err = err, .errlen = errlen, .cursor = text };

	return config_run(&ctx);
}

/* Split "<digits><suffix>" and look the suffix up in a table. */
static int
config_parse_scaled(const char *s, const char *const *sfx,
    const uint64_t *mult, uint64_t min, uint64_t max, uint64_t *out)
{
	size_t n = strspn(s, "0123456789");
	uint64_t v, m = 0;
	int i, rc;

	for (i = 0; sfx[i] != NULL; i++)
		if (strcasecmp(s + n, sfx[i]) == 0) {
			m = mult[i];
			break;
		}
	if (m == 0)
		return -EINVAL;
	rc = num_parse_u64(s, n, 0, UINT64_MAX / m, &v);
	if (rc != 0)
		return rc;
	v *= m;
	if (v < min || v > max)
		return -ERANGE;
	*out = v;
	return 0;
}

int
config_parse_size_kb(const char *s, uint64_t min_kb, uint64_t max_kb,
    uint64_t *out)
{
	static const char *const sfx[] = { "", "K", "KiB", "M", "MiB", "G",
	    "GiB", NULL };
	static const uint64_t mult[] = { 1, 1, 1, 1024, 1024, 1048576,
	    1048576 };

	return config_parse_scaled(s, sfx, mult, min_kb, max_kb, out);
}

int
config_parse_ms(const char *s, uint64_t min_ms, uint64_t max_ms,
    uint64_t *out)
{
	static const char *const sfx[] = { "", "ms", "s", NULL };
	static const uint64_t mult[] = { 1, 1, 1000 };

	return config_parse_scaled(s, sfx, mult, min_ms, max_ms, out);
}

int
config_parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	return num_parse_u64(s, strlen(s), min, max, out);
}

int
config_parse_bool(const char *s, bool *out)
{
	static const char *const yes[] = { "yes", "true", "on", "1", NULL };
	static const char *const no[] = { "no", "false", "off", "0", NULL };
	int i;

	for (i = 0; yes[i] != NULL; i++)
		if (strcasecmp(s, yes[i]) == 0) {
			*out = true;
			return 0;
		}
	for (i = 0; no[i] != NULL; i++)
		if (strcasecmp(s, no[i]) == 0) {
			*out = false;
			return 0;
		}
	return -EINVAL;
}
