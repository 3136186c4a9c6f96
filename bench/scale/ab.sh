#!/bin/sh
# bench/scale/ab.sh OLD_CAGMAD [NEW_CAGMAD] - the same scale windows for two
# cagmad builds, alternated, so that the machine's drift hits both alike
# (make bench-scale-ab OLD=path/to/an/older/test-build/cagmad).
#
# For each N in AB_NS (default "200 500"), AB_RUNS (default 2) rounds of
# bench/scale/run.sh at SCALE_FLOOD_PCT=${AB_PCT:-5}, old build then new.
# Writes bench/results/scale-ab.md (the flood rows, one per run) and
# scale-ab.txt (every run's raw output).  NEW_CAGMAD defaults to this
# tree's test build.
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
old=${1:?usage: ab.sh OLD_CAGMAD [NEW_CAGMAD]}
new=${2:-$root/build/test/bin/cagmad}
ns=${AB_NS:-200 500}
runs=${AB_RUNS:-2}
pct=${AB_PCT:-5}
out=$root/bench/results
tmp=$(mktemp -d /tmp/cgab.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
for b in "$old" "$new"; do
	[ -x "$b" ] || { echo "bench-scale-ab: $b missing" >&2; exit 1; }
done
: >"$out/scale-ab.txt"
for n in $ns; do
	for r in $(seq "$runs"); do
		for which in old new; do
			[ "$which" = old ] && b=$old || b=$new
			echo "bench-scale-ab: N=$n run $r $which" >&2
			CAGMAD=$b SCALE_NS=$n SCALE_FLOOD_PCT=$pct \
			    SCALE_MD=$tmp/r.md SCALE_TXT=$tmp/r.txt \
			    sh "$root/bench/scale/run.sh" >/dev/null
			{ echo "== N=$n run $r $which ($b)"; cat "$tmp/r.txt"; } \
			    >>"$out/scale-ab.txt"
			# the flood row: | N | F | ... | med / p99 | raw | done |
			awk -F'|' -v w="$which" -v r="$r" \
			    'NF >= 13 && $3 + 0 > 0 && $2 + 0 > 0 {
				printf "| %d | %d | %s | %d | %s | %s | %d | %.3f | %.3f |\n",
				    $2, $3, w, r, $10, $11, $12, $6, $8
			}' "$tmp/r.md" >>"$tmp/rows"
		done
	done
done
{
	echo "# Two cagmad builds, same scale windows, alternated (bench/scale/ab.sh)"
	echo
	echo "bench/scale/run.sh windows (real Xen 4.17 C xenstored under the"
	echo "fakexen shim, cagmad --backend sim), $pct % of the guests flooding valid"
	echo "urgent records at 200/s each; $(nproc) cores shared; $(date -u +%Y-%m-%d)."
	echo "old: $old"
	echo "new: $new (tree $(cd "$root" && git rev-parse --short HEAD 2>/dev/null))"
	echo
	echo "| guests | flooders | build | run | quiet urgent -> target median / p99 ms | raw hop median / p99 ms | flood writes done/s | cagmad CPU (core) | xenstored CPU (core) |"
	echo "|---:|---:|---|---:|---:|---:|---:|---:|---:|"
	cat "$tmp/rows"
} >"$out/scale-ab.md"
cat "$out/scale-ab.md"
