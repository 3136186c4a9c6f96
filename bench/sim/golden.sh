#!/bin/sh
# golden.sh - the simulator's golden outputs: the summary line of every
# shipped scenario x policy at seed 1, kept in bench/sim/expected/NAME.txt.
#   golden.sh check CAGMA_SIM RESULTS_DIR   compare; "sim-golden: N passed,
#                                           N failed" (RESULTS_DIR/sim-golden.txt)
#   golden.sh update CAGMA_SIM              rewrite expected/ (a commit that
#                                           changes behaviour says why)
set -u
mode=${1:?usage: golden.sh check|update CAGMA_SIM [RESULTS_DIR]}
bin=${2:?usage: golden.sh check|update CAGMA_SIM [RESULTS_DIR]}
here=$(dirname "$0")
exp="$here/expected"
policies=$("$bin" --help | sed -n 's/^policies: //p')
[ -n "$policies" ] || { echo "golden: $bin lists no policies" >&2; exit 2; }
run_one() {	# SCN: every policy, seed 1
	for p in $policies; do
		"$bin" --scenario "$1" --policy "$p" --seed 1 || return 1
	done
}
case $mode in
update)
	mkdir -p "$exp"
	rm -f "$exp"/*.txt
	for scn in "$here"/../scenarios/*.scn; do
		n=$(basename "$scn" .scn)
		run_one "$scn" >"$exp/$n.txt" || exit 1
	done
	echo "golden: wrote $(ls "$exp" | wc -l) files in $exp"
	;;
check)
	res=${3:?usage: golden.sh check CAGMA_SIM RESULTS_DIR}
	mkdir -p "$res"
	pass=0 fail=0 tmp=$(mktemp)
	for scn in "$here"/../scenarios/*.scn; do
		n=$(basename "$scn" .scn)
		if [ ! -f "$exp/$n.txt" ]; then
			echo "sim-golden: FAIL: $n: no $exp/$n.txt (golden.sh update)"
			fail=$((fail + 1))
			continue
		fi
		run_one "$scn" >"$tmp" 2>&1
		if cmp -s "$tmp" "$exp/$n.txt"; then
			pass=$((pass + 1))
		else
			echo "sim-golden: FAIL: $n differs from $exp/$n.txt:"
			diff "$exp/$n.txt" "$tmp" | head -n 20
			fail=$((fail + 1))
		fi
	done
	for f in "$exp"/*.txt; do
		[ -f "$here/../scenarios/$(basename "$f" .txt).scn" ] && continue
		echo "sim-golden: FAIL: $f has no scenario"; fail=$((fail + 1))
	done
	rm -f "$tmp"
	echo "sim-golden: $pass passed, $fail failed" | tee "$res/sim-golden.txt"
	[ "$fail" -eq 0 ]
	;;
*)
	echo "usage: golden.sh check|update CAGMA_SIM [RESULTS_DIR]" >&2
	exit 2
	;;
esac
