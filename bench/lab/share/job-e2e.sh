# job-e2e.sh - the end-to-end assertions on real Xen (sourced by dom0.sh).
# Two guests: "hog" (starts small, runs a growing memory hog: 1 GiB, with
# swap) and "idle" (no swap; idle until the swapless phase).
# cagmad runs the cagma policy.  Checks, one "CHECK name PASS|FAIL" each:
#  target_write_<g>  (e) a guest's write to its own memory/target is refused
#  record_<g>        (a) the agent's record appears in dom0's xenstore
#  hog_grown         (b) cagmad raised the hog's target (> +64 MiB from go)
#  hog_memtotal      (b) the hog guest saw MemTotal grow by > 64 MiB
#  idle_shrunk       (c) the idle guest was shrunk ...
#  idle_gradual      (c) ... in steps of at most max_shrink (+ slack) ...
#  idle_floor        (c) ... and never below the floor (target and current)
#  host_reserve      (d) host free memory never fell below the reserve
#  cagmad_alive      cagmad still runs at the end
# Then two phases for issue 17 (e2e_giveback*, e2e_swapless*):
#  giveback_start    (f) the hog's allocation starts to fall <= 15 s after
#                    its 1 GiB job ended ...
#  giveback_60s      (f) ... and is within 10 % of its new need (+ headroom,
#                    0 here) <= 60 s after (the guest's own current_kb)
#  giveback_gradual  (f) ... its allocation never falling > 100 MiB in 2 s
#  swapless_noswap   (g) the "idle" guest really has no swap
#  swapless_job      (g) its job, grown past what the host had free above
#                    the reserve while the hog held memory above its
#                    need, ran to the end ...
#  swapless_past_free (g) ... its allocation grew by more than that spare ...
#  swapless_no_oom   (g) ... and it was never OOM-killed (the kernel's
#                    oom_kill count and log) ...
#  donor_shrunk      (g) ... the memory came from the hog, the donor
# cagmad runs with headroom = 0: the idle guest (512 MiB, need at its
# 256 MiB floor) would otherwise keep its burst headroom until the hog used
# up the host's spare, and (c) is about the gradual voluntary shrink.  The
# default headroom runs in make demo and make bench-lab.
. "$S/e2e-release.sh"
E2E_FLOOR_KB=262144		# LAB_FLOOR default 256M
E2E_SHRINK_KB=65536		# LAB_MAX_SHRINK default 64M
E2E_RESERVE_MB=256		# LAB_RESERVE default 256M
E2E_SLACK_KB=4096		# rounding: libxl, page granularity

# e2e_target_watch NAME FILE: "t_ms target_kb" on every change, read at
# once after each watch event (cagma-xswatch: a forked xenstore-read under
# TCG would miss the steps of a fast shrink)
e2e_target_watch() {
	"$S/bin/cagma-xswatch" "/local/domain/$(lab_domid "$1")/memory/target" \
	    3600 >> "$2" 2>&1 &
	WATCH_PIDS="$WATCH_PIDS $!"
}

