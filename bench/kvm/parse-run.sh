#!/bin/sh
# parse-run.sh DIR POLICY RUN - one CSV row per guest of a finished KVM
# paper run (DIR = KVM_RUN of run-kvm.sh paper).  Columns (CSV_HEADER):
#   swapin_pages, swapin_per_s  pages swapped in (guest /proc/vmstat pswpin)
#                               between the guest's "go" and "done" marks
#   alloc_mean_mb, alloc_max_mb the guest's balloon (libvirt's "actual",
#                               sampled every second on the host) from go
#                               to the end of the phases
#   mem_batch_ms                memory tasks: mean time of one batch
#   disk_tps                    disk tasks: 2 MiB transfers per second
#   job_s                       host seconds from go to the last guest done
# Missing values print as NA.
CSV_HEADER=policy,run,guest,swapin_pages,swapin_per_s,alloc_mean_mb,alloc_max_mb,mem_batch_ms,disk_tps,job_s
[ "${1:-}" = --header ] && { echo "$CSV_HEADER"; exit 0; }
dir=${1:?usage: parse-run.sh DIR POLICY RUN | --header}
pol=${2:?} run=${3:?}
t_go=$(awk '$1 == "go" && $2 == "at" { print $3 }' "$dir/results.txt")
t_end=$(awk '$1 == "phases_end" && $2 == "at" { print $3 }' "$dir/results.txt")
job=$(awk '$1 == "job_time_s" { print $2 }' "$dir/results.txt")
for g in vm1 vm2 vm3; do
	o=$dir/$g/share/out
	[ -d "$o" ] || continue
	swap=$(awk '
	function v(k,  i, a) { for (i = 2; i <= NF; i++) { split($i, a, "=")
		if (a[1] == k) return a[2] } return "" }
	/^mark go/ { on = 1; next }
	/^mark done/ { on = 0; next }
	on && /^labstat/ { if (t0 == "") { t0 = v("t_ms"); i0 = v("pswpin") }
		t1 = v("t_ms"); i1 = v("pswpin") }
	END { if (t1 == "" || t1 <= t0) { print "NA,NA"; exit }
		printf "%d,%.2f\n", i1 - i0, (i1 - i0) / ((t1 - t0) / 1000) }' \
	    "$o/labstat.log" 2>/dev/null)
	alloc=$(awk -v g="$g" -v a="${t_go:-0}" -v b="${t_end:-9e12}" '
	$2 == g && $1 >= a && $1 <= b { s += $3; n++; if ($3 > m) m = $3 }
	END { if (n == 0) print "NA,NA"; else printf "%.0f,%.0f\n", s / n / 1024, m / 1024 }' \
	    "$dir/samples.txt" 2>/dev/null)
	mem=$(cat "$o"/mem*.txt 2>/dev/null | awk '
	function v(k,  i, a) { for (i = 2; i <= NF; i++) { split($i, a, "=")
		if (a[1] == k) return a[2] } return "" }
	/^memtask / { b += v("batches"); rt += v("batches") * v("mean_ms") }
	END { print b ? sprintf("%.3f", rt / b) : "NA" }')
	disk=$(cat "$o"/disk*.txt 2>/dev/null | awk -v s="${job:-0}" '
	function v(k,  i, a) { for (i = 2; i <= NF; i++) { split($i, a, "=")
		if (a[1] == k) return a[2] } return "" }
	/^disktask/ { ops += v("ops") }
	END { if (ops == 0 || s <= 0) print "NA"; else printf "%.2f\n", ops / s }')
	echo "$pol,$run,$g,${swap:-NA,NA},${alloc:-NA,NA},${mem:-NA},${disk:-NA},${job:-NA}"
done
