# e2e-release.sh - the e2e's phases for issue 17 (sourced by job-e2e.sh):
# memory given back after a big job, and a swapless guest fed from a donor.
#
# Give-back (after the hog's first job, 1024 MiB, ended; nobody else needs
# memory): the guest's own samples (labstat: current_kb, MemTotal,
# MemAvailable every second, one clock) give the time from the job's end
# to the allocation's first fall and to within 10 % of the new need:
#   need = max(floor, used + max(64 MiB, 10 % of used) + overhead)
# (the cagma estimator's calm need: slack, overhead = current - MemTotal;
# used = MemTotal - MemAvailable once settled; headroom 0 in this job).
#
# Swapless: the hog runs job 2 (E2E_DONOR_ARGS, grows, holds, exits) and
# then holds memory above its need; at that moment the idle guest, which
# has no swap, starts a job (E2E_SWAPLESS_ARGS) larger than what the host
# has free above the reserve, growing slower than a PV balloon grows under
# TCG (~20 MiB/s measured), so that only the policy can make it fail.
# cagma-hog STEP_MIB STEP_MS MAX_MIB HOLD_S touches all it holds after
# every step: under TCG on a host loaded by other labs (load average 8-16)
# a pass over 400 MiB took 5-7 s and job 1 reached only 432 MiB in its
# 150 s (128 MiB steps did worse: 256 MiB in 200 s, a 110 s pass while the
# guest swapped), so giveback_60s fails there for want of a 1 GiB job.
E2E_HOG_ARGS="16 500 1024 30"		# job 1 (the first checks' hog)
# job 1's time bound: with 150 s the job reached only 880-896 MiB of its
# 1024 under TCG on a quiet machine (a pass over 900 MiB 1.4-8 s after
# each 16 MiB step), which failed giveback_60s for want of a 1 GiB job
E2E_HOG_MAX_S=240
E2E_DONOR_ARGS="32 500 1024 20"		# the donor's job 2: as job 1, so that the host is full when the swapless job starts
E2E_SWAPLESS_ARGS="32 2000 512 5"	# at most 16 MiB/s, slower when loaded
E2E_GIVEBACK_S=60			# the issue's bound
E2E_GIVEBACK_START_S=15			# "starts to fall within 15 s"
E2E_GIVEBACK_WAIT_S=100			# the longest wait for the balloon to settle
E2E_DROP2S_KB=102400			# shrink_rate 50 MiB/s: <= 100 MiB in any 2 s
E2E_DONOR_DROP_KB=131072		# the donor gave at least this much

# e2e_giveback_watch: the hog's targets ("t_ms target_kb", for the record:
# the checks use the guest's own samples, on one clock)
e2e_giveback_watch() {
	: > "$OUT/hog-targets.txt"
	e2e_target_watch hog "$OUT/hog-targets.txt"
}

# e2e_giveback: the hog's first job just ended; wait until its balloon has
# settled (target unchanged for 10 s and current within 4 MiB of it) or
# E2E_GIVEBACK_WAIT_S passed
e2e_giveback() {
	GB_DONE_UP=$(lab_up)
	_d=$(lab_domid hog)
	_end=$(($(lab_uptime_s) + E2E_GIVEBACK_WAIT_S))
	_last="" _since=0 _tg=0 _cur=0
	while [ "$(lab_uptime_s)" -lt $_end ]; do
		_tg=$(xenstore-read "/local/domain/$_d/memory/target" 2>/dev/null)
		_cur=$(xl list hog 2>/dev/null | awk 'NR == 2 { print $3 }')
		_now=$(lab_uptime_s)
		[ "$_tg" = "$_last" ] || { _last=$_tg; _since=$_now; }
		if [ $((_now - _since)) -ge 10 ] &&
		    [ $((${_cur:-0} * 1024 - ${_tg:-0})) -le 4096 ] &&
		    [ $((${_tg:-0} - ${_cur:-0} * 1024)) -le 4096 ]; then
			break
		fi
		sleep 2
	done
	lab_res "giveback hog: settled target=$_tg kB current=$_cur MiB $(lab_since "$GB_DONE_UP") s after its job ended"
}

