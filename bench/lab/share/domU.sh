#!/bin/sh
# domU.sh - guest side of the cagma Xen lab, run by /sbin/cagma-lab-init in
# each PV guest (dom0 copied it to /lab with role.env and the workloads).
# Sets up swap, starts the installed cagma-agent and the counter sampler,
# checks that the guest cannot write its own memory/target, says
# data/lab/ready, waits for data/lab/go, runs its role, says data/lab/done,
# waits for data/lab/stop.  Output: /lab/out (dom0 copies it after power
# off) and "DOMU:" lines on hvc0.
L=/lab
O=$L/out
. "$L/lab.env"
. "$L/role.env"
log() { echo "DOMU: $*"; }
lab_set() { xenstore-write "data/lab/$1" "$2"; }
# wait_key KEY SECONDS: 0 once data/lab/KEY exists, 1 on timeout or when
# dom0 says data/lab/stop first
wait_key() {
	read -r _up _idle < /proc/uptime
	_end=$((${_up%.*} + $2))
	while [ "${_up%.*}" -lt $_end ]; do
		xenstore-read "data/lab/$1" > /dev/null 2>&1 && return 0
		xenstore-read data/lab/stop > /dev/null 2>&1 && return 1
		sleep 1
		read -r _up _idle < /proc/uptime
	done
	return 1
}
# nth "a,b,c" N (0-based); empty past the end
nth() {
	echo "$1" | cut -d, -f$(($2 + 1))
}

role_idle() {
	:
}
# the hog is time-bounded: a hog the host cannot satisfy thrashes for ever
role_hog() {
	timeout "${LAB_HOG_MAX_S:-180}" \
	    "$L/bin/cagma-hog" ${LAB_HOG_ARGS:-16 500 768 60} > "$O/hog.log" 2>&1
	log "hog: $(tail -n 1 "$O/hog.log")"
}
# role_latency: the real-Xen latency job (job-latency.sh): one run of
# cagma-latprobe per target path dom0 measures, each started by
# data/lab/goK and answered by data/lab/doneK
role_latency() {
	for _k in $(seq "${LAB_LAT_NPATHS:-1}"); do
		wait_key "go$_k" "${LAB_GO_WAIT_S:-900}" || break
		log "latency run $_k uptime=$(cut -d' ' -f1 /proc/uptime)"
		"$L/bin/cagma-latprobe" ${LAB_LAT_ARGS:-20 48 10 16} \
		    > "$O/latprobe-$_k.log" 2>&1
		log "latprobe $_k: $(tail -n 1 "$O/latprobe-$_k.log")"
		lab_set "done$_k" 1
	done
}
# the busy guest: a memory task keeps LAB_BUSY_MIB hot until power off
role_busy() {
	"$L/bin/cagma-memtask" "${LAB_BUSY_MIB:-256}" 86400 \
	    > "$O/busy.txt" 2>&1 &
	log "busy: cagma-memtask ${LAB_BUSY_MIB:-256} MiB pid=$!"
}
# oom_note: the kernel's OOM-kill count (data/lab/oom_kill) and its OOM
# lines so far ($O/oom.txt), for dom0's checks
oom_note() {
	lab_set oom_kill "$(awk '$1 == "oom_kill" { print $2 }' /proc/vmstat)"
	dmesg 2>/dev/null | grep -i -E 'oom-kill|out of memory|killed process' \
	    > "$O/oom.txt"
}
# more_jobs: after the role, job k = 2, 3, ... runs cagma-hog with
# LAB_JOBk_ARGS once dom0 writes data/lab/gok, then says data/lab/donek
# (the e2e's give-back and swapless phases)
more_jobs() {
	_k=2
	while :; do
		eval "_args=\${LAB_JOB${_k}_ARGS:-}"
		[ -n "$_args" ] || break
		wait_key go$_k "${LAB_GO_WAIT_S:-900}" || break
		log "go$_k uptime=$(cut -d' ' -f1 /proc/uptime)"
		echo "mark go$_k" >> "$O/labstat.log"
		timeout "${LAB_HOG_MAX_S:-180}" "$L/bin/cagma-hog" $_args \
		    > "$O/hog$_k.log" 2>&1
		log "hog$_k rc=$?: $(tail -n 1 "$O/hog$_k.log")"
		echo "mark done$_k" >> "$O/labstat.log"
		oom_note
		lab_set done$_k 1
		_k=$((_k + 1))
	done
}
# role_phases: the paper's workloads as a demand curve.  Phase k keeps
# nth(LAB_MEMTASKS, k) memory tasks and nth(LAB_DISKTASKS, k) disk tasks
# running for LAB_PHASE_S seconds: tasks already running carry on into the
# next phase (more are started, the newest stopped when fewer are wanted),
# so a task touches its memory once, as the simulator's phases model it.
# Under TCG a guest needs tens of seconds to touch 480 MiB; restarting the
# tasks every phase left no time for their access batches.
role_phases() {
	_k=0
	while :; do
		_m=$(nth "${LAB_MEMTASKS:-}" $_k)
		_d=$(nth "${LAB_DISKTASKS:-}" $_k)
		[ -z "$_m$_d" ] && break
		log "phase $_k start mem=${_m:-0} disk=${_d:-0} uptime=$(cut -d" " -f1 /proc/uptime)"
		keep_tasks mem "${_m:-0}" "$L/bin/cagma-memtask" \
		    "${LAB_TASK_MIB:-48}" 86400
		keep_tasks disk "${_d:-0}" "$L/bin/cagma-disktask" /dev/xvdc \
		    "${LAB_DISK_MIB:-512}" 86400
		sleep "${LAB_PHASE_S:-30}"
		lab_set phase "$_k"
		_k=$((_k + 1))
	done
	# stop the rest; each task prints its summary line on SIGTERM
	pkill -TERM -f 'cagma-(memtask|disktask)'
	wait_tasks
}
# keep_tasks KIND N CMD...: keep N copies of CMD running (output in
# $O/KINDi.txt); start the missing ones, stop the newest extra ones
keep_tasks() {
	_kind=$1 _want=$2
	shift 2
	eval "_have=\${_n_$_kind:-0}"
	while [ "$_have" -lt "$_want" ]; do
		"$@" > "$O/$_kind$_have.txt" 2>&1 &
		eval "_pid_${_kind}_$_have=\$!"
		_have=$((_have + 1))
	done
	while [ "$_have" -gt "$_want" ]; do
		_have=$((_have - 1))
		eval "kill \$_pid_${_kind}_$_have"
	done
	eval "_n_$_kind=$_have"
}
# wait for the tasks only (the agent and sampler keep running)
wait_tasks() {
	while pgrep -f 'cagma-(memtask|disktask)' > /dev/null; do
		sleep 1
	done
}

