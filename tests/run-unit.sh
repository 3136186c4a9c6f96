#!/bin/sh
# Run cmocka test binaries; print each summary and a closing
# "<layer>: N passed, N failed" line, also stored in <results>/<layer>.txt.
# usage: run-unit.sh LAYER RESULTS_DIR BIN...
set -u
layer=$1 res=$2
shift 2
out="$res/$layer.txt"
pass=0 fail=0
for t in "$@"; do
	log=$(mktemp)
	"$t" >"$log" 2>&1
	rc=$?
	p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$log" | tail -n 1)
	f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$log" | tail -n 1)
	p=${p:-0} f=${f:-0}
	if [ $rc -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1	# crashed or sanitizer report: count it
	fi
	if [ "$f" -ne 0 ] || [ $rc -ne 0 ]; then
		cat "$log"
	else
		grep -E '^\[ *(PASSED|==========) *\]' "$log" | tail -n 1 |
		    sed "s|^|$(basename "$t"): |"
	fi
	pass=$((pass + p)) fail=$((fail + f))
	rm -f "$log"
done
echo "$layer: $pass passed, $fail failed" | tee "$out"
[ "$fail" -eq 0 ]
