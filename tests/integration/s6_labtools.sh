#!/bin/bash
# Scenario 6: the lab's measuring tools, without Xen.  The in-guest
# workloads' output and the scripts that turn a run into CSV rows
# (parse-run.sh, phases.sh) are what bench-lab's tables stand on: a run
# directory laid out as run-lab.sh leaves it, with known numbers, must give
# the known rows.
. "$(dirname "$0")/lib.sh"

LAB=$IT_ROOT/bench/lab
MEMTASK=$CAGMA_BUILD/bin/cagma-memtask
LABSTAT=$CAGMA_BUILD/bin/cagma-labstat

# memtask: window lines add up to the summary line
if have "$MEMTASK" "memtask"; then
	"$MEMTASK" 1 6 >"$D/mt.txt" 2>&1
	check "memtask 1 MiB for 6 s exits 0" [ $? -eq 0 ]
	win=$(awk '/^memtask_win /{ n++ } END { print n + 0 }' "$D/mt.txt")
	check "memtask prints a window line per 5 s and the last part ($win)" \
	    [ "$win" -eq 2 ]
	sums=$(awk '/^memtask_win /{ split($3, a, "="); w += a[2] }
	    /^memtask /{ split($3, a, "="); s = a[2] } END { print w + 0, s + 0 }' \
	    "$D/mt.txt")
	check "window batches add up to the summary's ($sums)" \
	    [ "${sums% *}" = "${sums#* }" -a "${sums#* }" -gt 0 ]
	check "memtask refuses 0 MiB" not "$MEMTASK" 0 1 2>/dev/null
fi

# labstat: the CPU split and reclaim fields are there and numeric
if have "$LABSTAT" "labstat"; then
	"$LABSTAT" 100 0 >"$D/ls.txt" 2>&1
	check "labstat prints one sample for 0 s" [ "$(wc -l <"$D/ls.txt")" -eq 1 ]
	ok=$(awk '{ for (i = 2; i <= NF; i++) { split($i, a, "=")
		if (a[2] !~ /^[0-9]+$/) bad = 1; v[a[1]] = a[2] } }
	    END { print (!bad && ("steal_ms" in v) && ("pgscan_direct" in v) &&
		v["up_ms"] > 0 && v["user_ms"] + v["sys_ms"] + v["idle_ms"] > 0) }' \
	    "$D/ls.txt")
	check "labstat fields numeric, CPU time and up_ms non-zero" [ "$ok" = 1 ]
fi

# a run directory with known numbers: two phases of 30 s on vm1
R=$D/run/out/vm1
mkdir -p "$R"
printf 'DOMU: go role=phases uptime=100.00\r\n' >"$R/console.log"
printf 'DOMU: phase 0 start mem=2 disk=0 uptime=100.00\r\n' >>"$R/console.log"
printf 'DOMU: phase 1 start mem=10 disk=0 uptime=130.00\r\n' >>"$R/console.log"
printf 'DOMU: done uptime=160.00\r\n' >>"$R/console.log"
cat >"$R/mem0.txt" <<'EOF'
memtask_win up_ms=105000 batches=10 sum_ms=1000.000
memtask_win up_ms=135000 batches=4 sum_ms=2000.000
memtask mib=48 batches=14 touch_ms=900.000 mean_ms=214.286 p50_ms=1 p95_ms=1 max_ms=1
EOF
cat >"$R/mem1.txt" <<'EOF'
memtask_win up_ms=129000 batches=10 sum_ms=3000.000
memtask_win up_ms=150000 batches=1 sum_ms=1000.000
memtask mib=48 batches=11 touch_ms=1100.000 mean_ms=363.636 p50_ms=1 p95_ms=1 max_ms=1
EOF
s() {	# up_ms user sys idle steal kswapd current_kb pswpin
	echo "labstat t_ms=$(($1 - 99000)) up_ms=$1 pswpin=$8 pswpout=0 pgmajfault=0 pgscan_kswapd=$6 pgscan_direct=0 memtotal_kb=1 memavail_kb=1 current_kb=$7 user_ms=$2 sys_ms=$3 idle_ms=$4 steal_ms=$5 xvdb_ios=0 xvdc_ios=0"
}
{
	s 99000 0 0 0 0 0 524288 0
	echo "mark go"
	s 100000 0 0 0 0 0 524288 0
	s 130000 2000 1000 500 500 10 524288 30
	s 160000 12000 1000 500 10500 10 1048576 60
	echo "mark done"
} >"$R/labstat.log"
echo "10.0 vm1 1 1048576 500 1000" >"$D/run/out/samples.txt"

rows=$(sh "$LAB/phases.sh" "$D/run" cagma 7)
exp="cagma,7,vm1,0,30.0,20,200.000,50.0,25.0,12.5,12.5,10,512
cagma,7,vm1,1,30.0,5,600.000,50.0,0.0,0.0,50.0,0,1024"
check "phases.sh: per-phase batches, CPU split, scans, balloon" \
    [ "$rows" = "$exp" ]
[ "$rows" = "$exp" ] || printf 'got:\n%s\nwant:\n%s\n' "$rows" "$exp"
check "phases.sh header has the row's column count" \
    [ "$(sh "$LAB/phases.sh" --header | tr ',' '\n' | wc -l)" -eq \
    "$(echo "$exp" | head -n 1 | tr ',' '\n' | wc -l)" ]