log "up uptime=$(cut -d' ' -f1 /proc/uptime) name=$LAB_NAME role=$LAB_ROLE"
modprobe -a xen-evtchn xenfs 2>/dev/null
mount -t xenfs xenfs /proc/xen 2>/dev/null
mkdir -p "$O"
# LAB_NOSWAP=1: a guest without swap, as most cloud images are (the e2e's
# swapless phase); its exhaustion shows only as OOM kills and stalls
if [ "${LAB_NOSWAP:-0}" = 1 ]; then
	log "swap none (LAB_NOSWAP)"
else
	mkswap /dev/xvdb > /dev/null && swapon /dev/xvdb &&
	    log "swap $(grep SwapTotal /proc/meminfo | tr -s ' ')"
fi
lab_set swap_kb "$(awk '$1 == "SwapTotal:" { print $2 }' /proc/meminfo)"
AGENT=""
if [ -n "$(ls /lab/cagma-agent_*.deb 2>/dev/null)" ]; then
	# the systemd job: apt installs the package, its scripts start the unit
	DEBIAN_FRONTEND=noninteractive apt-get install -y /lab/cagma-agent_*.deb \
	    > "$O/apt-agent.log" 2>&1
	log "apt rc=$? $(tail -n 1 "$O/apt-agent.log")"
	sleep 2
	_u="$(systemctl is-enabled cagma-agent.service) $(systemctl is-active cagma-agent.service)"
	lab_set agent_unit "$_u"
	log "cagma-agent.service: $_u"
elif [ -x /usr/sbin/cagma-agent ]; then
	/usr/sbin/cagma-agent ${LAB_AGENT_ARGS:---foreground} \
	    > "$O/agent.log" 2>&1 &
	AGENT=$!
	log "agent started pid=$AGENT"
else
	log "no cagma-agent installed"
fi
"$L/bin/cagma-labstat" "${LAB_STAT_MS:-1000}" 86400 xvdb xvdc \
    >> "$O/labstat.log" 2>&1 &
STAT=$!

# A guest must not be able to set its own balloon target.
before=$(xenstore-read memory/target)
if xenstore-write memory/target 4194304 2> "$O/target-write.err"; then
	lab_set target_write allowed
	log "target_write ALLOWED"
else
	lab_set target_write denied
	log "target_write denied: $(cat "$O/target-write.err")"
fi
log "memory/target before=$before after=$(xenstore-read memory/target)"

oom_note
lab_set ready 1
if wait_key go "${LAB_GO_WAIT_S:-900}"; then
	log "go role=$LAB_ROLE uptime=$(cut -d' ' -f1 /proc/uptime)"
	echo "mark go" >> "$O/labstat.log"
	case "$LAB_ROLE" in
	idle) role_idle ;;
	hog) role_hog ;;
	busy) role_busy ;;
	phases) role_phases ;;
	latency) role_latency ;;
	*) log "unknown role $LAB_ROLE" ;;
	esac
	echo "mark done" >> "$O/labstat.log"
	oom_note
	lab_set done 1
	log "done uptime=$(cut -d' ' -f1 /proc/uptime)"
	more_jobs
	wait_key stop "${LAB_STOP_WAIT_S:-1800}"
fi
kill $STAT $AGENT 2>/dev/null
[ -z "${LAB_SYSTEMD:-}" ] || {
	systemctl status --no-pager cagma-agent.service > "$O/agent-status.txt" 2>&1
	journalctl -u cagma-agent.service --no-pager > "$O/agent.log" 2>&1
	journalctl -b --no-pager > "$O/journal.txt" 2>&1
	systemctl --failed --no-legend > "$O/failed-units.txt" 2>&1
}
swapoff -a 2>/dev/null
sync
log "exit"
