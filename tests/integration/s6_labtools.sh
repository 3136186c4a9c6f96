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
it_finish
