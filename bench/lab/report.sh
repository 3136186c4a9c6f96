#!/bin/sh
# report.sh CSV MD PNG_PREFIX - the lab table (markdown) and plots (PNG)
# from bench-lab's CSV: per policy and guest, the mean over runs with the
# spread (min..max), the ratios against static over the runs both have,
# REPORT_PAIR's two policies compared run by run (default "cagma
# cagma-paper": bench-lab interleaves them, so run r of both saw the same
# state of the shared machine), the per-phase figures of lab-phases.csv
# when it lies beside the CSV, and the paper's published numbers.
set -eu
csv=${1:?usage: report.sh CSV MD PNG_PREFIX}
md=${2:?}
png=${3:?}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
HERE=$(dirname "$0")
. "$HERE/paper.env"	# the disk setup the table describes
. "$HERE/scenario.sh"	# the job the table describes
scn=${LAB_SCENARIO:-$HERE/../scenarios/paper.scn}
lab_scenario "$scn" "${LAB_SCN_RANGE:-}" || exit 2

# aggregate: policy guest metric -> n mean min max (NA rows skipped)
awk -F, 'NR > 1 { for (c = 4; c <= NF; c++) if ($c != "NA") {
		k = $1 SUBSEP $3 SUBSEP c; n[k]++; s[k] += $c
		if (!(k in lo) || $c < lo[k]) lo[k] = $c
		if (!(k in hi) || $c > hi[k]) hi[k] = $c } }
	NR == 1 { for (c = 4; c <= NF; c++) name[c] = $c }
	END { for (k in n) { split(k, a, SUBSEP)
		printf "%s %s %s %d %.3f %.3f %.3f\n", a[1], a[2], name[a[3]],
		    n[k], s[k] / n[k], lo[k], hi[k] } }' "$csv" | sort > "$tmp/agg"
# static (the baseline) first, then the others in the CSV's order
policies=$(awk -F, 'NR > 1 && !seen[$1]++ { if ($1 == "static") s = 1; else o = o " " $1 }
	END { print (s ? "static" : "") o }' "$csv")
# runs per policy, in the CSV's order: "static 3, cagma 12"
runs=$(awk -F, 'NR > 1 && !seen[$1, $2]++ { if (!($1 in n)) o[++k] = $1; n[$1]++ }
	END { for (i = 1; i <= k; i++) printf "%s%s %d", (i > 1 ? ", " : ""), o[i], n[o[i]] }' "$csv")

# vs_static POLICY GUEST METRIC drop|change|runs: POLICY against static
# over the run numbers both have: drop = (static - P) / static, change =
# (P - static) / static, runs = how many runs that is
vs_static() {
	awk -F, -v p="$1" -v g="$2" -v m="$3" -v how="$4" '
	NR == 1 { for (c = 1; c <= NF; c++) if ($c == m) col = c; next }
	$3 == g && ($1 == p || $1 == "static") && $col != "NA" {
		v[$1, $2] = $col; r[$2] = 1 }
	END { for (k in r) if (((p, k) in v) && (("static", k) in v)) {
			n++; a += v["static", k]; b += v[p, k] }
		if (how == "runs") printf "%d", n
		else if (n == 0 || a <= 0) printf "n/a"
		else if (how == "drop") printf "%.1f %%", 100 * (a - b) / a
		else printf "%+.1f %%", 100 * (b - a) / a }' "$csv"
}
cell() {	# policy guest metric -> "mean (min..max)"
	awk -v p="$1" -v g="$2" -v m="$3" '$1 == p && $2 == g && $3 == m {
		if ($5 >= 100) f = "%.0f"; else if ($5 >= 1) f = "%.1f"; else f = "%.2f"
		printf f " (" f ".." f ")", $5, $6, $7; found = 1 }
		END { if (!found) printf "n/a" }' "$tmp/agg"
}
# awk: q975(df), Student's t 0.975 quantile (two-sided 95 %)
T975='function q975(df,  q) { split("12.706 4.303 3.182 2.776 2.571 2.447 2.365 2.306 2.262 2.228 2.201 2.179 2.160 2.145 2.131 2.120 2.110 2.101 2.093 2.086", q, " ")
	return df <= 20 ? q[df] : 2.0 }'
