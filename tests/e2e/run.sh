#!/bin/sh
# tests/e2e/run.sh RESULTS_DIR - the end-to-end test on real Xen 4.17.
#
# Builds (or reuses) the cached lab image, boots Xen + dom0 under QEMU TCG,
# runs bench/lab/share/job-e2e.sh in dom0 (two PV guests with cagma-agent,
# cagmad --backend xen) and counts its "CHECK name PASS|FAIL" lines.
# Writes RESULTS_DIR/e2e.txt ending "e2e: N passed, N failed"; exits non-zero
# on any failure.  Retries nothing; on failure prints dom0's and the guests'
# logs.  Without root or qemu-system-x86_64 it says SKIPPED and writes
# "e2e: 0 passed, 0 failed".
# Environment: LAB_CACHE (image cache), E2E_TIMEOUT (s, default 1500).
set -u
res=${1:?usage: tests/e2e/run.sh RESULTS_DIR}
top=$(cd "$(dirname "$0")/../.." && pwd)
mkdir -p "$res"
out=$res/e2e.txt
run=$top/build/lab/run-e2e
: > "$out"

finish() {
	echo "e2e: $1 passed, $2 failed" | tee -a "$out"
	[ "$2" -eq 0 ]
	exit $?
}
if [ "$(id -u)" != 0 ] || ! command -v qemu-system-x86_64 > /dev/null ||
    ! command -v debootstrap > /dev/null; then
	echo "e2e: SKIPPED (needs root, qemu-system-x86_64 and debootstrap)" |
	    tee -a "$out"
	finish 0 0
fi
missing=""
for p in cagmad cagmactl cagma-agent cagma-memtask cagma-hog cagma-labstat \
    cagma-xswatch; do
	[ -x "$top/build/bin/$p" ] || missing="$missing $p"
done
if [ -n "$missing" ]; then
	echo "e2e: FAIL: not built:$missing" | tee -a "$out"
	finish 0 1
fi

t0=$(date +%s)
if ! "$top/bench/lab/build-image.sh"; then
	echo "e2e: FAIL: lab image build failed" | tee -a "$out"
	finish 0 1
fi
t1=$(date +%s)
LAB_RUN=$run LAB_MEM_MB=${E2E_MEM_MB:-2048} LAB_NGUEST=2 \
    LAB_TIMEOUT=${E2E_TIMEOUT:-1500} "$top/bench/lab/run-lab.sh" e2e
lab_rc=$?
t2=$(date +%s)
echo "e2e: image $((t1 - t0)) s, lab run $((t2 - t1)) s" | tee -a "$out"

pass=0 fail=0
if [ -f "$run/out/results.txt" ]; then
	grep '^CHECK ' "$run/out/results.txt" | tee -a "$out"
	pass=$(grep -c '^CHECK [^ ]* PASS' "$run/out/results.txt")
	fail=$(grep -c '^CHECK [^ ]* FAIL' "$run/out/results.txt")
fi
# the checks that must have run (a run that stops early fails them all)
for c in target_write_hog target_write_idle record_hog record_idle \
    hog_grown hog_memtotal idle_shrunk idle_gradual idle_floor \
    host_reserve cagmad_alive; do
	if ! grep -q "^CHECK $c " "$run/out/results.txt" 2>/dev/null; then
		echo "CHECK $c FAIL (did not run)" | tee -a "$out"
		fail=$((fail + 1))
	fi
done
if [ $lab_rc -ne 0 ] && [ $fail -eq 0 ]; then
	echo "e2e: FAIL: lab run failed (rc=$lab_rc) without a failed check" |
	    tee -a "$out"
	fail=1
fi
if [ $fail -ne 0 ]; then
	echo "===== console (last 80 lines): $run/console.log ====="
	tail -n 80 "$run/console.log" 2>/dev/null
	echo "===== cagmad log (last 60 lines) ====="
	tail -n 60 "$run/out/cagmad.log" 2>/dev/null
	for g in hog idle; do
		echo "===== guest $g: console and agent log ====="
		tail -n 30 "$run/out/$g/console.log" 2>/dev/null
		tail -n 20 "$run/out/$g/agent.log" 2>/dev/null
	done
fi
finish "$pass" "$fail"
