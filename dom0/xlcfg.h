/*
 * xlcfg.h - a domain's memory from xl's own parser: the output of
 * `xl create -n CONFIG` (dry run: xl parses the config and prints the
 * libxl_domain_config it would build, JSON by default, SXP with
 * output_format="sxp"), never the cfg file itself.  Used by
 * `cagmactl create`.
 */
#ifndef CAGMA_DOM0_XLCFG_H
#define CAGMA_DOM0_XLCFG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define XLCFG_NAME_MAX	64

/*
 * libxl's constants (libxl.h), which cagmactl may not include.  Measured
 * in the lab (make e2e-vmstart, dom0/policy/README.md "Reservations"): a
 * PV guest costs Xen's free memory its memory (tot_pages = memory) plus
 * 76-92 KiB on Xen 4.17 and 4.20, so memory + 2048 KiB covers it.
 */
#define XLCFG_PV_EXTRA_KB	1024	/* LIBXL_PV_EXTRA_MEMORY */
#define XLCFG_HVM_EXTRA_KB	2048	/* LIBXL_HVM_EXTRA_MEMORY */
#define XLCFG_VIDEO_DEF_KB	(16 * 1024)	/* HVM stdvga default */
#define XLCFG_ALIGN_KB		2048	/* need rounded up to 2 MiB */

struct xlcfg {
	char name[XLCFG_NAME_MAX];	/* c_info.name ("" if none) */
	bool hvm;		/* c_info.type "hvm" or "pvh" */
	uint64_t target_kb;	/* b_info.target_memkb (memory=) */
	uint64_t max_kb;	/* b_info.max_memkb (maxmem=, else memory=) */
	uint64_t vcpus;		/* b_info.max_vcpus (1 if absent) */
	uint64_t shadow_kb;	/* b_info.shadow_memkb, if given */
	uint64_t video_kb;	/* b_info.video_memkb, if given */
	bool has_shadow, has_video;
};

/*
 * Parse the dry-run output (len bytes, trusted: xl's own output, parsed
 * strictly): "KEY": NUMBER (JSON) or (KEY NUMBER) (SXP) for
 * target_memkb, max_memkb, max_vcpus, shadow_memkb, video_memkb; "type"
 * (JSON) and "name" as strings, hvm 0/1 (SXP: it has no type, and cannot
 * tell PVH from PV; JSON is xl's default).  target_memkb is required and
 * must appear once.  Checked against real xl 4.17 and 4.20 output
 * (tests/fixtures/xl/).
 * 0, or -EINVAL (nothing usable) / -ERANGE (a number out of range).
 */
int xlcfg_parse(const char *buf, size_t len, struct xlcfg *out);

/*
 * What the domain needs on top of its memory, as libxl_domain_need_memory()
 * counts it (Xen 4.17): shadow memory (given, else for HVM/PVH
 * libxl_get_required_shadow_memory(): 4 x (256 x vcpus + 2 x maxmem in
 * MiB) KiB; PV none), video memory for HVM (given, else
 * XLCFG_VIDEO_DEF_KB), LIBXL_PV/HVM_EXTRA_MEMORY, and the total rounded up
 * to 2 MiB.  KiB.
 */
uint64_t xlcfg_overhead_kb(const struct xlcfg *c);

#endif
