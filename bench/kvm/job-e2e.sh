# job-e2e.sh - the end-to-end assertions on KVM (sourced by run-kvm.sh).
# Two TCG guests: "hog" (starts at 384 MiB, runs a growing memory hog, no
# agent: cagmad sees only libvirt's balloon statistics) and "idle" (512
# MiB, idle, with cagma-agent over virtio-serial when KVM_E2E_AGENT=1, the
# default).  cagmad --backend libvirt runs the cagma policy with headroom
# 0 (as the Xen e2e: the idle guest's gradual voluntary shrink to its floor
# is the point) and a host of KVM_HOST_MB (default 1536 MiB): this machine
# has far more, shared with other labs, so cagmad is told to hand out no
# more than that (host_memory), which makes the reserve bind.
# Checks, one "CHECK name PASS|FAIL" each:
#  record_hog       records from balloon statistics arrive (no agent)
#  record_idle      records from the agent arrive: cagmad connected to the
#                   guest's channel and counts records (from the statistics
#                   with KVM_E2E_AGENT=0)
#  hog_grown        cagmad raised the hog's balloon (> +64 MiB from go)
#  hog_memtotal     the hog guest saw MemTotal grow by > 64 MiB
#  idle_shrunk      the idle guest's target went down ...
#  idle_gradual     ... in voluntary shrinks of at most max_shrink (+ slack;
#                   the first one too); reclaims for the reserve are not
#                   limited and only counted ...
#  idle_floor       ... and never below the floor (target and balloon)
#  host_reserve     host_memory - the guests' balloons never fell below
#                   the reserve (libvirt's figures, sampled every second)
#  no_oom           no guest OOM-killed a task or died
#  cagmad_alive     cagmad still runs at the end
#  cagmad_stop      cagmad exits 0 on SIGTERM within 10 s
#  daemons_stop     libvirtd and virtlogd exit on SIGTERM
E2E_FLOOR_KB=262144
E2E_SHRINK_KB=65536
E2E_RESERVE_MB=256
E2E_SLACK_KB=4096

kvm_job() {
	agent=${KVM_E2E_AGENT:-1}
	host_mb=${KVM_HOST_MB:-1536}
	KVM_HEADROOM=${KVM_HEADROOM:-0} kvm_cagmad_conf cagma \
	    "$(kvm_host_line "$host_mb")" || return
	kvm_guest hog 384 1536 hog "KVM_HOG_ARGS='16 500 1024 45' KVM_HOG_MAX_S=150" || return
	if [ "$agent" = 1 ]; then
		KVM_CHANNEL=1 kvm_guest idle 512 1024 idle \
		    "KVM_AGENT_ARGS='--foreground --transport virtio --port /dev/virtio-ports/org.cagma.agent.0'" || return
	else
		kvm_guest idle 512 1024 idle || return
	fi
	kvm_wait_ready "${KVM_READY_S:-240}" || return
	kvm_events "$RUN/events.txt"
	kvm_sampler "$RUN/samples.txt"
	kvm_cagmad cagma || return
	kvm_status "$RUN/status.txt"
	ok=0
	kvm_wait_records hog 60 && ok=1
	kvm_check record_hog $ok "records=$(kvm_records hog) (balloon statistics, no agent)"
	ok=0
	kvm_wait_records idle 60 && ok=1
	chan="no channel"
	if [ "$agent" = 1 ]; then
		# the agent's records: cagmad found the channel and connected
		grep -q "channel $RUN/idle/agent.sock: connected" "$RUN/cagmad.log" &&
		    chan="channel connected" || ok=0
	fi
	kvm_check record_idle $ok "records=$(kvm_records idle) agent=$agent ($chan)"
	hog_go=$(awk '$2 == "hog" { a = $3 } END { print a + 0 }' "$RUN/samples.txt")
	kvm_go
	_end=$(($(date +%s) + ${KVM_HOG_WAIT_S:-240}))
	while [ ! -e "$RUN/hog/share/out/done" ] && [ "$(date +%s)" -lt $_end ] &&
	    kvm_running hog; do
		sleep 1
	done
	[ -e "$RUN/hog/share/out/done" ] || kvm_res "hog not done ($(kvm_state hog))"
	sleep "${KVM_SETTLE_S:-20}"
	ok=0
	kill -0 "$CAGMAD_PID" 2>/dev/null && ok=1
	kvm_check cagmad_alive $ok "pid=$CAGMAD_PID"
	kvm_cpu "$CAGMAD_PID" cagmad
	alive=""
	for g in $KVM_GUESTS; do
		kvm_running "$g" && alive="$alive $g"
	done
	kvm_stop_bg
	kvm_stop_guests 60
	kvm_stop_cagmad
	ok=0
	[ "$CAGMAD_RC" = 0 ] && ok=1
	kvm_check cagmad_stop $ok "exit status on SIGTERM: $CAGMAD_RC"
	ok=0
	kvm_daemons_stop "$LV" && ok=1
	kvm_check daemons_stop $ok "libvirtd + virtlogd stopped on SIGTERM"
	e2e_verdicts
}

