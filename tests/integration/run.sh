#!/bin/bash
# run.sh RESULTS_DIR [LAYER] - the integration layer: real Xen xenstored
# (the newest /usr/lib/xen-4.*/bin/xenstored: 4.17 on Debian 12, 4.20 on
# Debian 13) under the fakexen shim, no hypervisor.  Runs every tests/integration/s*.sh
# scenario (each in its own xenstored instance and tmp dir, bounded by
# IT_TIMEOUT seconds), prints one line per check, and writes
# RESULTS_DIR/LAYER.txt (LAYER default integration) ending with
# "LAYER: N passed, N failed".
# SKIP lines (program under test not built) count as failures.  Exits
# non-zero on any failure.  Select scenarios with IT_ONLY="s1 s4".
# Scenarios 4 and 9 are repeated with CAGMAD=build/asan/test/bin/cagmad if
# it exists.  cagmad is the test build (build/test/bin/cagmad, --backend sim).
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
res=${1:-$root/build/test-results}
mkdir -p "$res"
layer=${2:-integration}
out="$res/$layer.txt"
: >"$out"
timeout_s=${IT_TIMEOUT:-120}
pass=0
fail=0

for bin in libfakexen.so fakeguest xstool; do
	if [ ! -e "$root/build/integration/$bin" ]; then
		echo "run.sh: build/integration/$bin missing (make integration)" |
		    tee -a "$out"
		fail=$((fail + 1))
	fi
done
xs=${XENSTORED:-$(ls -d /usr/lib/xen-4.*/bin/xenstored 2>/dev/null |
    sort -V | tail -n 1)}
if [ -z "$xs" ] || [ ! -x "$xs" ]; then
	echo "run.sh: xenstored missing (make deps installs xen-utils-4.17)" |
	    tee -a "$out"
	fail=$((fail + 1))
else
	export XENSTORED=$xs
	echo "run.sh: $xs" | tee -a "$out"
fi

# Scenarios 4 (hostile records) and 9 (valid urgent flood) run a second
# time against the ASan/UBSan cagmad when `make SAN=1` (or make unit-asan)
# has built it.
list=""
for s in "$here"/s*.sh; do
	list="$list $s"
	case $s in
	*/s4_* | */s9_*) [ -x "$root/build/asan/test/bin/cagmad" ] &&
		list="$list asan:$s" ;;
	esac
done
for s in $list; do
	asan=""
	case $s in asan:*) s=${s#asan:} asan=1 ;; esac
	name=$(basename "$s" .sh)${asan:+_asan}
	if [ -n "${IT_ONLY:-}" ] && ! echo " $IT_ONLY " | grep -q " ${name%%_*} "; then
		continue
	fi
	[ "$fail" -eq 0 ] || [ -e "$root/build/integration/fakeguest" ] || break
	echo "== $name" | tee -a "$out"
	log=$(mktemp)
	t0=$(date +%s%N)
	if [ -n "$asan" ]; then
		CAGMAD=$root/build/asan/test/bin/cagmad \
		    timeout -k 5 "$timeout_s" bash "$s" >"$log" 2>&1
	else
		timeout -k 5 "$timeout_s" bash "$s" >"$log" 2>&1
	fi
	rc=$?
	t1=$(date +%s%N)
	sed "s/^/$name: /" "$log" | tee -a "$out"
	p=$(grep -c '^PASS:' "$log")
	f=$(grep -c -E '^(FAIL|SKIP):' "$log")
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "$name: FAIL: scenario exited $rc (timeout or crash)" |
		    tee -a "$out"
		f=1
	fi
	echo "$name: $p passed, $f failed in $(( (t1 - t0) / 1000000 )) ms" |
	    tee -a "$out"
	pass=$((pass + p))
	fail=$((fail + f))
	rm -f "$log"
done
echo "$layer: $pass passed, $fail failed" | tee -a "$out"
[ "$fail" -eq 0 ]
