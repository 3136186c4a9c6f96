#!/bin/bash
# demo.sh - make demo-lab: boots the Xen lab, runs a short version of the
# paper's scenario with cagmad (policy cagma) and shows the live view
# (cagmactl status every LAB_VIEW_S seconds), then a summary of what moved
# where and why: phases 2-4 of bench/scenarios/paper.scn (one calm phase,
# then the burst).  Knobs: LAB_PHASE_S (default 30), LAB_POLICY, LAB_RUN,
# LAB_SCENARIO and LAB_SCN_RANGE (run-lab.sh), CAGMA_SIM.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$HERE/../.." && pwd)
export LAB_LIVE=1
export LAB_PHASE_S=${LAB_PHASE_S:-30}
export LAB_POLICY=${LAB_POLICY:-cagma}
export LAB_VIEW_S=${LAB_VIEW_S:-10}
export LAB_RUN=${LAB_RUN:-$TOP/build/lab/demo}
export LAB_SCENARIO=${LAB_SCENARIO:-$TOP/bench/scenarios/paper.scn}
export LAB_SCN_RANGE=${LAB_SCN_RANGE-2-4}
. "$HERE/scenario.sh"
lab_scenario "$LAB_SCENARIO" "$LAB_SCN_RANGE" || exit 2
. "$HERE/paper.env"	# the shared disk, as bench-lab
echo "demo: Xen 4.17 + dom0 + 3 PV guests under QEMU TCG; $(basename "$LAB_SCENARIO") phases ${LAB_SCN_RANGE:-all} of ${LAB_PHASE_S} s;"
echo "demo: vm1/vm2 run memory tasks (${LAB_VM1_TASKS} / ${LAB_VM2_TASKS}), vm3 disk tasks (${LAB_VM3_DISK}); policy ${LAB_POLICY}"
"$HERE/run-lab.sh" paper
rc=$?
out=$LAB_RUN/out
echo
echo "==================== demo summary ===================="
grep -a 'SUMMARY' "$out/results.txt" 2>/dev/null | sed 's/^/  /'
echo "  per guest (swap-in pages/s, swap tps, disk tps, disk resp ms, mem batch ms):"
"$HERE/parse-run.sh" "$LAB_RUN" "$LAB_POLICY" 1 | awk -F, '{
	printf "    %s: swap-in %s/s, swap tps %s, disk tps %s, disk resp %s ms, mem batch %s ms, target max %s MiB\n",
	    $3, $4, $6, $7, $8, $9, $12 }'
if [ -f "$out/cagmad.log" ]; then
	echo "  why (cagmad decisions, by domain and reason):"
	sed -n 's/^created \([a-z0-9]*\) domid=\([0-9]*\).*/    domid \2 = \1/p' "$out/results.txt"
	sed -n -E 's/.*(domid [0-9]+): target [0-9]+ -> [0-9]+ KiB \(([a-z-]+)\).*/\1 \2/p' \
	    "$out/cagmad.log" | sort | uniq -c | sed 's/^/   /'
	echo "  last decisions:"
	grep -a -E 'domid [0-9]+: target' "$out/cagmad.log" | tail -n 8 | sed 's/^/    /'
fi
echo "  full logs: $LAB_RUN (console.log, out/)"
exit $rc
