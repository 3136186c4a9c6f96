#!/bin/bash
# bench-lab.sh - make bench-lab: the paper's experiment on the Xen lab for
# several policies, several runs each, then the CSV, table and plots.
#   LAB_RUNS      runs per policy (default 3)
#   LAB_POLICIES  default "static cagma-paper qmemman cagma"
#   LAB_PHASE_S   phase length in seconds (default 30; the paper used ~61:
#                 guest clocks follow wall time under TCG, so a phase is as
#                 long as on real hardware, but the guests do 2-30x less
#                 work in it)
#   LAB_TASK_MIB  memory task size (default 48, as the paper)
#   LAB_SCENARIO  the scenario (default bench/scenarios/paper.scn, the file
#                 cagma-sim runs too; cagma-sim --lab reads it for the lab:
#                 run-lab.sh), LAB_SCN_RANGE its phases
#   LAB_APPEND=1  add rows to the existing CSV instead of starting afresh
#   LAB_RUN_FIRST number of the first run (default 1; with LAB_APPEND=1,
#                 e.g. 4 adds runs 4.. without overwriting raw runs 1..3)
#   LAB_LAST      name of this bench's own report (default lab-paper-last:
#                 bench/results/LAB_LAST.md + PNGs); e.g. a one-policy bench
#                 that must not replace the last all-policy report
#   LAB_HEADROOM  cagmad's burst headroom (cagmad.conf(5); default: its
#                 default, 100 %); e.g. 0 to compare with full reclaim
# A failed xl create is retried once and logged ("RETRY" in results.txt).
# One QEMU boot per (run, policy), interleaved so slow drift of the shared
# machine hits every policy alike.  Output: bench/results/lab-paper.csv,
# lab-phases.csv (per guest and phase: memory batches, vCPU time, steal;
# phases.sh), lab-paper.md, lab-paper-swapin.png, lab-paper-disk.png, and
# LAB_LAST.md (+ PNGs) from this bench's runs alone; raw runs in
# build/lab/bench/.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$HERE/../.." && pwd)
RUNS=${LAB_RUNS:-3}
FIRST=${LAB_RUN_FIRST:-1}
POLICIES=${LAB_POLICIES:-static cagma-paper qmemman cagma}
RES=$TOP/bench/results
RAW=$TOP/build/lab/bench
CSV=$RES/lab-paper.csv
PCSV=$RES/lab-phases.csv
mkdir -p "$RES" "$RAW"
if [ "${LAB_APPEND:-0}" = 1 ] && [ -f "$CSV" ]; then
	cp "$CSV" "$CSV.tmp"	# add runs to an earlier bench's rows
else
	"$HERE/parse-run.sh" --header > "$CSV.tmp"
fi
if [ "${LAB_APPEND:-0}" = 1 ] && [ -f "$PCSV" ]; then
	cp "$PCSV" "$PCSV.tmp"
else
	"$HERE/phases.sh" --header > "$PCSV.tmp"
fi
export LAB_CREATE_RETRY=${LAB_CREATE_RETRY:-1}
. "$HERE/paper.env"
failed=0
t0=$(date +%s)
for ((r = FIRST; r < FIRST + RUNS; r++)); do
	for p in $POLICIES; do
		echo "bench-lab: run $r ($((r - FIRST + 1))/$RUNS) policy $p ($(( $(date +%s) - t0 )) s so far)"
		if LAB_RUN=$RAW/$p-$r LAB_POLICY=$p "$HERE/run-lab.sh" paper \
		    > "$RAW/$p-$r.log" 2>&1; then
			"$HERE/parse-run.sh" "$RAW/$p-$r" "$p" "$r" | tee -a "$CSV.tmp"
			"$HERE/phases.sh" "$RAW/$p-$r" "$p" "$r" >> "$PCSV.tmp"
		else
			echo "bench-lab: run $r policy $p FAILED (see $RAW/$p-$r.log); not in the table"
			failed=$((failed + 1))
		fi
	done
done
mv "$CSV.tmp" "$CSV"
mv "$PCSV.tmp" "$PCSV"
"$HERE/report.sh" "$CSV" "$RES/lab-paper.md" "$RES/lab-paper"
# this bench's runs alone (with LAB_APPEND the CSV also holds earlier
# benches', made under other load on the shared machine)
last=$(mktemp -d)
for f in lab-paper.csv lab-phases.csv; do
	awk -F, -v lo="$FIRST" -v hi=$((FIRST + RUNS - 1)) \
	    'NR == 1 || ($2 >= lo && $2 <= hi)' "$RES/$f" > "$last/$f"
done
"$HERE/report.sh" "$last/lab-paper.csv" "$RES/${LAB_LAST:-lab-paper-last}.md" \
    "$RES/${LAB_LAST:-lab-paper-last}"
rm -rf "$last"
echo "bench-lab: $((RUNS * $(echo $POLICIES | wc -w) - failed)) runs ok, $failed failed, $(( $(date +%s) - t0 )) s; see $RES/lab-paper.md"
[ $failed -eq 0 ]
