#!/bin/bash
# bench-kvm.sh - make bench-kvm: the paper's job on the KVM lab
# (run-kvm.sh paper) for several policies, KVM_RUNS runs each, then the
# CSV, table and plot.
#   KVM_RUNS      runs per policy (default 1)
#   KVM_POLICIES  default "static cagma cagma-paper threshold coordinator
#                 two-pointer gt-rules"
#   KVM_PHASE_S   phase length in seconds (default 30), KVM_TASK_MIB (48)
#   KVM_AGENT     1 (default): cagma-agent over virtio-serial in every
#                 guest; 0: libvirt's balloon statistics only
#   KVM_APPEND=1  add rows to the existing CSV; KVM_RUN_FIRST first run number
# One KVM lab per (run, policy), interleaved.  Takes /tmp/cagma-kvmlab.lock
# per run (the KVM lab runs one at a time machine-wide).  Output:
# bench/results/kvm-paper.csv, kvm-paper.md, kvm-paper.png; raw runs in
# build/kvmlab/bench/.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$HERE/../.." && pwd)
RUNS=${KVM_RUNS:-1}
FIRST=${KVM_RUN_FIRST:-1}
POLICIES=${KVM_POLICIES:-static cagma cagma-paper threshold coordinator two-pointer gt-rules}
RES=$TOP/bench/results
RAW=$TOP/build/kvmlab/bench
CSV=$RES/kvm-paper.csv
mkdir -p "$RES" "$RAW"
if [ "${KVM_APPEND:-0}" = 1 ] && [ -f "$CSV" ]; then
	cp "$CSV" "$CSV.tmp"
else
	"$HERE/parse-run.sh" --header > "$CSV.tmp"
fi
failed=0
t0=$(date +%s)
for ((r = FIRST; r < FIRST + RUNS; r++)); do
	for p in $POLICIES; do
		echo "bench-kvm: run $r policy $p ($(( $(date +%s) - t0 )) s so far)"
		if KVM_RUN=$RAW/$p-$r KVM_POLICY=$p flock /tmp/cagma-kvmlab.lock \
		    "$HERE/run-kvm.sh" paper > "$RAW/$p-$r.log" 2>&1; then
			"$HERE/parse-run.sh" "$RAW/$p-$r" "$p" "$r" | tee -a "$CSV.tmp"
		else
			echo "bench-kvm: run $r policy $p FAILED (see $RAW/$p-$r.log); not in the table"
			failed=$((failed + 1))
		fi
	done
done
mv "$CSV.tmp" "$CSV"
"$HERE/report.sh" "$CSV" "$RES/kvm-paper.md" "$RES/kvm-paper.png"
echo "bench-kvm: $((RUNS * $(echo $POLICIES | wc -w) - failed)) runs ok, $failed failed, $(( $(date +%s) - t0 )) s; see $RES/kvm-paper.md"
[ $failed -eq 0 ]