# paired: REPORT_PAIR "A B": per measure, the runs both have, the mean of
# A - B over those runs and Student's t of the differences (|t| < 2: the
# difference is within the run-to-run noise)
paired() {
	set -- ${REPORT_PAIR:-cagma cagma-paper}
	grep -q "^$1," "$csv" && grep -q "^$2," "$csv" || return 0
	echo "## $1 against $2, run by run"
	echo
	echo "Runs of both with the same number ran back to back.  diff = $1 - $2"
	echo "per run; mean (sd) over the pairs, also in % of $2's mean with its"
	echo "95 % confidence interval; t = mean / (sd / sqrt(n))."
	echo
	echo "| guest | measure | pairs | $1 | $2 | diff mean (sd) | diff % (95 % CI) | t |"
	echo "|---|---|---|---|---|---|---|---|"
	for gm in vm1:swapin_per_s vm2:swapin_per_s vm3:disk_tps \
	    vm3:disk_resp_ms vm1:mem_batch_ms vm2:mem_batch_ms \
	    vm3:mem_batch_ms vm1:mem_touch_ms vm2:mem_touch_ms; do
		awk -F, -v a="$1" -v b="$2" -v g="${gm%%:*}" -v m="${gm#*:}" \
		    "$T975"'
		NR == 1 { for (c = 1; c <= NF; c++) if ($c == m) col = c; next }
		$3 == g && $col != "NA" && ($1 == a || $1 == b) { x[$1, $2] = $col; r[$2] = 1 }
		END { for (k in r) if (((a, k) in x) && ((b, k) in x)) {
			n++; d = x[a, k] - x[b, k]; s += d; ss += d * d
			sa += x[a, k]; sb += x[b, k] }
		if (n < 2) exit
		mu = s / n; var = (ss - n * mu * mu) / (n - 1)
		sd = var > 0 ? sqrt(var) : 0
		t = sd > 0 ? sprintf("%.1f", mu / (sd / sqrt(n))) : "n/a"
		h = q975(n - 1) * sd / sqrt(n); mb = sb / n
		pct = mb != 0 ? sprintf("%+.1f %% (%+.1f..%+.1f)", 100 * mu / mb,
		    100 * (mu - h) / mb, 100 * (mu + h) / mb) : "n/a"
		printf "| %s | %s | %d | %.2f | %.2f | %+.2f (%.2f) | %s | %s |\n",
		    g, m, n, sa / n, sb / n, mu, sd, pct, t }' "$csv"
	done
	echo
}
# phases: lab-phases.csv beside the CSV, means over runs per policy,
# memory guest and phase
phases() {
	pcsv=$(dirname "$csv")/lab-phases.csv
	[ -f "$pcsv" ] && [ "$(wc -l < "$pcsv")" -gt 1 ] || return 0
	echo "## Per phase (lab-phases.csv: runs with phase marks)"
	echo
	echo "Means over runs.  batch: memory tasks' mean batch time; CPU: the"
	echo "guest's vCPU in the phase (user / sys / idle / steal = runnable but"
	echo "not run); pgscan: pages scanned by reclaim; current: balloon at the"
	echo "phase's end."
	echo
	echo "| guest | phase | policy | runs | batch ms | user % | sys % | idle % | steal % | pgscan | current MiB |"
	echo "|---|---|---|---|---|---|---|---|---|---|---|"
	awk -F, 'NR > 1 && $7 != "NA" && $8 != "NA" { k = $3 SUBSEP $4 SUBSEP $1
		if (!(k in n)) ord[++m] = k
		n[k]++; b[k] += $7; u[k] += $8; y[k] += $9; i[k] += $10
		t[k] += $11; p[k] += $12; c[k] += $13 }
	END { for (j = 1; j <= m; j++) { k = ord[j]; split(k, a, SUBSEP)
		printf "%s %s %s %d %.0f %.0f %.0f %.0f %.0f %.0f %.0f\n", a[1],
		    a[2], a[3], n[k], b[k] / n[k], u[k] / n[k], y[k] / n[k],
		    i[k] / n[k], t[k] / n[k], p[k] / n[k], c[k] / n[k] } }' \
	    "$pcsv" | sort -k1,1 -k2,2n -k3,3 |
	    awk '{ printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n",
		$1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11 }'
	echo
	phases_paired "$pcsv" ${REPORT_PAIR:-cagma cagma-paper}
}
# phases_paired PCSV A B: memory batch time per guest and phase, A - B run
# by run (as paired above): a phase where both hold the same memory shows
# how far the shared machine alone moves the difference
phases_paired() {
	grep -q "^$2," "$1" && grep -q "^$3," "$1" || return 0
	echo "Memory batch ms per phase, $2 against $3 run by run:"
	echo
	echo "| guest | phase | pairs | $2 | $3 | diff % (95 % CI) | t |"
	echo "|---|---|---|---|---|---|---|"
	awk -F, -v a="$2" -v b="$3" "$T975"'
	NR > 1 && $7 != "NA" && ($1 == a || $1 == b) { x[$1, $2, $3, $4] = $7
		r[$2] = 1; gk[$3 SUBSEP $4] = 1 }
	END { for (q in gk) { split(q, y, SUBSEP); n = s = ss = sa = sb = 0
		for (k in r) if (((a, k, y[1], y[2]) in x) && ((b, k, y[1], y[2]) in x)) {
			d = x[a, k, y[1], y[2]] - x[b, k, y[1], y[2]]
			n++; s += d; ss += d * d
			sa += x[a, k, y[1], y[2]]; sb += x[b, k, y[1], y[2]] }
		if (n < 2 || sb == 0) continue
		mu = s / n; var = (ss - n * mu * mu) / (n - 1)
		sd = var > 0 ? sqrt(var) : 0; h = q975(n - 1) * sd / sqrt(n)
		mb = sb / n; t = sd > 0 ? sprintf("%.1f", mu / (sd / sqrt(n))) : "n/a"
		printf "%s %s %d %.0f %.0f %+.1f %+.1f %+.1f %s\n", y[1], y[2],
		    n, sa / n, mb, 100 * mu / mb, 100 * (mu - h) / mb,
		    100 * (mu + h) / mb, t } }' "$1" | sort -k1,1 -k2,2n |
	    awk '{ printf "| %s | %s | %s | %s | %s | %s %% (%s..%s) | %s |\n",
		$1, $2, $3, $4, $5, $6, $7, $8, $9 }'
	echo
}
{
	echo "# The paper's experiment on the Xen lab (Xen 4.17 under QEMU TCG)"
	echo
	echo "Generated by \`make bench-lab\` from \`$(basename "$csv")\` (runs: $runs)."
	echo "Values: mean over runs (min..max). Swap-in: pages/s from /proc/vmstat;"
	echo "swap tps: swap-disk transfers/s (like \`sar -b\`); disk: 15 concurrent"
	echo "O_DIRECT|O_SYNC tasks on vm3 (2 MiB write/read/write).  Policies may"
	echo "have runs from different benches; memory-task times follow the load on"
	echo "the shared machine, which differs between benches, so compare policies"
	echo "through the two run-matched tables below, not across rows."
	echo
	echo "Setup: QEMU host of 3 GiB, dom0 512 MiB, three PV guests from"
	echo "\`$(basename "$scn")\` (the simulator's scenario file; cagma-sim --lab):"
	echo "starting at $LAB_VM1_START / $LAB_VM2_START / $LAB_VM3_START MiB (maxmem $LAB_VM1_MAX / $LAB_VM2_MAX / $LAB_VM3_MAX MiB);"
	echo "phases of ${LAB_PHASE_S:-30} s (the paper: ~61 s; guest clocks follow"
	echo "wall time under TCG, the work done in a phase is 2-30x less); memory"
	echo "tasks of ${LAB_TASK_MIB:-48} MiB per phase, kept running across phases:"
	echo "vm1 [$LAB_VM1_TASKS], vm2 [$LAB_VM2_TASKS], vm3 [$LAB_VM3_TASKS];"
	echo "disk tasks on vm3 [$LAB_VM3_DISK].  All guests' swap and data disks share"
	echo "one QEMU throttle group (${LAB_DISK_IOPS:-unthrottled} requests/s, ${LAB_DISK_BPS:-unthrottled} B/s):"
	echo "the paper's single shared disk."
	echo
	echo "| policy | guest | swap-in /s | swap tps | disk tps | disk resp ms | mem batch ms | mem touch ms | max target MiB |"
	echo "|---|---|---|---|---|---|---|---|---|"
	for p in $policies; do
		for g in vm1 vm2 vm3; do
			echo "| $p | $g | $(cell $p $g swapin_per_s) | $(cell $p $g swap_tps) | $(cell $p $g disk_tps) | $(cell $p $g disk_resp_ms) | $(cell $p $g mem_batch_ms) | $(cell $p $g mem_touch_ms) | $(cell $p $g target_max_mb) |"
		done
	done
	echo
	echo "## Against static (ratios of the means over the runs both have)"
	echo
	echo "Runs with the same number ran in the same round of one bench, one"
	echo "after the other, so the ratios compare runs that saw the same state of"
	echo "the shared machine."
	echo
	echo "| policy | runs | vm1 swap-in drop | vm2 swap-in drop | vm3 disk tps gain | vm3 disk resp change |"
	echo "|---|---|---|---|---|---|"
	for p in $policies; do
		[ "$p" = static ] && continue
		echo "| $p | $(vs_static $p vm3 disk_tps runs) | $(vs_static $p vm1 swapin_per_s drop) | $(vs_static $p vm2 swapin_per_s drop) | $(vs_static $p vm3 disk_tps change) | $(vs_static $p vm3 disk_resp_ms change) |"
	done
	echo
	paired
	phases
	echo "## The paper (Wu and Sun 2017, one run each, Xen 4.2.2, real disk)"
	echo
	echo "| measure | without CAGMA | with CAGMA |"
	echo "|---|---|---|"
	echo "| memory VMs' swap transfers | ~475-500 tps | ~0.6 tps |"
	echo "| disk VM throughput | baseline | +23 % to +55 % |"
	echo "| disk VM mean response time | baseline | -26 % to -59 % |"
	echo "| memory VM mean response time | e.g. 66.6 s | 0.86 s |"
	echo
	echo "Plots: \`$(basename "$png")-swapin.png\`, \`$(basename "$png")-disk.png\`."
} > "$md"

