/*
 * cagma.c - the default policy: the cagma estimator (estimator.c) and the
 * cagma planner (planner.c).  See README.md for the formula and constants.
 */
#include <stddef.h>

#include "policy.h"
#include "policy_int.h"

static int
cagma_decide(const struct policy_cfg *cfg, const struct policy_host *host,
    struct policy_vm *vms, size_t n)
{
	return pol_plan_cagma(cfg, host, vms, n);
}

const struct policy_ops policy_cagma = {
	.name = "cagma",
	.summary = "CMA from swap/refault/PSI, fast grow, slow decay, reserve",
	.observe = pol_estimate_cagma,
	.decide = cagma_decide,
};
