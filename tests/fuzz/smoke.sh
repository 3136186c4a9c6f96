#!/bin/sh
# Bounded fuzz run for CI: SECONDS of libFuzzer on one parser.  Fails on any
# crash, sanitizer report or invariant violation (the target aborts).
# usage: smoke.sh NAME FUZZ_BIN SECONDS RESULTS_DIR MAX_LEN SEED_CORPUS
set -u
name=$1 bin=$2 secs=$3 res=$4 maxlen=$5 seeds=$6
work=build/fuzz/corpus-$name
mkdir -p "$work"
log=$(mktemp)
"$bin" -max_total_time="$secs" -max_len="$maxlen" -print_final_stats=1 \
    "$work" "$seeds" >"$log" 2>&1
rc=$?
runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
if [ $rc -eq 0 ]; then
	echo "fuzz-$name: ${secs}s, ${runs:-?} executions, no finding"
	echo "fuzz-$name: 1 passed, 0 failed" >"$res/fuzz-$name.txt"
else
	tail -n 40 "$log"
	echo "fuzz-$name: 0 passed, 1 failed" >"$res/fuzz-$name.txt"
fi
cat "$res/fuzz-$name.txt"
rm -f "$log"
exit $rc