row=$(sh "$LAB/parse-run.sh" "$D/run" cagma 7)
check "parse-run.sh: summary lines only, swap-in per s over the run ($row)" \
    [ "$row" = "cagma,7,vm1,1.00,0.00,0.00,NA,NA,280.000,25,1000.0,1024,1024" ]

# a run from before the phase marks: no rows, no error
sed -i "/phase/s/ uptime=[0-9.]*//" "$R/console.log"
check "phases.sh: a run without phase marks gives no rows" \
    [ -z "$(sh "$LAB/phases.sh" "$D/run" cagma 7 2>&1)" ]
# scn2lab.sh: the paper job from the simulator's paper.scn is the job the
# lab's results were measured with (before the scenario file drove it,
# these were job-paper.sh's and demo.sh's literals)
SCN=$IT_ROOT/bench/scenarios/paper.scn
lab=$(sh "$LAB/scn2lab.sh" "$SCN")
check "scn2lab: paper.scn gives the paper job (6 phases, vm3 expanded)" \
    [ "$lab" = "export LAB_SCN_NAME=paper LAB_SCN_PHASES=6
export LAB_VM1_START=512 LAB_VM1_MAX=2500
export LAB_VM1_TASKS=2,2,2,10,10,10 LAB_VM1_DISK=0,0,0,0,0,0
export LAB_VM2_START=512 LAB_VM2_MAX=1500
export LAB_VM2_TASKS=2,2,2,9,9,9 LAB_VM2_DISK=0,0,0,0,0,0
export LAB_VM3_START=512 LAB_VM3_MAX=3000
export LAB_VM3_TASKS=1,1,1,1,1,1 LAB_VM3_DISK=15,15,15,15,15,15" ]
lab=$(sh "$LAB/scn2lab.sh" "$SCN" 2-4 | grep -E 'PHASES|TASKS' | tr '\n' ' ')
check "scn2lab: phases 2-4 are the demo's ($lab)" \
    [ "$lab" = "export LAB_SCN_NAME=paper LAB_SCN_PHASES=3 export LAB_VM1_TASKS=2,10,10 LAB_VM1_DISK=0,0,0 export LAB_VM2_TASKS=2,9,9 LAB_VM2_DISK=0,0,0 export LAB_VM3_TASKS=1,1,1 LAB_VM3_DISK=15,15,15 " ]
# a guest whose phases end early holds its last phase
printf 'guest vm1 start=1G max=2G\nphase vm1 10s tasks=1\nphase vm1 20s tasks=3\nguest vm2 start=512M max=1G\nphase vm2 10s tasks=4 disk_tasks=2\nguest vm3 start=524288 max=1G\nphase vm3 40s tasks=0\n' >"$D/ok.scn"
lab=$(sh "$LAB/scn2lab.sh" "$D/ok.scn" | tr '\n' ' ')
check "scn2lab: units of the durations' gcd, last phase holds, KiB sizes ($lab)" \
    [ "$lab" = "export LAB_SCN_NAME=unnamed LAB_SCN_PHASES=4 export LAB_VM1_START=1024 LAB_VM1_MAX=2048 export LAB_VM1_TASKS=1,3,3,3 LAB_VM1_DISK=0,0,0,0 export LAB_VM2_START=512 LAB_VM2_MAX=1024 export LAB_VM2_TASKS=4,4,4,4 LAB_VM2_DISK=2,2,2,2 export LAB_VM3_START=512 LAB_VM3_MAX=1024 export LAB_VM3_TASKS=0,0,0,0 LAB_VM3_DISK=0,0,0,0 " ]
# what the lab cannot run is refused with a reason, exit status 2
bad_scn() {	# NAME TEXT EXPECTED-MESSAGE-PART [RANGE]
	printf '%b' "$2" >"$D/bad.scn"
	msg=$(sh "$LAB/scn2lab.sh" "$D/bad.scn" ${4:-} 2>&1 >/dev/null)
	rc=$?
	check "scn2lab refuses $1 (rc $rc: $msg)" \
	    [ $rc -eq 2 -a -n "$msg" -a -z "${msg##*$3*}" ]
}
G3='guest vm2 start=1G max=2G\nphase vm2 1s tasks=1\nguest vm3 start=1G max=2G\nphase vm3 1s tasks=1\n'
bad_scn "a phase without tasks=" "guest vm1 start=1G max=2G\nphase vm1 1s anon=1M\n$G3" "without tasks="
bad_scn "a guest not named vm1..vm3" "guest hot start=1G max=2G\n" "vm1, vm2, vm3"
bad_scn "two guests" "guest vm1 start=1G max=2G\nphase vm1 1s tasks=1\nguest vm2 start=1G max=2G\nphase vm2 1s tasks=1\n" "needs guests"
bad_scn "count=" "guest vm1 start=1G max=2G count=3\n" "count="
bad_scn "a size that is not whole MiB" "guest vm1 start=1000 max=2G\n" "whole MiB"
bad_scn "a bad task count" "guest vm1 start=1G max=2G\nphase vm1 1s tasks=-1\n$G3" "bad count"
bad_scn "a range past the end" "guest vm1 start=1G max=2G\nphase vm1 1s tasks=1\n$G3" "does not fit" 0-1
check "scn2lab refuses a bad range" not sh "$LAB/scn2lab.sh" "$SCN" 4-x 2>/dev/null
it_finish
