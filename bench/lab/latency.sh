#!/bin/bash
# latency.sh - make bench-latency-xen: the emergency path's latency on real
# Xen (the lab, job-latency.sh), parsed into bench/results/latency-xen.md.
# Run it (or make bench-latency-xen) under flock /tmp/cagma-xenlab.lock.
#   LAB_LAT_PATHS   target paths measured, in order (default "libxl direct")
#   LAB_LAT_ARGS    cagma-latprobe CYCLES OVER_MIB POLL_MS GROW_MIB per path
#                   (default "20 48 10 16")
#   LAB_TGT_ROUNDS  cagma-tgtbench rounds (default 12: 24 calls per path)
#   LAB_DIST        bookworm (default) or trixie (binaries: build/trixie/bin)
#   LAT_PARSE=DIR   only parse the lab output in DIR (a run's out/)
# Times are dom0's CLOCK_MONOTONIC (cagma-latwatch), t0 = dom0 sees the
# guest's first swap-in of a pressure cycle (cagma-latprobe polls vmstat
# every POLL_MS and writes a xenstore key).
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$HERE/../.." && pwd)
DIST=${LAB_DIST:-bookworm}
RES=$TOP/bench/results
OUTMD=${LAT_MD:-$RES/latency-xen$([ "$DIST" = trixie ] && echo -trixie).md}
if [ -n "${LAT_PARSE:-}" ]; then
	OUT=$LAT_PARSE
else
	export LAB_RUN=${LAB_RUN:-$TOP/build/lab/run-latency-$DIST}
	export LAB_TIMEOUT=${LAB_TIMEOUT:-2700}
	t0=$(date +%s)
	"$HERE/run-lab.sh" latency
	rc=$?
	echo "bench-latency-xen: lab rc=$rc in $(($(date +%s) - t0)) s"
	OUT=$LAB_RUN/out
fi
[ -f "$OUT/tgtbench.txt" ] || { echo "bench-latency-xen: no $OUT/tgtbench.txt" >&2; exit 1; }