lab_job() {
	WATCH_PIDS=""
	# the hog wants more than host free - reserve: the reserve must bind
	# job 2 of each guest: the swapless phase (e2e_swapless)
	lab_guest 0 hog 384 1536 hog "LAB_HOG_ARGS='$E2E_HOG_ARGS' LAB_HOG_MAX_S=$E2E_HOG_MAX_S LAB_JOB2_ARGS='$E2E_DONOR_ARGS'" || return
	lab_guest 1 idle 512 1024 idle "LAB_NOSWAP=1 LAB_HOG_MAX_S=240 LAB_JOB2_ARGS='$E2E_SWAPLESS_ARGS'" || return
	lab_wait_guests_ready 420 || return
	for g in hog idle; do
		d=$(lab_domid $g)
		tw=$(xenstore-read /local/domain/$d/data/lab/target_write)
		tg=$(xenstore-read /local/domain/$d/memory/target)
		ok=0
		[ "$tw" = denied ] && [ "$tg" != 4194304 ] && ok=1
		lab_check target_write_$g $ok "guest write=$tw target now=$tg"
	done
	for g in hog idle; do
		d=$(lab_domid $g)
		ok=0
		lab_wait_key /local/domain/$d/data/cagma/stats 120 && ok=1
		lab_check record_$g $ok "version=$(xenstore-read /local/domain/$d/data/cagma/version 2>/dev/null)" \
		    "stats=\"$(xenstore-read /local/domain/$d/data/cagma/stats 2>/dev/null | cut -c1-120)\""
	done
	hog_t0=$(xenstore-read /local/domain/$(lab_domid hog)/memory/target)
	idle_t0=$(xenstore-read /local/domain/$(lab_domid idle)/memory/target)
	: > "$OUT/idle-targets.txt"
	e2e_target_watch idle "$OUT/idle-targets.txt"
	IDLE_WATCH_PIDS=$WATCH_PIDS
	e2e_giveback_watch
	LAB_HEADROOM=${LAB_HEADROOM:-0} lab_cagmad cagma || return
	lab_view 5
	lab_sampler "$OUT/samples.txt"
	d=$(lab_domid hog)
	hog_go=$(xenstore-read /local/domain/$d/memory/target)
	lab_go
	lab_wait_key /local/domain/$d/data/lab/done "${LAB_HOG_WAIT_S:-$((E2E_HOG_MAX_S + 30))}" ||
	    lab_res "hog did not finish in ${LAB_HOG_WAIT_S:-$((E2E_HOG_MAX_S + 30))} s"
	e2e_giveback
	# the idle guest's checks are about this first phase
	for p in $IDLE_WATCH_PIDS; do
		kill "$p" 2>/dev/null
	done
	e2e_swapless
	lab_stop_bg
	for p in $WATCH_PIDS; do
		kill "$p" 2>/dev/null
	done
	ok=0
	kill -0 "$CAGMAD_PID" 2>/dev/null && ok=1
	lab_check cagmad_alive $ok "pid=$CAGMAD_PID"
	lab_stop_guests 90
	lab_collect
	COLLECTED=1
	e2e_verdicts
	e2e_giveback_verdicts
	e2e_swapless_verdicts
}

e2e_verdicts() {
	hog_max=$(awk '$2 == "hog" && $4 > m { m = $4 } END { print m + 0 }' "$OUT/samples.txt")
	ok=0
	[ "$hog_max" -gt $((hog_go + 65536)) ] && ok=1
	lab_check hog_grown $ok "target at boot=$hog_t0 at go=$hog_go max=$hog_max kB"
	mt=$(awk '/^mark go/ { on = 1 } on && /^labstat/ { for (i = 1; i <= NF; i++) if ($i ~ /^memtotal_kb=/) {
		split($i, a, "="); if (first == "") first = a[2]; if (a[2] > max) max = a[2] } }
		END { print first + 0, max + 0 }' "$OUT/hog/labstat.log" 2>/dev/null)
	set -- $mt
	ok=0
	[ "${2:-0}" -gt $((${1:-0} + 65536)) ] && ok=1
	lab_check hog_memtotal $ok "guest MemTotal at go=${1:-?} max=${2:-?} kB"
	set -- $(awk -v fl=$E2E_FLOOR_KB -v st=$((E2E_SHRINK_KB + E2E_SLACK_KB)) '
		NR == 1 { first = $2; min = $2 }
		NR > 1 && prev - $2 > big { big = prev - $2 }
		NR > 1 && $2 < prev { steps++; if (t0 == "") t0 = $1; t1 = $1 }
		{ if ($2 < min) min = $2; prev = $2; last = $2 }
		END { print first + 0, last + 0, min + 0, steps + 0, big + 0, (t1 - t0) / 1000 }' \
		"$OUT/idle-targets.txt")
	ok=0
	[ "$2" -lt "$1" ] && ok=1
	lab_check idle_shrunk $ok "target first=$1 last=$2 kB"
	ok=0
	[ "$4" -ge 2 ] && [ "$5" -le $((E2E_SHRINK_KB + E2E_SLACK_KB)) ] && ok=1
	lab_check idle_gradual $ok "decreases=$4 largest_step=$5 kB (max_shrink $E2E_SHRINK_KB) over $6 s"
	cur_min=$(awk '$2 == "idle" { if (m == "" || $5 < m) m = $5 } END { print m + 0 }' "$OUT/samples.txt")
	ok=0
	[ "$3" -ge $E2E_FLOOR_KB ] && [ "$cur_min" -ge $((E2E_FLOOR_KB / 1024 - 2)) ] && ok=1
	lab_check idle_floor $ok "min target=$3 kB, min current=$cur_min MiB, floor=$E2E_FLOOR_KB kB"
	free_min=$(awk '{ if (m == "" || $6 < m) m = $6 } END { print m + 0 }' "$OUT/samples.txt")
	ok=0
	[ "$free_min" -ge $((E2E_RESERVE_MB - E2E_SLACK_KB / 1024)) ] && ok=1
	lab_check host_reserve $ok "min host free=$free_min MiB, reserve=$E2E_RESERVE_MB MiB"
}
