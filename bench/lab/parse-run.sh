#!/bin/sh
# parse-run.sh DIR POLICY RUN - one CSV row per guest of a finished paper
# run (DIR = LAB_RUN of run-lab.sh paper).  Columns (see CSV_HEADER):
#   swapin_per_s, swapout_per_s  pages/s from /proc/vmstat between the
#                                guest's "go" and "done" marks
#   swap_tps                     swap-disk transfers/s (like sar -b tps)
#   disk_tps, disk_resp_ms       disk tasks: 2 MiB transfers of all tasks
#                                per second of the guest's run; mean
#                                transaction (write+read+write) time
#   mem_batch_ms, mem_batches    memory tasks: mean time of one batch of
#                                random 4 KiB accesses; batches completed
#   mem_touch_ms                 mean time to allocate and first-touch a task
#   target_max_mb, target_last_mb  from dom0's samples
# Missing values print as NA.  A guest's run length is the time from its
# "go" to its "done" on its console (uptime); a guest whose sampler stopped
# early (sampled window < 90 % of that) gets NA swap rates and a warning on
# stderr.
CSV_HEADER=policy,run,guest,swapin_per_s,swapout_per_s,swap_tps,disk_tps,disk_resp_ms,mem_batch_ms,mem_batches,mem_touch_ms,target_max_mb,target_last_mb
[ "${1:-}" = --header ] && { echo "$CSV_HEADER"; exit 0; }
dir=${1:?usage: parse-run.sh DIR POLICY RUN | --header}
pol=${2:?} run=${3:?}
out=$dir/out
# window GUEST: "swapin/s,swapout/s,swap tps,seconds" from its sampler
window() {
	awk '
	function v(k,  i, a) { for (i = 2; i <= NF; i++) { split($i, a, "=")
		if (a[1] == k) return a[2] } return "" }
	/^mark go/ { on = 1; next }
	/^mark done/ { on = 0; next }
	on && /^labstat/ { if (t0 == "") { t0 = v("t_ms"); i0 = v("pswpin")
		o0 = v("pswpout"); d0 = v("xvdb_ios") }
		t1 = v("t_ms"); i1 = v("pswpin"); o1 = v("pswpout"); d1 = v("xvdb_ios") }
	END { if (t1 == "" || t1 <= t0) { print "NA,NA,NA,0"; exit }
		s = (t1 - t0) / 1000
		printf "%.2f,%.2f,%.2f,%.1f\n", (i1 - i0) / s, (o1 - o0) / s, (d1 - d0) / s, s }' \
	    "$out/$1/labstat.log" 2>/dev/null
}
# span GUEST: seconds from its "DOMU: go" to "DOMU: done" (console uptime)
span() {
	awk '/DOMU: go /{ for (i = 1; i <= NF; i++) if ($i ~ /^uptime=/) g = substr($i, 8) }
	/DOMU: done /{ for (i = 1; i <= NF; i++) if ($i ~ /^uptime=/) d = substr($i, 8) }
	END { if (g != "" && d != "" && d + 0 > g + 0) printf "%.1f\n", d - g; else print 0 }' \
	    "$out/$1/console.log" 2>/dev/null
}
for g in vm1 vm2 vm3; do
	[ -d "$out/$g" ] || continue
	stat=$(window "$g")
	secs=$(span "$g")
	if awk -v s="${stat##*,}" -v r="${secs:-0}" 'BEGIN { exit !(s < 0.9 * r) }'; then
		echo "parse-run: $dir $g: sampler stopped (${stat##*,} s of $secs s): swap rates NA" >&2
		stat="NA,NA,NA,$secs"
	fi
	[ "${secs:-0}" = 0 ] && secs=${stat##*,}
	stat=${stat%,*}
	disk=$(cat "$out/$g"/disk*.txt 2>/dev/null | awk -v secs="$secs" '
	function v(k,  i, a) { for (i = 2; i <= NF; i++) { split($i, a, "=")
		if (a[1] == k) return a[2] } return "" }
	/^disktask/ { ops += v("ops"); n += v("txns"); rt += v("txns") * v("mean_ms") }
	END { if (n == 0 || secs + 0 <= 0) print "NA,NA"
		else printf "%.2f,%.2f\n", ops / secs, rt / n }')
	mem=$(cat "$out/$g"/mem*.txt 2>/dev/null | awk '
	function v(k,  i, a) { for (i = 2; i <= NF; i++) { split($i, a, "=")
		if (a[1] == k) return a[2] } return "" }
	/^memtask / { b += v("batches"); rt += v("batches") * v("mean_ms")
		tt += v("touch_ms"); k++ }
	END { printf "%s,%d,%s\n", b ? sprintf("%.3f", rt / b) : "NA", b,
		k ? sprintf("%.1f", tt / k) : "NA" }')
	tg=$(awk -v g="$g" '$2 == g { if ($4 > m) m = $4; l = $4 }
	END { if (l == "") print "NA,NA"; else printf "%d,%d\n", m / 1024, l / 1024 }' \
	    "$out/samples.txt" 2>/dev/null)
	echo "$pol,$run,$g,${stat:-NA,NA,NA},${disk:-NA,NA},${mem:-NA,0,NA},${tg:-NA,NA}"
done
