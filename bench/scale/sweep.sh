#!/bin/sh
# bench/scale/sweep.sh - where xenstored saturates under a flood of valid
# urgent records, and what cagmad spends there (issue 20: "find the flood
# at which xenstored itself saturates and show that cagmad's CPU stays
# well below xenstored's there").  make bench-scale-sweep.
#
# bench/scale/run.sh at N = SWEEP_N guests (default 100), 20 % of them
# flooding, once per rate in SWEEP_RATES (writes/s per flooder, default
# "25 100 200 500 1000": 500 .. 20000 writes/s asked in all; cagmad's
# per-domain urgent budget is 200/s).  Writes bench/results/scale-sweep.md
# and scale-sweep.txt (the raw output of every run).
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
n=${SWEEP_N:-100}
rates=${SWEEP_RATES:-25 100 200 500 1000}
out=$root/bench/results
tmp=$(mktemp -d /tmp/cgsw.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$out"
: >"$out/scale-sweep.txt"
for r in $rates; do
	echo "bench-scale-sweep: N=$n, $r writes/s per flooder" >&2
	SCALE_NS=$n SCALE_RATE=$r SCALE_MD=$tmp/$r.md SCALE_TXT=$tmp/$r.txt \
	    sh "$root/bench/scale/run.sh" >/dev/null
	{ echo "== rate $r"; cat "$tmp/$r.txt"; } >>"$out/scale-sweep.txt"
	# the flood row: | N | F | asked | accepted | cg | us | xs | em |
	# med / p99 | raw hop med / p99 | done |
	awk -F'|' -v r="$r" 'NF >= 13 && $3 + 0 > 0 && $2 + 0 > 0 {
		cg = $6 + 0; xs = $8 + 0
		printf "| %d | %d | %d | %d | %d | %.3f | %.3f | %s | %s |\n",
		    $2, r, $4, $12, $5, xs, cg,
		    (xs > 0 ? sprintf("%.2f", cg / xs) : "-"), $10
	}' "$tmp/$r.md" >>"$tmp/rows"
done
{
	echo "# xenstored saturation under a flood of valid urgent records (make bench-scale-sweep)"
	echo
	echo "bench/scale/run.sh at N = $n fake guests, 20 % of them flooding"
	echo "valid urgent records, one run per rate; real Xen 4.17 C xenstored"
	echo "under the fakexen shim, cagmad --backend sim (test build); $(nproc)"
	echo "cores shared by xenstored, cagmad and the writers; $(date -u +%Y-%m-%d),"
	echo "tree $(cd "$root" && git rev-parse --short HEAD 2>/dev/null)."
	echo "cagmad's per-domain urgent budget is 200 records/s: above it a"
	echo "flooder's writes still cost xenstored, not cagmad."
	echo
	echo "| guests | writes/s per flooder | writes asked/s | writes done/s | records cagmad accepted/s | xenstored CPU (core) | cagmad CPU (core) | cagmad / xenstored | quiet urgent -> target median / p99 ms |"
	echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
	cat "$tmp/rows"
} >"$out/scale-sweep.md"
cat "$out/scale-sweep.md"