# e2e_swapless: the donor's job 2, then the swapless guest's job
e2e_swapless() {
	_dh=$(lab_domid hog) _di=$(lab_domid idle)
	SL_SWAP=$(xenstore-read "/local/domain/$_di/data/lab/swap_kb" 2>/dev/null)
	SL_OOM0=$(xenstore-read "/local/domain/$_di/data/lab/oom_kill" 2>/dev/null)
	SL_GO_UP=$(lab_up)
	xenstore-write "/local/domain/$_dh/data/lab/go2" 1
	lab_res "donor go uptime=$SL_GO_UP"
	lab_wait_key "/local/domain/$_dh/data/lab/done2" 150 ||
	    lab_res "donor job did not finish in 150 s"
	SL_DONOR_T0=$(xenstore-read "/local/domain/$_dh/memory/target")
	SL_FREE0=$(lab_free_mb)
	SL_CUR0=$(xl list idle 2>/dev/null | awk 'NR == 2 { print $3 }')
	SL_UP0=$(lab_up)
	xenstore-write "/local/domain/$_di/data/lab/go2" 1
	lab_res "swapless go uptime=$SL_UP0 donor target=$SL_DONOR_T0 kB host free=$SL_FREE0 MiB swapless current=$SL_CUR0 MiB"
	lab_wait_key "/local/domain/$_di/data/lab/done2" 260 ||
	    lab_res "swapless job did not finish in 260 s"
	SL_UP1=$(lab_up)
	SL_OOM1=$(xenstore-read "/local/domain/$_di/data/lab/oom_kill" 2>/dev/null)
	lab_res "swapless done uptime=$SL_UP1 oom_kill before=$SL_OOM0 after=$SL_OOM1"
	sleep 4
}

# e2e_giveback_times LABSTAT FLOOR_KB: from the guest's samples between
# "mark done" and "mark go2": "done_cur_kb need_kb bound_kb start_s within_s
# used_kb overhead_kb falls drop2s_kb" (-1: never; drop2s: the largest fall
# of the allocation within 2 s)
e2e_giveback_times() {
	awk -v fl="$2" '
	function v(k,  i, a) { for (i = 1; i <= NF; i++) if (index($i, k "=") == 1) {
		split($i, a, "="); return a[2] + 0 } return -1 }
	# the reference: the last sample before the job ended (conservative:
	# the job ended up to one interval later)
	/^labstat / && !seen { t[1] = v("t_ms"); cur[1] = v("current_kb") }
	/^mark done$/ { on = 1; seen = 1; n = 1; next }
	/^mark go2$/ { on = 0 }
	!on || !/^labstat / { next }
	{ n++; t[n] = v("t_ms"); cur[n] = v("current_kb")
	  used = v("memtotal_kb") - v("memavail_kb"); ovh = cur[n] - v("memtotal_kb") }
	END {
		if (n < 2) { print "0 0 0 -1 -1 0 0 0 0"; exit }
		slack = used / 10; if (slack < 65536) slack = 65536
		need = used + slack + ovh; if (need < fl) need = fl
		bound = need * 1.1; start = -1; within = -1
		for (i = 2; i <= n; i++) {
			if (start < 0 && cur[i] < cur[1] - 8192) start = (t[i] - t[1]) / 1000
			if (within < 0 && cur[i] <= bound) within = (t[i] - t[1]) / 1000
			if (cur[i] < cur[i - 1]) falls++
			for (j = i - 1; j >= 1 && t[i] - t[j] <= 2000; j--)
				if (cur[j] - cur[i] > drop) drop = cur[j] - cur[i]
		}
		printf "%d %d %d %.1f %.1f %d %d %d %d\n", cur[1], need, bound, start,
		    within, used, ovh, falls, drop
	}' "$1"
}

# e2e_gb_check NAME OK DETAIL: a give-back check, asserted unless
# LAB_E2E_GIVEBACK_ASSERT=0 (E2E_GIVEBACK_ASSERT=0 make e2e: NOTE lines).
e2e_gb_check() {
	if [ "${LAB_E2E_GIVEBACK_ASSERT:-1}" = 1 ]; then
		lab_check "$@"
		return
	fi
	_gn=$1 _gok=$2
	shift 2
	lab_res "NOTE $_gn $([ "$_gok" = 1 ] && echo PASS || echo FAIL) (not asserted, issue 17 open) $*"
}

