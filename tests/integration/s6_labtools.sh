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
# cagma-sim --lab: the paper job from the simulator's paper.scn is the job
# the lab's results were measured with (before the scenario file drove it,
# these were job-paper.sh's and demo.sh's literals; then scn2lab.sh's awk)
SIM=$CAGMA_BUILD/bin/cagma-sim
SCN=$IT_ROOT/bench/scenarios/paper.scn
PAPER_JOB="LAB_SCN_NAME=paper
LAB_SCN_PHASES=6
LAB_VM1_START=512
LAB_VM1_MAX=2500
LAB_VM1_TASKS=2,2,2,10,10,10
LAB_VM1_DISK=0,0,0,0,0,0
LAB_VM2_START=512
LAB_VM2_MAX=1500
LAB_VM2_TASKS=2,2,2,9,9,9
LAB_VM2_DISK=0,0,0,0,0,0
LAB_VM3_START=512
LAB_VM3_MAX=3000
LAB_VM3_TASKS=1,1,1,1,1,1
LAB_VM3_DISK=15,15,15,15,15,15"
if have "$SIM" "cagma-sim"; then
lab=$("$SIM" --scenario "$SCN" --lab)
check "cagma-sim --lab: paper.scn gives the paper job (6 phases, vm3 expanded)" \
    [ "$lab" = "$PAPER_JOB" ]
lab=$("$SIM" --scenario "$SCN" --lab=2-4 | grep -E 'PHASES|TASKS' | tr '\n' ' ')
check "cagma-sim --lab=2-4: phases 2-4 are the demo's ($lab)" \
    [ "$lab" = "LAB_SCN_PHASES=3 LAB_VM1_TASKS=2,10,10 LAB_VM2_TASKS=2,9,9 LAB_VM3_TASKS=1,1,1 " ]
check "cagma-sim --lab= (empty range) is all phases" \
    [ "$("$SIM" --scenario "$SCN" --lab=)" = "$PAPER_JOB" ]
# a guest whose phases end early holds its last phase
printf 'guest vm1 start=1G max=2G\nphase vm1 10s tasks=1\nphase vm1 20s tasks=3\nguest vm2 start=512M max=1G\nphase vm2 10s tasks=4 disk_tasks=2\nguest vm3 start=524288 max=1G\nphase vm3 40s tasks=0\n' >"$D/ok.scn"
lab=$("$SIM" --scenario "$D/ok.scn" --lab | tr '\n' ' ')
check "cagma-sim --lab: units of the durations' gcd, last phase holds, KiB sizes ($lab)" \
    [ "$lab" = "LAB_SCN_NAME=unnamed LAB_SCN_PHASES=4 LAB_VM1_START=1024 LAB_VM1_MAX=2048 LAB_VM1_TASKS=1,3,3,3 LAB_VM1_DISK=0,0,0,0 LAB_VM2_START=512 LAB_VM2_MAX=1024 LAB_VM2_TASKS=4,4,4,4 LAB_VM2_DISK=2,2,2,2 LAB_VM3_START=512 LAB_VM3_MAX=1024 LAB_VM3_TASKS=0,0,0,0 LAB_VM3_DISK=0,0,0,0 " ]
# what the lab cannot run is refused with a reason: exit status 2, one
# "cagma-sim: file:line: message" line on stderr, nothing on stdout
bad_scn() {	# NAME TEXT EXPECTED-MESSAGE-PART [RANGE]
	printf '%b' "$2" >"$D/bad.scn"
	"$SIM" --scenario "$D/bad.scn" --lab${4:+=$4} >"$D/bad.out" 2>"$D/bad.err"
	rc=$?
	msg=$(cat "$D/bad.err")
	check "cagma-sim --lab refuses $1 (rc $rc: $msg)" \
	    [ $rc -eq 2 -a ! -s "$D/bad.out" -a "$(wc -l <"$D/bad.err")" -eq 1 \
	    -a -z "${msg##cagma-sim: $D/bad.scn*$3*}" ]
}
G3='guest vm2 start=1G max=2G\nphase vm2 1s tasks=1\nguest vm3 start=1G max=2G\nphase vm3 1s tasks=1\n'
bad_scn "a phase without tasks=" "guest vm1 start=1G max=2G\nphase vm1 1s anon=1M\n$G3" ":2: vm1: phase without tasks="
bad_scn "a guest not named vm1..vm3" "guest hot start=1G max=2G\n" ":1: the lab has guests vm1, vm2, vm3"
bad_scn "two guests" "guest vm1 start=1G max=2G\nphase vm1 1s tasks=1\nguest vm2 start=1G max=2G\nphase vm2 1s tasks=1\n" "needs guests"
bad_scn "count=" "guest vm1 start=1G max=2G count=3\n" ":1: vm1: count="
bad_scn "a size that is not whole MiB" "guest vm1 start=1000 max=2G\n" "whole MiB"
bad_scn "a bad task count" "guest vm1 start=1G max=2G\nphase vm1 1s tasks=-1\n$G3" ":2: phase: bad option 'tasks"
bad_scn "a guest without phases" "guest vm1 start=1G max=2G\n$G3" ":1: vm1 has no phase"
bad_scn "a range past the end" "guest vm1 start=1G max=2G\nphase vm1 1s tasks=1\n$G3" "does not fit" 0-1
check "cagma-sim --lab refuses a bad range" not "$SIM" --scenario "$SCN" --lab=4-x 2>/dev/null
fi

