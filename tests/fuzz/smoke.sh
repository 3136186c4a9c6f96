#!/bin/sh
# Bounded fuzz run for CI: FUZZ_SECONDS of libFuzzer on the record decoder.
# Fails on any crash, sanitizer report or round-trip mismatch.
# usage: smoke.sh FUZZ_BIN SECONDS RESULTS_DIR
set -u
bin=$1 secs=$2 res=$3
log=$(mktemp)
"$bin" -max_total_time="$secs" -max_len=1200 -print_final_stats=1 \
    build/fuzz/corpus tests/fuzz/corpus/record >"$log" 2>&1
rc=$?
runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
if [ $rc -eq 0 ]; then
	echo "fuzz: record decoder, ${secs}s, ${runs:-?} executions, no finding"
	echo "fuzz: 1 passed, 0 failed" >"$res/fuzz.txt"
else
	tail -n 40 "$log"
	echo "fuzz: 0 passed, 1 failed" >"$res/fuzz.txt"
fi
cat "$res/fuzz.txt"
rm -f "$log"
exit $rc