e2e_verdicts() {
	hog_max=$(awk '$2 == "hog" && $3 > m { m = $3 } END { print m + 0 }' "$RUN/samples.txt")
	ok=0
	[ "$hog_max" -gt $((hog_go + 65536)) ] && ok=1
	kvm_check hog_grown $ok "balloon at go=$hog_go max=$hog_max KiB"
	set -- $(awk '/^mark go/ { on = 1 } on && /^labstat/ { for (i = 1; i <= NF; i++) if ($i ~ /^memtotal_kb=/) {
		split($i, a, "="); if (first == "") first = a[2]; if (a[2] > max) max = a[2] } }
		END { print first + 0, max + 0 }' "$RUN/hog/share/out/labstat.log" 2>/dev/null)
	ok=0
	[ "${2:-0}" -gt $((${1:-0} + 65536)) ] && ok=1
	kvm_check hog_memtotal $ok "guest MemTotal at go=${1:-?} max=${2:-?} kB"
	idle_id=$(awk '$1 == "created" && $2 == "idle" { print $3; exit }' "$RUN/results.txt")
	# cagmad's "domid N: target A -> B KiB (reason)" lines for the idle
	# guest: "t target reason"
	awk -v id="domid $idle_id:" 'index($0, id) && / target [0-9]+ -> [0-9]+ KiB/ {
		for (i = 1; i <= NF; i++) if ($i == "->") print $1, $(i + 1), $(i + 3) }' \
	    "$RUN/cagmad.log" > "$RUN/idle-targets.txt"
	# voluntary shrinks ("(shrink)") are limited to max_shrink per round;
	# reclaim for the host reserve or another guest's emergency is not
	# (dom0/policy/README.md), so it is counted apart
	set -- $(awk '
		NR == 1 { first = $2; min = $2 }
		NR > 1 && $2 < prev && $3 == "(shrink)" { steps++; if (prev - $2 > big) big = prev - $2
			if (t0 == "") t0 = $1; t1 = $1 }
		NR > 1 && $2 < prev && $3 != "(shrink)" { rec++; if (prev - $2 > rbig) rbig = prev - $2 }
		$3 == "(emergency)" { em++ }
		{ if ($2 < min) min = $2; prev = $2; last = $2 }
		END { printf "%d %d %d %d %d %.1f %d %d %d\n", first, last, min, steps,
		    big, t1 - t0, rec, rbig, em }' "$RUN/idle-targets.txt")
	idle_start=$((512 * 1024))
	ok=0
	[ "${2:-$idle_start}" -lt "$idle_start" ] && ok=1
	kvm_check idle_shrunk $ok "targets=$(wc -l < "$RUN/idle-targets.txt") first=${1:-?} last=${2:-?} KiB (created at $idle_start)"
	ok=0
	[ "${4:-0}" -ge 2 ] && [ "${5:-0}" -le $((E2E_SHRINK_KB + E2E_SLACK_KB)) ] &&
	    [ "$((idle_start - ${1:-0}))" -le $((E2E_SHRINK_KB + E2E_SLACK_KB)) ] && ok=1
	kvm_check idle_gradual $ok "shrinks=${4:-0} largest=${5:-?} KiB (max_shrink $E2E_SHRINK_KB) over ${6:-?} s; reclaims=${7:-0} largest=${8:-0} KiB; emergency grows=${9:-0}"
	cur_min=$(awk '$2 == "idle" { if (m == "" || $3 < m) m = $3 } END { print m + 0 }' "$RUN/samples.txt")
	ok=0
	[ "${3:-0}" -ge $E2E_FLOOR_KB ] && [ "$cur_min" -ge $((E2E_FLOOR_KB - 2048)) ] && ok=1
	kvm_check idle_floor $ok "min target=${3:-?} KiB, min balloon=$cur_min KiB, floor=$E2E_FLOOR_KB KiB"
	# pool free = host_memory - sum of the guests' balloons, per sample time
	free_min=$(awk -v host=$((host_mb * 1024)) '{ s[$1] += $3; n[$1]++ }
		END { m = ""; for (t in s) if (n[t] == 2 && (m == "" || host - s[t] < m)) m = host - s[t]
		print int(m / 1024) }' "$RUN/samples.txt")
	ok=0
	[ -n "$free_min" ] && [ "$free_min" -ge $((E2E_RESERVE_MB - E2E_SLACK_KB / 1024)) ] && ok=1
	kvm_check host_reserve $ok "min host_memory - balloons=$free_min MiB, reserve=$E2E_RESERVE_MB MiB, host_memory=$host_mb MiB"
	oom=""
	for g in $KVM_GUESTS; do
		[ "$(kvm_oom "$g")" -gt 0 ] && oom="$oom $g"
	done
	ok=0
	[ -z "$oom" ] && [ "$(echo $alive)" = "$(echo $KVM_GUESTS)" ] && ok=1
	kvm_check no_oom $ok "OOM/panic in:${oom:- none}; running at the end:$alive"
}
