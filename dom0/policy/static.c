/*
 * static.c - never move anything: the "no ballooning" baseline (the
 * paper's "without CAGMA" runs, where each guest keeps its boot memory).
 * Targets outside [floor, max] are still corrected by policy_decide().
 */
#include <stddef.h>

#include "policy.h"
#include "policy_int.h"

static int
static_decide(const struct policy_cfg *cfg, const struct policy_host *host,
    struct policy_vm *vms, size_t n)
{
	(void)cfg;
	(void)host;
	(void)vms;
	(void)n;
	return 0;
}

const struct policy_ops policy_static = {
	.name = "static",
	.summary = "never move a balloon (boot memory forever)",
	.observe = NULL,
	.decide = static_decide,
};