# plots: one cluster per guest, one bar per policy (mean, error bar min..max)
for m in swapin_per_s disk_tps; do
	: > "$tmp/$m.dat"
	i=0
	for g in vm1 vm2 vm3; do
		j=0
		for p in $policies; do
			awk -v p="$p" -v g="$g" -v m="$m" -v x="$i.$j" \
			    '$1 == p && $2 == g && $3 == m { print x, $5, $6, $7, p }' \
			    "$tmp/agg" >> "$tmp/$m.dat"
			j=$((j + 1))
		done
		i=$((i + 1))
	done
done
command -v gnuplot > /dev/null || { echo "report: gnuplot missing, no plots"; exit 0; }
gnuplot <<GP
set terminal png size 900,500
set style fill solid 0.6
set boxwidth 0.09
set xrange [-0.2:2.6]
set yrange [0:*]
set xtics ("vm1" 0.15, "vm2" 1.15, "vm3" 2.15)
set grid ytics
set key off
set output "$png-swapin.png"
set title "Swap-in pages/s per guest (bars: policies in order: $(echo $policies))"
set ylabel "pages/s (mean, min..max)"
plot "$tmp/swapin_per_s.dat" using (\$1 + 0.0):2 with boxes, \
     "" using 1:2:3:4 with yerrorbars lc rgb "black", \
     "" using 1:2:5 with labels rotate by 90 left offset 0,0.5 font ",8"
set output "$png-disk.png"
set title "Disk tasks transfers/s (vm3; bars: $(echo $policies))"
set ylabel "transfers/s (mean, min..max)"
plot "$tmp/disk_tps.dat" using 1:2 with boxes, \
     "" using 1:2:3:4 with yerrorbars lc rgb "black", \
     "" using 1:2:5 with labels rotate by 90 left offset 0,0.5 font ",8"
GP
