#!/bin/sh
# pool-sweep.sh - the paper scenario with the memory Xen leaves for guests
# (host_memory) swept from "no room to grow" to the whole 4 GB host minus
# 512 MiB, for static, cagma-paper, qmemman and cagma over SEEDS seeds.
# The paper gives the host (4 GB) but not dom0's share; this shows where
# each policy's swap-ins start as that share grows.  Writes
# OUT/sim-pool-sweep.csv (summary.awk's columns, scenario = paper-hMiB),
# OUT/sim-pool-sweep.md (swap-ins and mean allocation per pool size) and
# OUT/sim-pool-sweep.png.
# usage: pool-sweep.sh CAGMA_SIM OUTDIR [SEEDS]
set -eu
bin=$1 out=$2 seeds=${3:-5}
here=$(dirname "$0")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
policies="static cagma-paper qmemman cagma"
sizes="1792 1856 1920 2048 2304 2560 3072 3584"
mkdir -p "$out"
for h in $sizes; do
	sed -e "s/^name .*/name paper-h$h/" \
	    -e "s/^host_memory .*/host_memory ${h}M/" \
	    "$here/../scenarios/paper.scn" >"$tmp/h$h.scn"
done
. "$here/lib.sh"
sim_table "$bin" "$seeds" "$policies" "$tmp/raw.txt" \
    "$out/sim-pool-sweep.csv" "$tmp/long.md" "$tmp"/h*.scn
# pivot: one row per host_memory, swap-ins and mean allocation per policy
awk -F, -v pols="$policies" '
NR == 1 { next }
{ h = substr($1, 8); if (!(h in seen)) { seen[h] = 1; order[++n] = h }
  sw[h, $2] = $4; al[h, $2] = $9; rv[h, $2] = $8 }
END {
	np = split(pols, P, " ")
	printf "| host_memory MiB |"
	for (i = 1; i <= np; i++) printf " %s swap-ins |", P[i]
	for (i = 1; i <= np; i++) printf " %s alloc |", P[i]
	printf "\n|---:|"
	for (i = 1; i <= 2 * np; i++) printf "---:|"
	printf "\n"
	for (j = 1; j <= n; j++) { h = order[j]; printf "| %d |", h
		for (i = 1; i <= np; i++) printf " %s%s |", sw[h, P[i]],
		    (rv[h, P[i]] > 0 ? " (" rv[h, P[i]] " rv)" : "")
		for (i = 1; i <= np; i++) printf " %.0f |", al[h, P[i]]
		printf "\n"
		for (i = 1; i <= np; i++) print h, sw[h, P[i]] > (tmpd "/" P[i] ".dat")
	}
}' tmpd="$tmp" "$out/sim-pool-sweep.csv" >"$out/sim-pool-sweep.md"
gnuplot -e "dir='$tmp'; out='$out'; policies='$policies'" - <<'GP'
set terminal pngcairo size 900,500 font ",10"
set output out."/sim-pool-sweep.png"
set title "paper scenario: swap-ins vs memory Xen leaves for guests (mean of seeds)"
set xlabel "host_memory (MiB; reserve 256 MiB of it stays free)"
set ylabel "swap-ins (pages)"
set key right top
plot for [i = 1:words(policies)] dir."/".word(policies, i).".dat" u 1:2 w lp lw 2 t word(policies, i)
GP
echo "pool-sweep: wrote $out/sim-pool-sweep.csv, .md, .png"