# q FILE: "n median p90 max" of the numbers in FILE (ms, 1 decimal)
q() {
	sort -g "$1" | awk '{ v[NR] = $1 } END {
		if (NR == 0) { print "0 - - -"; exit }
		m = v[int((NR + 1) / 2)]; p = v[int(NR * 0.9 + 0.999)]
		printf "%d %.1f %.1f %.1f\n", NR, m, p, v[NR] }'
}
# events FILE: one line per pressure event:
#   cycle swapin->urgent ->target ->current_rises ->current_reaches ->memtotal pre
# (ms; "-" when the step did not happen within 30 s; pre=1: cagmad had
# already raised the target between the cycle's start and its swap-in, so
# (a) is the next raise)
events() {
	awk '
	function flush() {
		if (t0 == "") return
		printf "%s %s %s %s %s %s %d\n", cyc, d(tu), d(ta), d(tb), d(tr), d(tc), pre
		t0 = ""
	}
	function d(t) { return t == "" || t - t0 > 30e6 ? "-" : sprintf("%.1f", (t - t0) / 1000) }
	$2 == "swapin" { flush(); t0 = $1; cyc = $3; tg0 = tg; cur0 = cur; mt0 = mt
		pre = tg > tgarm
		tu = ta = tb = tr = tc = ""; next }
	$2 == "target" { if (t0 != "" && ta == "" && $3 > tg0) { ta = $1; ntg = $3 }; tg = $3; next }
	$2 == "current" { if (t0 != "" && tb == "" && $3 > cur0 && cur0 != "") tb = $1
		if (t0 != "" && ta != "" && tr == "" && $3 + 2048 >= ntg) tr = $1
		cur = $3; next }
	$2 == "stats" { if (t0 != "" && tu == "" && $3 == "urgent=1") tu = $1; next }
	$2 == "memtotal" { if (t0 != "" && tc == "" && $4 > mt0 && $3 == cyc) tc = $1
		if (t0 == "" || $3 != cyc) { mt = $4; if ($3 != armc) { armc = $3; tgarm = tg } }
		next }
	END { flush() }' "$1"
}
# starts FILE: one line per cycle, timed from the cycle's start (the probe
# arms and starts populating its chunk: its first memtotal report of the
# cycle), whether or not the guest swapped in:
#   cycle ->record ->target ->current_rises ->current_reaches ->memtotal swapped
# (swapped=1: the cycle had a swap-in)
starts() {
	awk '
	function flush() {
		if (t0 == "") return
		printf "%s %s %s %s %s %s %d\n", cyc, d(tu), d(ta), d(tb), d(tr), d(tc), sw
		t0 = ""
	}
	function d(t) { return t == "" || t - t0 > 30e6 ? "-" : sprintf("%.1f", (t - t0) / 1000) }
	$2 == "memtotal" && $3 > 0 && $3 != cyc { flush(); t0 = $1; cyc = $3
		tg0 = tg; cur0 = cur; mt0 = $4; sw = 0
		tu = ta = tb = tr = tc = ""; next }
	$2 == "memtotal" { if (t0 != "" && tc == "" && $4 > mt0) tc = $1; next }
	$2 == "swapin" { if ($3 == cyc) sw = 1; next }
	$2 == "target" { if (t0 != "" && ta == "" && $3 > tg0) { ta = $1; ntg = $3 }; tg = $3; next }
	$2 == "current" { if (t0 != "" && tb == "" && $3 > cur0 && cur0 != "") tb = $1
		if (t0 != "" && ta != "" && tr == "" && $3 + 2048 >= ntg) tr = $1
		cur = $3; next }
	$2 == "stats" { if (t0 != "" && tu == "") tu = $1; next }
	END { flush() }' "$1"
}
col() {	# col EVENTS N -> file of column N without "-"
	awk -v c="$2" '$c != "-" { print $c }' "$1" > "$TMP/col"
	q "$TMP/col"
}
# rows PARSER NAME NOTE: one table row per path, from PARSER (events or
# starts) on its latwatch file (kept as $OUT/NAME-PATH.txt): the number of
# lines, how many have column 7 set (followed by NOTE), then n / median /
# p90 / max of columns 2-6
rows() {
	local parser=$1 name=$2 note=$3 f p c line t
	for f in "$OUT"/latwatch-*.txt; do
		[ -f "$f" ] || continue
		p=${f##*/latwatch-}; p=${p%.txt}
		t=$TMP/$name-$p
		"$parser" "$f" > "$t"
		cp "$t" "$OUT/$name-$p.txt"
		line="| $p | $(wc -l < "$t") ($(awk '$7 == 1' "$t" | wc -l)$note)"
		for c in 2 3 4 5 6; do
			set -- $(col "$t" $c)
			line="$line | $1 / $2 / $3 / $4"
		done
		echo "$line |"
	done
}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
{
	echo "# Emergency latency on real Xen ($DIST, $(grep -o 'xen_version *: *[^ ]*' "$OUT/xl-info.txt" 2>/dev/null | sed 's/.*: *//'))"
	echo
	echo "\`make bench-latency-xen\` (bench/lab/latency.sh, job bench/lab/share/job-latency.sh),"
	echo "$(date -u +%Y-%m-%d). Xen, dom0 and the guest under QEMU TCG on a shared 2-core"
	echo "host: absolute times are large, compare ratios. One PV guest ($(grep -o 'mem=[0-9]* maxmem=[0-9]*' "$OUT/results.txt" | head -n 1)),"
	echo "cagmad policy cagma, headroom 0; cagma-latprobe in the guest ($(grep -o "LAB_LAT_ARGS='[^']*'" "$OUT/../lab.env" 2>/dev/null || echo "LAB_LAT_ARGS default 20 48 10 16"):"
	echo "CYCLES OVER_MIB POLL_MS GROW_MIB). All times on dom0's clock, from dom0"
	echo "seeing the guest's first swap-in of a cycle (t0; the probe polls vmstat"
	echo "every POLL_MS, so the swap-in itself is up to that much earlier)."
	echo "cagmad.conf of the last path run: $(grep -v '^\[' "$OUT/cagmad.conf" 2>/dev/null | grep . | tr '\n' ';' | sed 's/;$//; s/;/; /g')."
	echo
	echo "## First swap-in -> ... (ms; n / median / p90 / max)"
	echo
	echo "| path | events (pre: target already raised before the swap-in) | -> urgent record | (a) -> target written | (b) -> allocation rises | (b') -> allocation at target | (c) -> guest MemTotal larger |"
	echo "|---|---:|---|---|---|---|---|"
	rows events events " pre"
	echo
	echo "## Cycle start -> ... (ms; n / median / p90 / max)"
	echo
	echo "From the probe starting a cycle (it populates MemAvailable + OVER_MIB"
	echo "under TCG) whether or not the guest swapped in: cagmad acts on the"
	echo "growth in the guest's records (the estimator's lookahead, act-now) before"
	echo "a swap-in when it can."
	echo
	echo "| path | cycles (with a swap-in) | -> next record | (a) -> target written | (b) -> allocation rises | (b') -> allocation at target | (c) -> guest MemTotal larger |"
	echo "|---|---:|---|---|---|---|---|"
	rows starts starts ""
	echo
	echo "## One target write, cagmad stopped (cagma-tgtbench, $(sed -n 's/^tgtbench //p' "$OUT/tgtbench.txt"))"
	echo
	echo "Through backend_xen.c; the two paths interleaved, each call 32 MiB down or"
	echo "back up. ms; n / median / p90 / max."
	echo
	echo "| path | call (wall) | call (caller's CPU) | -> allocation moves | -> allocation at target |"
	echo "|---|---|---|---|---|"
	for p in libxl direct; do
		grep "^call $p " "$OUT/tgtbench.txt" > "$TMP/tb" || continue
		line="| $p"
		for k in call_us cpu_us first_us reach_us; do
			sed -n "s/.* $k=\([0-9]*\).*/\1/p" "$TMP/tb" |
			    awk '$1 > 0 { printf "%.3f\n", $1 / 1000 }' > "$TMP/col"
			set -- $(q "$TMP/col")
			line="$line | $1 / $2 / $3 / $4"
		done
		echo "$line |"
		sed -n "s/.* call_us=\([0-9]*\).*/\1/p" "$TMP/tb" | sort -n |
		    awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }' > "$TMP/med-$p"
	done
	if [ -s "$TMP/med-libxl" ] && [ -s "$TMP/med-direct" ]; then
		echo
		awk -v a="$(cat "$TMP/med-libxl")" -v b="$(cat "$TMP/med-direct")" \
		    'BEGIN { if (b > 0) printf "Median call: libxl / direct = %.1f x\n", a / b }'
	fi
	sed -n 's/^xenstored \(.*\)/\1/p' "$OUT/tgtbench.txt" | awk '{
		for (i = 1; i <= NF; i++) { split($i, a, "="); v[a[1]] = a[2] }
		if (v["calls_each"] > 0 && v["hz"] > 0)
			printf "\nxenstored CPU per call (its /proc ticks summed over each path'"'"'s calls): libxl %.1f ms, direct %.1f ms\n",
			    v["ticks_libxl"] * 1000 / v["hz"] / v["calls_each"],
			    v["ticks_direct"] * 1000 / v["hz"] / v["calls_each"] }'
	echo
	echo "dom0 CPU per path run: $(grep -h '^cpu ' "$OUT/results.txt" | tr '\n' ';')"
} > "$OUTMD"
cat "$OUTMD"
