/*
 * xlconf.h - the two keys of /etc/xen/xl.conf that decide whether a plain
 * `xl create` is safe next to cagmad (cagmad.8, "Starting VMs"):
 * autoballoon (xl shrinks dom0 to make room: it must be "off", with a
 * fixed dom0_mem) and claim_mode (xl stakes a claim for the whole domain
 * before it builds it: it must be 1, Xen's default).  A warning only.
 */
#ifndef CAGMA_DOM0_XLCONF_H
#define CAGMA_DOM0_XLCONF_H

#include <stddef.h>

#define XLCONF_PATH	"/etc/xen/xl.conf"
#define XLCONF_MAX_LEN	(64 * 1024)	/* a larger file is not read */

enum xlconf_autoballoon {
	XLCONF_AB_UNSET,	/* xl's default: "auto" */
	XLCONF_AB_OFF,
	XLCONF_AB_ON,
	XLCONF_AB_AUTO,
};

struct xlconf {
	enum xlconf_autoballoon autoballoon;
	int claim_mode;		/* -1 unset (xl's default: 1), 0, 1 */
	unsigned bad_line;	/* first line setting one of them that did
				   not parse (0: none) */
};

/*
 * Parse exactly len bytes of xl.conf: lines `KEY = VALUE [# comment]`,
 * VALUE a "string" or a bare token; only autoballoon ("off", "on",
 * "auto", 0, 1) and claim_mode (0, 1) are read, the last setting wins,
 * other keys and comments are skipped.  Trusted (root's file), parsed
 * strictly.  Cannot fail: unparseable settings of the two keys are
 * counted in bad_line.
 */
void xlconf_parse(const char *buf, size_t len, struct xlconf *out);

/*
 * Read path and log one warning per unsafe setting (autoballoon not
 * "off", claim_mode 0, a setting that does not parse).  A missing file
 * means xl's defaults (autoballoon "auto": warned).  Returns the number
 * of warnings.
 */
int xlconf_check(const char *path);

#endif
