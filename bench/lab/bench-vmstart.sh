#!/bin/bash
# bench-vmstart.sh - make bench-vmstart: time to start a 768 MiB guest with
# `cagmactl create` on a lab host whose memory three guests hold
# (bench/lab/share/job-vmstart.sh), LAB_VMS_RUNS starts (default 3) in one
# boot, on Debian 12 / Xen 4.17 and (LAB_DISTS, default "bookworm
# trixie") Debian 13 / Xen 4.20.  Per start cagmactl reports the time to
# free the memory (request to reservation ready) and to create (xl create
# until it returns); the table gives each start and the median.
# Output: bench/results/vmstart-lab.md; raw runs in build/lab/vmstart-DIST/.
# bench-vmstart.sh --report RESULTS.TXT...: the same table from earlier
# runs of the job (e.g. tests/e2e/run.sh RES DIST vmstart).
# Run it under `flock /tmp/cagma-xenlab.lock` on a shared machine.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$HERE/../.." && pwd)
RUNS=${LAB_VMS_RUNS:-3}
DISTS=${LAB_DISTS:-bookworm trixie}
MD=$TOP/bench/results/vmstart-lab.md
mkdir -p "$TOP/bench/results"

# median of the numbers on stdin (one a line), NA when none
median() {
	sort -n | awk '{ v[NR] = $1 } END {
		if (NR == 0) { print "NA"; exit }
		if (NR % 2) print v[(NR + 1) / 2]
		else printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
# field KEY: the value of KEY=VALUE on each line of stdin
field() {
	sed -n "s/.* $1=\([^ ]*\).*/\1/p"
}

# row RESULTS_TXT: the table rows of one lab run (appended to rows, over)
row() {
	local res=$1 xen starts ok fs cs mf mc plain ov ot deb
	xen=$(sed -n 's/^xl \([^ ]*\) dry run.*/\1/p' "$res")
	deb=12
	case $xen in 4.17*) ;; *) deb=13 ;; esac
	starts=$(grep '^vmstart run=' "$res")
	ok=$(echo "$starts" | grep -c ' rc=0 ')
	fs=$(echo "$starts" | grep ' rc=0 ' | field free_s | tr '\n' ' ')
	cs=$(echo "$starts" | grep ' rc=0 ' | field create_s | tr '\n' ' ')
	mf=$(echo "$starts" | grep ' rc=0 ' | field free_s | median)
	mc=$(echo "$starts" | grep ' rc=0 ' | field create_s | median)
	plain=$(sed -n 's/^CHECK vms_plain_fails \([A-Z]*\) xl create rc=\([0-9]*\) in \([0-9.]*\) s.*/\1 (rc \2 after \3 s)/p' "$res" |
	    sed 's/^PASS/refused/; s/^FAIL/check FAILED/')
	rows="$rows| Debian $deb / Xen ${xen:-?} | $ok of $(echo "$starts" | grep -c .) | $fs| **$mf** | $cs| **$mc** | ${plain:-NA} |
"
	ov=$(grep '^overhead ' "$res" | field beyond_memory_kb | tr '\n' ' ')
	ot=$(grep '^overhead ' "$res" | field beyond_tot_kb | tr '\n' ' ')
	over="$over| Xen ${xen:-?} | $ov| $ot|
"
}

rows="" over="" how="\`make bench-vmstart\` ($RUNS starts per boot)"
if [ "${1:-}" = --report ]; then
	# the table from earlier runs' results.txt (e.g. tests/e2e/run.sh
	# RES DIST vmstart with LAB_VMS_RUNS=3)
	shift
	how="$*"
	for r in "$@"; do
		row "$r"
	done
else
	for dist in $DISTS; do
		run=$TOP/build/lab/vmstart-$dist
		if [ "$dist" = trixie ]; then
			"$TOP/tests/trixie/build-bin.sh" "$TOP/build/trixie/bin" ||
			    exit 1
		fi
		LAB_DIST=$dist "$HERE/build-image.sh" || exit 1
		t0=$(date +%s)
		LAB_DIST=$dist LAB_RUN=$run LAB_NGUEST=4 LAB_MEM_MB=3072 \
		    LAB_VMS_RUNS=$RUNS LAB_TIMEOUT=$((1200 + RUNS * 240)) \
		    "$HERE/run-lab.sh" vmstart
		rc=$?
		res=$run/out/results.txt
		[ -f "$res" ] || { echo "bench-vmstart: $dist: no results" >&2; exit 1; }
		row "$res"
		echo "bench-vmstart: $dist: lab rc=$rc, $(($(date +%s) - t0)) s"
	done
fi

{
	echo "# Starting a 768 MiB guest through cagmad on the Xen lab"
	echo
	echo "$how ($(date -u +%Y-%m-%d)): QEMU TCG"
	echo "host of 3 GiB, dom0 512 MiB; guests busy (memory task, 256 MiB hot),"
	echo "idle1, idle2 (512 MiB booted, max 1 GiB each) hold the spare memory"
	echo "(cagmad: cagma policy, surplus = weight, headroom 25 %). Each start:"
	echo "\`cagmactl create --timeout 120 new.cfg\` (memory 768 MiB, maxmem 1 GiB,"
	echo "PV, one disk); the guest is destroyed and the others borrow the"
	echo "memory back before the next one. Seconds, as cagmactl prints them:"
	echo "freed = reservation request to ready, created = \`xl create\` until it"
	echo "returns (under TCG; the block hotplug scripts take most of it)."
	echo
	echo "| lab | started | freed (s) | median | created (s) | median | plain \`xl create\` first |"
	echo "|---|---|---|---|---|---|---|"
	printf '%s' "$rows"
	echo
	echo "What each \`xl create\` took from Xen's free memory beyond the domain's"
	echo "memory (KiB, free + scrub - outstanding from xc_physinfo 3 s after"
	echo "\`xl create\` returned, before cagmad ran: three guests of 512 MiB each),"
	echo "and beyond the domain's own pages (tot_pages):"
	echo
	echo "| lab | beyond memory (KiB) | beyond tot_pages (KiB) |"
	echo "|---|---|---|"
	printf '%s' "$over"
} > "$MD"
cat "$MD"
