/*
 * xlcfg.c - a domain's memory from `xl create -n` output (xlcfg.h).
 */
#include <errno.h>
#include <string.h>

#include "num.h"
#include "xlcfg.h"

#define XLCFG_KB_MAX	(1ULL << 40)	/* 1 PiB */

/*
 * The value after key: JSON `"key": VALUE` or SXP `(key VALUE`.  Writes
 * where it starts; returns how many times key occurs (0: absent).
 */
static int
xlcfg_find(const char *buf, size_t len, const char *key, const char **v_out)
{
	size_t klen = strlen(key), i;
	const char *p;
	int found = 0;

	for (i = 0; i + klen + 2 <= len; i++) {
		p = buf + i;
		if (memcmp(p + 1, key, klen) != 0)
			continue;
		if (p[0] == '"' && p[klen + 1] == '"') {
			p += klen + 2;
			while (p < buf + len && (*p == ' ' || *p == '\t'))
				p++;
			if (p == buf + len || *p != ':')
				continue;
			p++;
		} else if (p[0] == '(' && p[klen + 1] == ' ') {
			p += klen + 1;
		} else {
			continue;
		}
		while (p < buf + len && (*p == ' ' || *p == '\t'))
			p++;
		if (found++ == 0)
			*v_out = p;
	}
	return found;
}

/* A number value of key; 0, -ENOENT (absent), -EINVAL, -ERANGE. */
static int
xlcfg_num(const char *buf, size_t len, const char *key, uint64_t max,
    uint64_t *out)
{
	const char *v = NULL, *e;
	int n = xlcfg_find(buf, len, key, &v);

	if (n == 0)
		return -ENOENT;
	if (n > 1)
		return -EINVAL;	/* ambiguous: refuse rather than guess */
	for (e = v; e < buf + len && *e >= '0' && *e <= '9'; e++)
		;
	if (e == v || (e < buf + len && *e != ',' && *e != ')' &&
	    *e != '\n' && *e != ' ' && *e != '}' && *e != '\r'))
		return -EINVAL;
	return num_parse_u64(v, (size_t)(e - v), 0, max, out);
}

/* A string value of key (first occurrence) into out; false if none. */
static bool
xlcfg_str(const char *buf, size_t len, const char *key, char *out,
    size_t cap)
{
	const char *v = NULL, *e;
	size_t n;

	if (xlcfg_find(buf, len, key, &v) == 0)
		return false;
	if (v < buf + len && *v == '"')
		v++;
	for (e = v; e < buf + len && *e != '"' && *e != ')' && *e != '\n' &&
	    *e != ' '; e++)
		;
	n = (size_t)(e - v);
	if (n == 0 || n >= cap)
		return false;
	memcpy(out, v, n);
	out[n] = '\0';
	return true;
}

/* See xlcfg.h. */
int
xlcfg_parse(const char *buf, size_t len, struct xlcfg *out)
{
	struct xlcfg c;
	char type[16];
	uint64_t hvm;
	int rc;

	memset(&c, 0, sizeof(c));
	rc = xlcfg_num(buf, len, "target_memkb", XLCFG_KB_MAX, &c.target_kb);
	if (rc != 0)
		return rc == -ENOENT ? -EINVAL : rc;
	if (c.target_kb == 0)
		return -EINVAL;
	rc = xlcfg_num(buf, len, "max_memkb", XLCFG_KB_MAX, &c.max_kb);
	if (rc == -ENOENT)
		c.max_kb = c.target_kb;
	else if (rc != 0)
		return rc;
	rc = xlcfg_num(buf, len, "max_vcpus", 4096, &c.vcpus);
	if (rc == -ENOENT || (rc == 0 && c.vcpus == 0))
		c.vcpus = 1;
	else if (rc != 0)
		return rc;
	rc = xlcfg_num(buf, len, "shadow_memkb", XLCFG_KB_MAX, &c.shadow_kb);
	c.has_shadow = rc == 0;
	if (rc != 0 && rc != -ENOENT)
		return rc;
	rc = xlcfg_num(buf, len, "video_memkb", XLCFG_KB_MAX, &c.video_kb);
	c.has_video = rc == 0;
	if (rc != 0 && rc != -ENOENT)
		return rc;
	if (xlcfg_str(buf, len, "type", type, sizeof(type)))
		c.hvm = strcmp(type, "hvm") == 0 || strcmp(type, "pvh") == 0;
	/* SXP has no type but (hvm 0|1); an unclear one counts as HVM
	 * (the larger overhead: a reservation too big, never too small) */
	rc = xlcfg_num(buf, len, "hvm", 1, &hvm);
	if (rc == 0)
		c.hvm = c.hvm || hvm == 1;
	else if (rc != -ENOENT)
		c.hvm = true;
	(void)xlcfg_str(buf, len, "name", c.name, sizeof(c.name));
	if (c.max_kb < c.target_kb)
		c.max_kb = c.target_kb;
	*out = c;
	return 0;
}

/* See xlcfg.h. */
uint64_t
xlcfg_overhead_kb(const struct xlcfg *c)
{
	uint64_t kb = 0, need;

	if (c->has_shadow)
		kb += c->shadow_kb;
	else if (c->hvm)
		kb += 4 * (256 * c->vcpus + 2 * (c->max_kb / 1024));
	if (c->hvm)
		kb += c->has_video ? c->video_kb : XLCFG_VIDEO_DEF_KB;
	kb += c->hvm ? XLCFG_HVM_EXTRA_KB : XLCFG_PV_EXTRA_KB;
	need = c->target_kb + kb;
	if (need % XLCFG_ALIGN_KB != 0)
		kb += XLCFG_ALIGN_KB - need % XLCFG_ALIGN_KB;
	return kb;
}
