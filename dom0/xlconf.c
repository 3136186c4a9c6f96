/*
 * xlconf.c - the xl.conf keys cagmad cares about (xlconf.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "xlconf.h"

static bool
xlconf_space(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\r';
}

/* The value of one line: "string" or a bare token; false if malformed. */
static bool
xlconf_value(const char *p, const char *end, const char **v_out,
    size_t *vlen_out)
{
	const char *v;

	while (p < end && xlconf_space(*p))
		p++;
	if (p < end && *p == '"') {
		v = ++p;
		while (p < end && *p != '"')
			p++;
		if (p == end)
			return false;
		*v_out = v;
		*vlen_out = (size_t)(p - v);
		p++;
	} else {
		v = p;
		while (p < end && !xlconf_space(*p) && *p != '#' && *p != ';')
			p++;
		if (p == v)
			return false;
		*v_out = v;
		*vlen_out = (size_t)(p - v);
	}
	while (p < end && (xlconf_space(*p) || *p == ';'))
		p++;
	return p == end || *p == '#';
}

static bool
xlconf_is(const char *v, size_t len, const char *word)
{
	return len == strlen(word) && memcmp(v, word, len) == 0;
}

/* One line; false if it sets one of the two keys and does not parse. */
static bool
xlconf_line(const char *p, const char *end, struct xlconf *out)
{
	const char *key, *v;
	size_t klen, vlen;

	while (p < end && xlconf_space(*p))
		p++;
	key = p;
	while (p < end && *p != '=' && !xlconf_space(*p) && *p != '#')
		p++;
	klen = (size_t)(p - key);
	if (!xlconf_is(key, klen, "autoballoon") &&
	    !xlconf_is(key, klen, "claim_mode"))
		return true;	/* another key, a comment, a blank line */
	while (p < end && xlconf_space(*p))
		p++;
	if (p == end || *p != '=' || !xlconf_value(p + 1, end, &v, &vlen))
		return false;
	if (xlconf_is(key, klen, "claim_mode")) {
		if (xlconf_is(v, vlen, "0") || xlconf_is(v, vlen, "1")) {
			out->claim_mode = v[0] - '0';
			return true;
		}
		return false;
	}
	if (xlconf_is(v, vlen, "off") || xlconf_is(v, vlen, "0"))
		out->autoballoon = XLCONF_AB_OFF;
	else if (xlconf_is(v, vlen, "on") || xlconf_is(v, vlen, "1"))
		out->autoballoon = XLCONF_AB_ON;
	else if (xlconf_is(v, vlen, "auto"))
		out->autoballoon = XLCONF_AB_AUTO;
	else
		return false;
	return true;
}

/* See xlconf.h. */
void
xlconf_parse(const char *buf, size_t len, struct xlconf *out)
{
	const char *p = buf, *end = buf + len, *nl;
	unsigned line = 0;

	out->autoballoon = XLCONF_AB_UNSET;
	out->claim_mode = -1;
	out->bad_line = 0;
	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL)
			nl = end;
		line++;
		if ((memchr(p, '\0', (size_t)(nl - p)) != NULL ||
		    !xlconf_line(p, nl, out)) && out->bad_line == 0)
			out->bad_line = line;
		p = nl < end ? nl + 1 : end;
	}
}

/* See xlconf.h. */
int
xlconf_check(const char *path)
{
	struct xlconf x;
	char *buf = NULL;
	ssize_t r;
	size_t len = 0;
	int fd = -1, warned = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		buf = malloc(XLCONF_MAX_LEN);
		if (buf == NULL)
			fatalx("out of memory");
		while (len < XLCONF_MAX_LEN && (r = read(fd, buf + len,
		    XLCONF_MAX_LEN - len)) > 0)
			len += (size_t)r;
		close(fd);
	} else if (errno != ENOENT) {
		log_warn("%s", path);
	}
	xlconf_parse(buf != NULL ? buf : "", len, &x);
	free(buf);
	if (x.bad_line != 0) {
		log_warnx("%s:%u: autoballoon or claim_mode not understood",
		    path, x.bad_line);
		warned++;
	}
	if (x.autoballoon != XLCONF_AB_OFF) {
		log_warnx("%s: autoballoon is %s: xl may shrink dom0 to make "
		    "room for a new domain behind cagmad's back; set "
		    "autoballoon=\"off\" and a fixed dom0_mem= (cagmad(8), "
		    "Starting VMs)", path, x.autoballoon == XLCONF_AB_ON ?
		    "on" : "auto (safe only with dom0_mem= on Xen's command "
		    "line)");
		warned++;
	}
	if (x.claim_mode == 0) {
		log_warnx("%s: claim_mode=0: a plain xl create stakes no "
		    "claim, so cagmad cannot see the memory a domain being "
		    "built will take; set claim_mode=1 or start domains with "
		    "cagmactl create", path);
		warned++;
	}
	return warned;
}
