#!/bin/sh
# run-bench.sh - every policy on every scenario over SEEDS seeds; writes
# OUT/sim-summary.csv, OUT/sim-summary.md, and the paper scenario's plots
# (OUT/sim-paper-alloc.png, OUT/sim-paper-swapins.png), then pool-sweep.sh
# and headroom-sweep.sh.
# usage: run-bench.sh CAGMA_SIM OUTDIR [SEEDS]
set -eu
bin=$1 out=$2 seeds=${3:-5}
here=$(dirname "$0")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$out"
policies=$("$bin" --help | sed -n 's/^policies: //p')
. "$here/lib.sh"
sim_table "$bin" "$seeds" "$policies" "$tmp/raw.txt" "$out/sim-summary.csv" \
    "$out/sim-summary.md" "$here"/../scenarios/*.scn
# the paper scenario, seed 1, per-step CSVs for the plots
for p in $policies; do
	"$bin" --scenario "$here/../scenarios/paper.scn" --policy "$p" \
	    --seed 1 --csv "$tmp/paper-$p.csv" >/dev/null
	for g in vm1 vm2 vm3; do
		awk -F, -v g="$g" '$2 == g { print $1, $3, $6 }' \
		    "$tmp/paper-$p.csv" >"$tmp/$p.$g.dat"
	done
	awk -F, 'NR > 1 { s[$1] += $8 } END { for (t in s) print t, s[t] }' \
	    "$tmp/paper-$p.csv" | sort -n >"$tmp/$p.swapins.dat"
done
gnuplot -e "dir='$tmp'; out='$out'; policies='$policies'" \
    "$here/plots.gp"
echo "bench-sim: wrote $out/sim-summary.csv, sim-summary.md, plots"
# the paper scenario over the memory Xen leaves for guests (dom0's share)
sh "$here/pool-sweep.sh" "$bin" "$out" "$seeds"
# cagma's swap-ins against its memory for several headroom settings
sh "$here/headroom-sweep.sh" "$bin" "$out" "$seeds"
