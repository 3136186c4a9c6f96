/*
 * threshold.c - the seed mem_coord, after its README
 * (shared/docs/seeds/000_7d669b993da1c2b8.txt, cited as 000:LINE).
 *
 * Rules, with the seed's words:
 *   round   000:10 "memory coordinator will check memory usage for each
 *           domain every 5 second": one round per period (the argument;
 *           here cagmad's period, cfg->shrink_interval_ms, through
 *           pol_period_due()), none on the records in between.
 *   metric  000:19 "reading the output memstats tagged by
 *           VIR_DOMAIN_MEMORY_STAT_AVAILABLE": the guest's unused memory,
 *           MemFree (est.free_kb; see "Reading" below).
 *   pick    000:21 "find out the domain with minimum memory allocated and
 *           maximum memory allocated": D_min, the domain with the least
 *           unused memory, and D_max, the one with the most; only these two
 *           move (pol_unused_extremes()).
 *   classes 000:24 "above this threshold, we consider this domain is
 *           wasting memory": unused > THR_WASTE_KB; 000:35 "below this
 *           threshold, we consider this domain is starving of memory":
 *           unused < THR_STARVE_KB.
 *   case 1  000:40-41 "min memory domain is starving && max memory domain
 *           is wasting" / "take out memory from wasting domain and allocate
 *           it to starving domain": D_max gives THR_STEP_KB, D_min gets it.
 *   case 2  000:44-45 "min memory domain is starving, max memory domain is
 *           NOT wasting" / "just add memory to starving domain only": D_min
 *           gets THR_STEP_KB from the host.
 *   case 3  000:48-49 "max memory domain is wasting, min memory domain is
 *           NOT starving" / "just reduce memory from wasting domain only":
 *           D_max gives THR_STEP_KB back to the host.
 *   amount  000:52 "API virDomainSetMemory is used to add/reduce memory":
 *           from what the domain has now (pol_plan_more/less()).
 *
 * Not in the seed: the values of the two thresholds and of the step (it
 * names the thresholds only); they are cagma's choice.
 *
 * Reading: libvirt fills AVAILABLE with the guest's MemTotal (measured,
 * shared/docs/libvirt-lab.md), so taken to the letter the seed would move
 * memory by allocation size alone.  Its thresholds speak of use ("wasting
 * memory", "starving of memory", 000:24-35, "using adequate memory",
 * 000:29), so cagma reads the metric as unused memory, as the seed's
 * siblings do (001:15-16, 002:20-25).
 */
#include <stddef.h>
#include <stdint.h>

#include "policy.h"
#include "policy_int.h"

#define THR_STARVE_KB	(100 * POL_MIB_KB)	/* KiB unused below: starving */
#define THR_WASTE_KB	(300 * POL_MIB_KB)	/* KiB unused above: wasting */
#define THR_STEP_KB	(100 * POL_MIB_KB)	/* KiB moved per round */

static int
threshold_decide(const struct policy_cfg *cfg, const struct policy_host *host,
    struct policy_vm *vms, size_t n)
{
	size_t lo, hi;
	bool starving, wasting;

	if (!pol_period_due(host, vms, n, cfg->shrink_interval_ms) ||
	    !pol_unused_extremes(vms, n, &lo, &hi))
		return 0;
	starving = vms[lo].est.free_kb < THR_STARVE_KB;
	wasting = vms[hi].est.free_kb > THR_WASTE_KB;
	if (wasting)	/* case 1 (for D_min) or case 3 (to the host) */
		pol_plan_less(&vms[hi], THR_STEP_KB, starving ?
		    POLICY_R_RECLAIM : POLICY_R_SHRINK);
	if (starving)	/* case 1 (from D_max) or case 2 (from the host) */
		pol_plan_more(&vms[lo], THR_STEP_KB, POLICY_R_GROW);
	return 0;
}

const struct policy_ops policy_threshold = {
	.name = "threshold",
	.summary = "seed mem_coord: least/most unused vs 100/300 MiB, 3 cases",
	.observe = NULL,
	.decide = threshold_decide,
};
