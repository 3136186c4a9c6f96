#!/bin/sh
# headroom-sweep.sh - issue 17's trade-off: cagma's swap-ins against its
# mean allocation for several burst-headroom settings (--headroom 0 .. 400 %
# and auto) and for --surplus weight (the host's spare shared out to the
# guests by weight, as qmemman does), beside qmemman's point, on the
# scenarios where a burst is
# faster than the balloon (burst, paper-slowballoon) and on the paper
# scenario, over SEEDS seeds.  Writes OUT/sim-headroom-sweep.csv
# (summary.awk's columns, policy = cagma-hPCT), OUT/sim-headroom-sweep.md
# and OUT/sim-headroom-sweep.png (swap-ins vs mean allocation).
# usage: headroom-sweep.sh CAGMA_SIM OUTDIR [SEEDS]
set -eu
bin=$1 out=$2 seeds=${3:-5}
here=$(dirname "$0")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
scenarios="burst paper-slowballoon paper"
settings="0 25 50 100 200 400 auto weight"
mkdir -p "$out"
: >"$tmp/raw.txt"
for sc in $scenarios; do
	f=$here/../scenarios/$sc.scn
	for h in $settings; do
		s=1
		while [ "$s" -le "$seeds" ]; do
			case $h in
			weight) opt="--surplus weight" ;;
			*) opt="--headroom $h" ;;
			esac
			# shellcheck disable=SC2086
			"$bin" --scenario "$f" --policy cagma $opt \
			    --seed "$s" |
			    sed "s/ policy=cagma / policy=cagma-h$h /" \
			    >>"$tmp/raw.txt"
			s=$((s + 1))
		done
	done
	s=1
	while [ "$s" -le "$seeds" ]; do
		"$bin" --scenario "$f" --policy qmemman --seed "$s" \
		    >>"$tmp/raw.txt"
		s=$((s + 1))
	done
done
awk -f "$here/summary.awk" -v csv="$out/sim-headroom-sweep.csv" \
    -v md="$tmp/long.md" "$tmp/raw.txt"
# pivot: one row per scenario x setting; one .dat per scenario for the plot
awk -F, -v tmpd="$tmp" '
NR == 1 { next }
{ print $9, $4, $2 > (tmpd "/" $1 ".dat")
  if ($2 == "qmemman") q[$1] = sprintf("%s / %.0f", $4, $9)
  else { r[++n] = $1; p[n] = substr($2, 8); v[n] = sprintf("%s / %.0f", $4, $9) } }
END {
	print "| scenario | headroom | cagma swap-ins / mean alloc MiB | qmemman |"
	print "|---|---:|---:|---:|"
	for (i = 1; i <= n; i++) {
		lab = p[i] " %"
		if (p[i] == "auto") lab = "auto"
		if (p[i] == "weight") lab = "100 %, surplus = weight"
		printf "| %s | %s | %s | %s |\n", r[i], lab, v[i], q[r[i]]
	}
}' "$out/sim-headroom-sweep.csv" >"$out/sim-headroom-sweep.md"
gnuplot -e "dir='$tmp'; out='$out'; scenarios='$scenarios'" - <<'GP'
set terminal pngcairo size 900,500 font ",10"
set output out."/sim-headroom-sweep.png"
set title "cagma: swap-ins vs mean allocation, headroom 0..400 % and auto (labels); qmemman marked"
set xlabel "mean allocation (MiB)"
set ylabel "swap-ins (pages, mean of seeds)"
set key right top
plot for [i = 1:words(scenarios)] dir."/".word(scenarios, i).".dat" u 1:2 w p pt 7 ps 1.2 t word(scenarios, i), \
     for [i = 1:words(scenarios)] dir."/".word(scenarios, i).".dat" u 1:2:(substr(strcol(3), 1, 7) eq "cagma-h" ? substr(strcol(3), 8, 20) : "qmemman") w labels offset 0,0.8 font ",8" notitle
GP
echo "headroom-sweep: wrote $out/sim-headroom-sweep.csv, .md, .png"