e2e_giveback_verdicts() {
	set -- $(e2e_giveback_times "$OUT/hog/labstat.log" $E2E_FLOOR_KB)
	_detail="current at job end=$1 kB, new need=$2 kB (used=$6 overhead=$7), bound=$3 kB; first fall after $4 s, within bound after $5 s"
	lab_res "giveback hog: $_detail"
	_ok=0
	awk -v s="$4" -v b=$E2E_GIVEBACK_START_S 'BEGIN { exit !(s >= 0 && s <= b) }' && _ok=1
	e2e_gb_check giveback_start $_ok "first fall after $4 s (bound $E2E_GIVEBACK_START_S s)"
	# the job must have reached its size (>= 1 GiB) and the hog held half of it
	_job=$(tail -n 1 "$OUT/hog/hog.log" 2>/dev/null)
	_mib=$(echo "$_job" | sed -n 's/^hog done mib=\([0-9]*\) .*/\1/p')
	_ok=0
	[ "${_mib:-0}" -ge 1024 ] && [ "$1" -gt $((1048576 / 2)) ] &&
	    awk -v s="$5" -v b=$E2E_GIVEBACK_S 'BEGIN { exit !(s >= 0 && s <= b) }' && _ok=1
	e2e_gb_check giveback_60s $_ok "job: ${_job:-no output}; $_detail"

	_ok=0
	[ "$8" -ge 2 ] && [ "$9" -le $((E2E_DROP2S_KB + E2E_SLACK_KB)) ] && _ok=1
	e2e_gb_check giveback_gradual $_ok "largest fall of the allocation within 2 s=$9 kB over $8 falls (bound $E2E_DROP2S_KB kB)"
}

e2e_swapless_verdicts() {
	_ok=0
	[ "${SL_SWAP:-x}" = 0 ] && _ok=1
	lab_check swapless_noswap $_ok "SwapTotal=${SL_SWAP:-?} kB"
	_ok=0
	_last=$(tail -n 1 "$OUT/idle/hog2.log" 2>/dev/null)
	case $_last in "hog done mib=$(echo $E2E_SWAPLESS_ARGS | cut -d' ' -f3) "*) _ok=1 ;; esac
	lab_check swapless_job $_ok "job $E2E_SWAPLESS_ARGS: ${_last:-no output}"
	# samples "t name domid target_kb current_mb free_mb" during the job
	set -- $(awk -v a="$SL_UP0" -v b="$SL_UP1" '
		$1 < a || $1 > b { next }
		$2 == "idle" && $5 > imax { imax = $5 }
		$2 == "hog" && (hmin == "" || $4 < hmin) { hmin = $4 }
		END { print imax + 0, hmin + 0 }' "$OUT/samples.txt")
	_grew=$(($1 - ${SL_CUR0:-0}))
	_spare=$((${SL_FREE0:-0} - E2E_RESERVE_MB))
	_ok=0
	[ "$_grew" -gt "$_spare" ] && _ok=1
	lab_check swapless_past_free $_ok "grew by $_grew MiB (current $SL_CUR0 -> $1 MiB), host free above the reserve at its start $_spare MiB"
	_kills=$((${SL_OOM1:-1} - ${SL_OOM0:-0}))
	_lines=$(cat "$OUT/idle/console.log" "$OUT/idle/oom.txt" 2>/dev/null |
	    grep -c -i -E 'killed process|out of memory|oom-kill')
	_ok=0
	[ -n "${SL_OOM1:-}" ] && [ "$_kills" -eq 0 ] && [ "${_lines:-0}" -eq 0 ] && _ok=1
	lab_check swapless_no_oom $_ok "oom_kill $SL_OOM0 -> ${SL_OOM1:-?}, OOM lines on its console ${_lines:-0}"
	_drop=$((${SL_DONOR_T0:-0} - $2))
	_ok=0
	[ "$_drop" -ge $E2E_DONOR_DROP_KB ] && _ok=1
	lab_check donor_shrunk $_ok "hog target $SL_DONOR_T0 -> min $2 kB during the swapless job (fell $_drop kB)"
}