# scenario.sh: the lab scripts take exactly those settings into their
# environment, in dash as in bash, and run nothing cagma-sim prints
reader() {	# SHELL SCN [RANGE]: prints the LAB_ environment it leaves
	HERE=$LAB "$1" -c '. "$HERE/scenario.sh" && lab_scenario "$1" "$2" &&
	    env | grep "^LAB_" | sort' reader "$2" "${3:-}"
}
want=$(echo "$PAPER_JOB" | sort)
printf 'guest vm1 start=1G max=2G count=2\n' >"$D/bad.scn"
for sh in sh bash; do
	check "scenario.sh ($sh): lab_scenario exports the paper job" \
	    [ "$(reader $sh "$SCN")" = "$want" ]
	msg=$(reader $sh "$D/bad.scn" 2>&1 >/dev/null)
	check "scenario.sh ($sh): a refused scenario is exit status 2 ($msg)" \
	    [ $? -eq 2 -a -z "${msg##cagma-sim: $D/bad.scn:1: vm1: count=*}" ]
done
check "scenario.sh: the demo's range" \
    [ "$(reader sh "$SCN" 2-4 | grep VM2_TASKS)" = "LAB_VM2_TASKS=2,9,9" ]
# a cagma-sim that prints anything else is refused as a whole
fake_sim() {	# NAME LINE: PAPER_JOB with its first line replaced by LINE
	{
		printf '#!/bin/sh\ncat <<"EOF"\n'
		[ -z "$2" ] || echo "$2"
		echo "$PAPER_JOB" | sed 1d
		echo EOF
	} >"$D/fake-sim"
	chmod +x "$D/fake-sim"
	out=$(CAGMA_SIM=$D/fake-sim reader sh "$SCN" 2>"$D/fake.err")
	rc=$?
	check "scenario.sh refuses $1 (rc $rc: $(cat "$D/fake.err"))" \
	    [ $rc -eq 2 -a -z "$out" -a ! -e "$D/pwned" ]
}
fake_sim "a command substitution" 'LAB_SCN_NAME=$(touch '"$D"'/pwned)'
fake_sim "backquotes" 'LAB_SCN_NAME=`touch '"$D"'/pwned`'
fake_sim "a ; in a value" "LAB_SCN_NAME=a;touch $D/pwned"
fake_sim "a space in a value" "LAB_SCN_NAME=a b"
fake_sim "a glob in a value" "LAB_SCN_NAME=*"
fake_sim "an = in a value" "LAB_SCN_NAME=a=b"
fake_sim "an empty value" "LAB_SCN_NAME="
fake_sim "an unknown key" "PATH=/tmp"
fake_sim "a line without =" "LAB_SCN_NAME"
fake_sim "a repeated key" "LAB_VM1_START=1"
fake_sim "a missing key" ""
{
	printf '#!/bin/sh\ncat <<"EOF"\n'
	echo "$PAPER_JOB" | sed '$d'
	echo 'LAB_VM3_DISK=$(touch '"$D"'/pwned)'
	echo EOF
} >"$D/fake-sim"
n=$(CAGMA_SIM=$D/fake-sim HERE=$LAB sh -c '. "$HERE/scenario.sh"
	lab_scenario "$1"; env | grep -c "^LAB_VM"' reader "$SCN" 2>/dev/null)
check "scenario.sh: a bad last line, and nothing is exported ($n)" \
    [ "$n" = 0 -a ! -e "$D/pwned" ]

# run-lab.sh paper converts the scenario on the host, before QEMU starts,
# and hands the settings to dom0 in lab.env; a refused scenario stops it
# there.  QEMU here is a stub that exits at once (no boot, no Xen).
mkdir -p "$D/cache/image" "$D/bin"
: >"$D/cache/image/inputs.sha256"
: >"$D/cache/image/kver"
printf '#!/bin/sh\necho qemu-stub\n' >"$D/bin/qemu-system-x86_64"
chmod +x "$D/bin/qemu-system-x86_64"
run_lab() {	# SCN [RANGE]
	PATH=$D/bin:$PATH LAB_CACHE=$D/cache LAB_RUN=$D/lab LAB_DISK_MB=1 \
	    LAB_SCENARIO=$1 LAB_SCN_RANGE=${2:-} LAB_VM1_TASKS=stale \
	    bash "$LAB/run-lab.sh" paper >"$D/run-lab.out" 2>&1
}
run_lab "$D/bad.scn"
rc=$?
check "run-lab.sh paper refuses a scenario the lab cannot run before QEMU (rc $rc)" \
    [ $rc -eq 2 -a ! -e "$D/lab" -a \
    -n "$(grep 'bad.scn:1: vm1: count=' "$D/run-lab.out")" ]
run_lab "$SCN" 2-4
env=$(grep -E '^LAB_(SCN_[A-Z]+|VM[123]_[A-Z]+)=' "$D/lab/share/lab.env" | sort |
    tr '\n' ' ')
check "run-lab.sh paper hands the scenario's settings to dom0 ($env)" \
    [ "$env" = "LAB_SCN_NAME='paper' LAB_SCN_PHASES='3' LAB_SCN_RANGE='2-4' LAB_VM1_DISK='0,0,0' LAB_VM1_MAX='2500' LAB_VM1_START='512' LAB_VM1_TASKS='2,10,10' LAB_VM2_DISK='0,0,0' LAB_VM2_MAX='1500' LAB_VM2_START='512' LAB_VM2_TASKS='2,9,9' LAB_VM3_DISK='15,15,15' LAB_VM3_MAX='3000' LAB_VM3_START='512' LAB_VM3_TASKS='1,1,1' " ]
it_finish
