#!/bin/sh
# phases.sh DIR POLICY RUN - one CSV row per guest and scenario phase of a
# finished paper run (DIR = LAB_RUN of run-lab.sh paper), to tell where a
# guest's time went when two policies' whole-run figures differ.  Columns:
#   seconds                 the phase's length (console uptimes)
#   mem_batches, mem_batch_ms  memory tasks' batches whose 5 s window ended
#                           in the phase, and their mean time
#   user_pct, sys_pct, idle_pct, steal_pct  the guest's vCPU over the phase
#                           (/proc/stat; steal: runnable, but Xen ran
#                           another vCPU; sys includes irq and softirq)
#   pgscan                  pages scanned by reclaim (kswapd + direct)
#   current_mb              balloon current at the phase's end
# Phase k runs from the console's "phase k start ... uptime=" to the next
# phase's start (the last one to "done uptime=").  Runs made before these
# marks existed print no rows.
CSV_HEADER=policy,run,guest,phase,seconds,mem_batches,mem_batch_ms,user_pct,sys_pct,idle_pct,steal_pct,pgscan,current_mb
[ "${1:-}" = --header ] && { echo "$CSV_HEADER"; exit 0; }
dir=${1:?usage: phases.sh DIR POLICY RUN | --header}
pol=${2:?} run=${3:?}
out=$dir/out
for g in vm1 vm2 vm3; do
	[ -f "$out/$g/console.log" ] || continue
	# phase bounds "k start_ms end_ms", then the samples, then the windows
	awk '{ sub(/\r$/, "") }
	/DOMU: phase [0-9]+ start .*uptime=/ {
		for (i = 1; i <= NF; i++) if ($i ~ /^uptime=/) u = substr($i, 8)
		if (n) print k, s, u * 1000
		k = $3; s = u * 1000; n = 1 }
	/DOMU: done uptime=/ && n { print k, s, substr($3, 8) * 1000; n = 0 }' \
	    "$out/$g/console.log" > "$dir/.phases.$g"
	[ -s "$dir/.phases.$g" ] || { rm -f "$dir/.phases.$g"; continue; }
	cat "$out/$g"/mem*.txt 2>/dev/null | grep '^memtask_win ' |
	    cat "$dir/.phases.$g" - "$out/$g/labstat.log" 2>/dev/null |
	    awk -v pol="$pol" -v run="$run" -v g="$g" '
	function v(k,  i, a) { for (i = 2; i <= NF; i++) { split($i, a, "=")
		if (a[1] == k) return a[2] } return "" }
	function at(t,  k) { for (k = 0; k < np; k++)
		if (t >= lo[k] && t < hi[k]) return k; return -1 }
	BEGIN { np = 0 }
	{ sub(/\r$/, "") }
	$1 ~ /^[0-9]+$/ { lo[np] = $2 + 0; hi[np] = $3 + 0; np++; next }
	/^memtask_win / { k = at(v("up_ms") + 0); if (k < 0) next
		nb[k] += v("batches"); sb[k] += v("sum_ms"); next }
	/^labstat .*up_ms=/ { t = v("up_ms") + 0
		for (k = 0; k < np; k++) if (t >= lo[k] && t <= hi[k]) {
			if (!(k in u0)) { u0[k] = v("user_ms"); s0[k] = v("sys_ms")
				i0[k] = v("idle_ms"); t0[k] = v("steal_ms")
				p0[k] = v("pgscan_kswapd") + v("pgscan_direct") }
			u1[k] = v("user_ms"); s1[k] = v("sys_ms"); i1[k] = v("idle_ms")
			t1[k] = v("steal_ms"); c1[k] = v("current_kb")
			p1[k] = v("pgscan_kswapd") + v("pgscan_direct") } }
	END { for (k = 0; k < np; k++) {
		cpu = (u1[k] - u0[k]) + (s1[k] - s0[k]) + (i1[k] - i0[k]) + (t1[k] - t0[k])
		if (cpu > 0) c = sprintf("%.1f,%.1f,%.1f,%.1f,%d,%d",
		    100 * (u1[k] - u0[k]) / cpu, 100 * (s1[k] - s0[k]) / cpu,
		    100 * (i1[k] - i0[k]) / cpu, 100 * (t1[k] - t0[k]) / cpu,
		    p1[k] - p0[k], c1[k] / 1024)
		else c = "NA,NA,NA,NA,NA,NA"
		printf "%s,%s,%s,%d,%.1f,%d,%s,%s\n", pol, run, g, k,
		    (hi[k] - lo[k]) / 1000, nb[k],
		    nb[k] ? sprintf("%.3f", sb[k] / nb[k]) : "NA", c } }'
	rm -f "$dir/.phases.$g"
done
