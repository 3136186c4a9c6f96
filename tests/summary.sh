#!/bin/sh
# Sum the per-layer "layer: N passed, N failed" lines into the closing line.
set -u
pass=0 fail=0
for f in "$1"/*.txt; do
	[ -f "$f" ] || continue
	line=$(tail -n 1 "$f")
	echo "  $line"
	p=$(echo "$line" | sed -n 's/.*: \([0-9]*\) passed, \([0-9]*\) failed.*/\1/p')
	q=$(echo "$line" | sed -n 's/.*: \([0-9]*\) passed, \([0-9]*\) failed.*/\2/p')
	pass=$((pass + ${p:-0})) fail=$((fail + ${q:-0}))
done
echo "total: $pass passed, $fail failed"
[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]
