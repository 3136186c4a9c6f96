#!/bin/sh
# guest.sh - the guest side of the KVM lab.  The guest boots the Xen lab
# image (read-only root, shared by all guests) with lab=dom0: its lab init
# mounts the 9p share "share" (this guest's directory on the host,
# build/kvmlab/run-JOB/GUEST) on /mnt/share and runs dom0.sh there, which
# is this file.  Loads the balloon and virtio-serial drivers, sets up swap
# on /dev/vdb, starts cagma-agent when role.env says so (KVM_AGENT_ARGS),
# the counter sampler, says out/ready, waits for the host's file "go",
# runs its role (idle, hog, phases), says out/done, waits for "stop".
# Output in out/ (on the host at once) and "GUEST:" lines on the console.
S=/mnt/share
O=$S/out
. "$S/role.env"
log() { echo "GUEST: $*"; }
up() { cut -d' ' -f1 /proc/uptime; }
# wait_file NAME SECONDS: 0 once $S/NAME exists, 1 on timeout or "stop"
wait_file() {
	_n=0
	while [ $_n -lt $(($2 * 2)) ]; do
		[ -e "$S/$1" ] && return 0
		[ -e "$S/stop" ] && return 1
		sleep 0.5
		_n=$((_n + 1))
	done
	return 1
}
nth() {
	echo "$1" | cut -d, -f$(($2 + 1))
}

role_idle() {
	:
}
# the hog is time-bounded: a hog the host cannot satisfy thrashes for ever
role_hog() {
	timeout "${KVM_HOG_MAX_S:-180}" \
	    "$S/bin/cagma-hog" ${KVM_HOG_ARGS:-16 500 768 60} > "$O/hog.log" 2>&1
	log "hog: $(tail -n 1 "$O/hog.log")"
}
# role_phases: the paper's demand curve, as in the Xen lab's domU.sh: phase
# k keeps nth(KVM_MEMTASKS, k) memory tasks and nth(KVM_DISKTASKS, k) disk
# tasks (on /dev/vdc) running for KVM_PHASE_S s; tasks carry on into the
# next phase (only the difference is started or stopped, the newest first).
role_phases() {
	_k=0
	while :; do
		_m=$(nth "${KVM_MEMTASKS:-}" $_k)
		_d=$(nth "${KVM_DISKTASKS:-}" $_k)
		[ -z "$_m$_d" ] && break
		log "phase $_k start mem=${_m:-0} disk=${_d:-0} uptime=$(up)"
		keep_tasks mem "${_m:-0}" "$S/bin/cagma-memtask" \
		    "${KVM_TASK_MIB:-48}" 86400
		keep_tasks disk "${_d:-0}" "$S/bin/cagma-disktask" /dev/vdc \
		    "${KVM_DISK_MIB:-256}" 86400
		sleep "${KVM_PHASE_S:-30}"
		echo "$_k" > "$O/phase"
		_k=$((_k + 1))
	done
	# each task prints its summary line on SIGTERM
	pkill -TERM -f 'cagma-(memtask|disktask)'
	while pgrep -f 'cagma-(memtask|disktask)' > /dev/null; do
		sleep 1
	done
}
# keep_tasks KIND N CMD...: keep N copies of CMD running (output in
# $O/KINDi.txt); start the missing ones, stop the newest extra ones
keep_tasks() {
	_kind=$1 _want=$2
	shift 2
	eval "_have=\${_n_$_kind:-0}"
	while [ "$_have" -lt "$_want" ]; do
		"$@" $_have > "$O/$_kind$_have.txt" 2>&1 &
		eval "_pid_${_kind}_$_have=\$!"
		_have=$((_have + 1))
	done
	while [ "$_have" -gt "$_want" ]; do
		_have=$((_have - 1))
		eval "kill \$_pid_${_kind}_$_have"
	done
	eval "_n_$_kind=$_have"
}

log "up uptime=$(up) name=$KVM_NAME role=$KVM_ROLE"
modprobe virtio_balloon && log "virtio_balloon loaded"
modprobe virtio_console 2>/dev/null
# no udev: the /dev/virtio-ports/NAME links by hand (the agent's port)
for p in /sys/class/virtio-ports/vport*; do
	n=$(cat "$p/name" 2>/dev/null) && [ -n "$n" ] &&
	    mkdir -p /dev/virtio-ports && ln -sf "/dev/${p##*/}" "/dev/virtio-ports/$n" &&
	    log "virtio port $n = /dev/${p##*/}"
done
mkdir -p "$O"
if [ -b /dev/vdb ] && mkswap /dev/vdb > /dev/null && swapon /dev/vdb; then
	log "swap $(grep SwapTotal /proc/meminfo | tr -s ' ')"
fi
AGENT=""
if [ -n "${KVM_AGENT_ARGS:-}" ]; then
	if [ -x "$S/bin/cagma-agent" ]; then
		"$S/bin/cagma-agent" $KVM_AGENT_ARGS > "$O/agent.log" 2>&1 &
		AGENT=$!
		log "agent started pid=$AGENT args=$KVM_AGENT_ARGS"
	else
		log "no cagma-agent on the share"
	fi
fi
"$S/bin/cagma-labstat" "${KVM_STAT_MS:-1000}" 86400 vdb vdc \
    >> "$O/labstat.log" 2>&1 &
STAT=$!
echo "$(up)" > "$O/ready"
log "ready uptime=$(up) $(grep MemTotal /proc/meminfo | tr -s ' ')"
if wait_file go "${KVM_GO_WAIT_S:-900}"; then
	log "go role=$KVM_ROLE uptime=$(up)"
	echo "mark go" >> "$O/labstat.log"
	case "$KVM_ROLE" in
	idle) role_idle ;;
	hog) role_hog ;;
	phases) role_phases ;;
	*) log "unknown role $KVM_ROLE" ;;
	esac
	echo "mark done" >> "$O/labstat.log"
	echo "$(up)" > "$O/done"
	log "done uptime=$(up)"
	wait_file stop "${KVM_STOP_WAIT_S:-1800}"
fi
kill $STAT $AGENT 2>/dev/null
swapoff -a 2>/dev/null
log "exit uptime=$(up)"
