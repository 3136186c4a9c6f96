# lib.sh - dom0 helpers for the lab jobs (sourced by dom0.sh; POSIX sh).
# Markers on the console: "LAB: ..." results, "LIVE ..." the live view,
# "LAB: CHECK name PASS|FAIL detail" the e2e assertions, "LAB-DONE rc=N".
LAB_FAILED=0
CAGMAD_PID=""
VIEW_PID=""
SAMPLER_PID=""
TAIL_PIDS=""
GUESTS=""
SOCK=/run/cagma/cagmad.sock
LETTERS="b c d e f g h i j k l m n o p q r s t u v w x y z"

# Seconds of uptime with hundredths, without forking.
lab_up() {
	read -r _up _idle < /proc/uptime
	echo "$_up"
}
lab_res() {
	echo "LAB: $*"
	echo "$*" >> "$OUT/results.txt"
}
lab_fail() {
	lab_res "FAIL $*"
	LAB_FAILED=1
}
# lab_check NAME OK(0/1) DETAIL...: one e2e assertion
lab_check() {
	_n=$1 _ok=$2
	shift 2
	if [ "$_ok" = 1 ]; then
		lab_res "CHECK $_n PASS $*"
	else
		lab_res "CHECK $_n FAIL $*"
		LAB_FAILED=1
	fi
}
# lab_dev N: the N-th (0-based) extra virtio disk, /dev/vdb for N=0
lab_dev() {
	set -- $(echo $LETTERS | cut -d' ' -f$(($1 + 1)))
	echo "/dev/vd$1"
}

# Xen services: xenstored, xen-init-dom0, xenconsoled (Debian sysv script).
# Under systemd (LAB_BOOT=systemd) xen.service started them at boot; wait
# for it instead (its console-log setting is in the image's /etc/default/xen).
lab_services() {
	modprobe -a xen-evtchn xen-gntdev xen-gntalloc xen-privcmd xenfs \
	    xen-blkback
	if [ "${LAB_BOOT:-lab}" = systemd ]; then
		mkdir -p /var/log/xen/console /var/lib/xen /run/cagma
		# bounded: "starting" until the boot's job queue is empty
		timeout 300 systemctl is-system-running --wait \
		    > "$OUT/system-running.txt" 2>&1
		lab_res "systemd state=$(cat "$OUT/system-running.txt") uptime=$(lab_up)"
		systemctl --failed --no-legend > "$OUT/failed-units.txt" 2>&1
		systemctl is-active xen.service > /dev/null || return 1
		xl info > "$OUT/xl-info.txt" 2>&1 || return 1
		lab_res "xen_up uptime=$(lab_up) free_mb=$(lab_free_mb)"
		return 0
	fi
	export XENCONSOLED_ARGS="--log=guest --log-dir=/var/log/xen/console"
	mkdir -p /var/log/xen/console /var/lib/xen /run/cagma
	/etc/init.d/xen start > "$OUT/xen-start.log" 2>&1 || return 1
	xl info > "$OUT/xl-info.txt" 2>&1 || return 1
	lab_res "xen_up uptime=$(lab_up) free_mb=$(lab_free_mb)"
}
lab_free_mb() {
	xl info 2>/dev/null | sed -n 's/^free_memory *: *//p'
}

# lab_guest IDX NAME MEM_MB MAXMEM_MB ROLE [ENV]: lab_guest_prep, then
# xl create it.
lab_guest() {
	lab_guest_prep "$@" || return
	lab_guest_create "$2" "$3" "$4" "$5"
}
# lab_guest_prep IDX NAME MEM_MB MAXMEM_MB ROLE [ENV]: put the lab files,
# the agent and the role (plus ENV, "K=V K=V") on the guest's root disk
# and write its xl config, /tmp/NAME.cfg.
lab_guest_prep() {
	_i=$1 _name=$2 _mem=$3 _max=$4 _role=$5 _env=${6:-}
	_root=$(lab_dev "$_i")
	_swap=$(lab_dev $((_i + LAB_NGUEST)))
	_data=$(lab_dev $((_i + 2 * LAB_NGUEST)))
	mount "$_root" /mnt/domu || { lab_fail "$_name: mount $_root"; return 1; }
	rm -rf /mnt/domu/lab
	mkdir -p /mnt/domu/lab/bin /mnt/domu/lab/out
	cp "$S/domU.sh" "$S/lab.env" /mnt/domu/lab/
	cp "$S"/bin/cagma-memtask "$S"/bin/cagma-disktask "$S"/bin/cagma-hog \
	    "$S"/bin/cagma-labstat /mnt/domu/lab/bin/
	[ ! -x "$S/bin/cagma-latprobe" ] ||
	    cp "$S/bin/cagma-latprobe" /mnt/domu/lab/bin/
	# install the agent like a package would; domU.sh starts it at boot
	# (LAB_AGENT_DEB: the .deb instead; the guest installs it with apt)
	rm -f /mnt/domu/lab/*.deb
	if [ -n "${LAB_AGENT_DEB:-}" ]; then
		cp "$LAB_AGENT_DEB" /mnt/domu/lab/
		rm -f /mnt/domu/usr/sbin/cagma-agent
	elif [ -x "$S/bin/cagma-agent" ]; then
		install -m 755 "$S/bin/cagma-agent" /mnt/domu/usr/sbin/cagma-agent
	else
		rm -f /mnt/domu/usr/sbin/cagma-agent
	fi
	echo "LAB_NAME=$_name LAB_ROLE=$_role $_env" > /mnt/domu/lab/role.env
	umount /mnt/domu
	cat > "/tmp/$_name.cfg" <<CFG
name    = "$_name"
type    = "pv"
kernel  = "/boot/vmlinuz-$(cat "$S/kver")"
ramdisk = "/boot/initrd-lab.img"
extra   = "console=hvc0 root=/dev/xvda rw $(lab_guest_init) lab=domU"
memory  = $_mem
maxmem  = $_max
vcpus   = 1
disk    = [ $(lab_guest_disks) ]
on_poweroff = "destroy"
on_reboot   = "destroy"
on_crash    = "destroy"
CFG
	cp "/tmp/$_name.cfg" "$OUT/"
	echo "$_root" > "/tmp/$_name.root"
}
# lab_guest_create NAME MEM_MB MAXMEM_MB ROLE: xl create /tmp/NAME.cfg
lab_guest_create() {
	_name=$1 _mem=$2 _max=$3 _role=$4
	_t=$(lab_up)
	if ! xl create "/tmp/$_name.cfg" > "$OUT/xl-create-$_name.log" 2>&1 &&
	    ! lab_create_retry "$_name"; then
		cat "$OUT/xl-create-$_name.log"
		lab_fail "$_name: xl create"
		return 1
	fi
	GUESTS="$GUESTS $_name"
	( tail -n +1 -F "/var/log/xen/console/guest-$_name.log" 2>/dev/null |
	    sed -u "s/^/[$_name] /" ) &
	TAIL_PIDS="$TAIL_PIDS $!"
	lab_res "created $_name domid=$(xl domid "$_name") mem=$_mem maxmem=$_max role=$_role in $(lab_since "$_t") s"
}
# the disk list: root, swap, data; LAB_GUEST_ROOT_ONLY=1: only the root
# (each disk's hotplug script forks a lot under TCG and scans every disk
# already attached: fewer disks, faster xl create)
lab_guest_disks() {
	if [ "${LAB_GUEST_ROOT_ONLY:-0}" = 1 ]; then
		echo "\"phy:$_root,xvda,w\""
	else
		echo "\"phy:$_root,xvda,w\", \"phy:$_swap,xvdb,w\", \"phy:$_data,xvdc,w\""
	fi
}
lab_guest_init() {
	if [ "${LAB_BOOT:-lab}" = systemd ]; then
		echo "init=/lib/systemd/systemd systemd.wants=cagma-lab.service"
	else
		echo init=/sbin/cagma-lab-init
	fi
}
# With LAB_CREATE_RETRY=1 (bench-lab only; never in e2e) retry a failed
# xl create once, loudly: under a loaded TCG host libxl's 40 s hotplug
# timeout for /etc/xen/scripts/block is sometimes hit.
lab_create_retry() {
	[ "${LAB_CREATE_RETRY:-0}" = 1 ] || return 1
	lab_res "RETRY $1: xl create failed: $(grep -m1 error "$OUT/xl-create-$1.log")"
	xl destroy "$1" 2>/dev/null
	sleep 5
	xl create "/tmp/$1.cfg" > "$OUT/xl-create-$1-retry.log" 2>&1
}
lab_since() {
	awk -v a="$1" -v b="$(lab_up)" 'BEGIN { printf "%.1f", b - a }'
}
lab_domid() {
	xl domid "$1" 2>/dev/null
}
# lab_uptime_s: whole seconds of uptime, without forking
lab_uptime_s() {
	read -r _up _idle < /proc/uptime
	echo "${_up%.*}"
}
# lab_wait_key PATH SECONDS: wait until xenstore PATH exists (deadline in
# uptime: each xenstore-read fork takes a good part of a second under TCG)
lab_wait_key() {
	_end=$(($(lab_uptime_s) + $2))
	while [ "$(lab_uptime_s)" -lt $_end ]; do
		xenstore-read "$1" > /dev/null 2>&1 && return 0
		sleep 0.5
	done
	return 1
}
# lab_wait_guests_ready SECONDS: every guest wrote data/lab/ready
lab_wait_guests_ready() {
	for _g in $GUESTS; do
		_d=$(lab_domid "$_g")
		lab_wait_key "/local/domain/$_d/data/lab/ready" "$1" ||
		    { lab_fail "$_g: not ready after $1 s"; return 1; }
		lab_res "$_g ready uptime=$(lab_up)"
	done
}
# lab_go: start every guest's job at the same moment
lab_go() {
	for _g in $GUESTS; do
		xenstore-write "/local/domain/$(lab_domid "$_g")/data/lab/go" 1
	done
	lab_res "go uptime=$(lab_up)"
}

# lab_cagmad POLICY: write a config and start cagmad --backend xen as root
lab_cagmad() {
	if [ ! -x "$S/bin/cagmad" ]; then
		lab_fail "no cagmad binary on the share"
		return 1
	fi
	mkdir -p /etc/cagma /run/cagma
	cat > /etc/cagma/cagmad.conf <<CONF
[global]
policy = $1
reserve = ${LAB_RESERVE:-256M}
floor = ${LAB_FLOOR:-256M}
max_shrink = ${LAB_MAX_SHRINK:-64M}
${LAB_HEADROOM:+headroom = $LAB_HEADROOM}
${LAB_SET_TARGET:+set_target = $LAB_SET_TARGET}
${LAB_PERIOD:+period = $LAB_PERIOD}
${LAB_COALESCE:+coalesce = $LAB_COALESCE}
${LAB_SURPLUS:+surplus = $LAB_SURPLUS}
CONF
	cp /etc/cagma/cagmad.conf "$OUT/cagmad.conf"
	"$S/bin/cagmad" --backend xen --foreground --verbose \
	    --config /etc/cagma/cagmad.conf --socket "$SOCK" \
	    > "$OUT/cagmad.log" 2>&1 &
	CAGMAD_PID=$!
	sleep 2
	if ! kill -0 "$CAGMAD_PID" 2>/dev/null; then
		cat "$OUT/cagmad.log"
		lab_fail "cagmad exited at start"
		return 1
	fi
	lab_res "cagmad started policy=$1 pid=$CAGMAD_PID"
}
# lab_view SECONDS: live view, cagmactl status every SECONDS
lab_view() {
	( while :; do
		"$S/bin/cagmactl" --socket "$SOCK" status 2>&1 |
		    sed "s/^/LIVE [t=$(lab_up)] /"
		sleep "$1"
	done ) &
	VIEW_PID=$!
}
# lab_sampler FILE: every 2 s one line per guest:
# "t name domid target_kb current_mb free_mb" (dom0's facts)
lab_sampler() {
	( while :; do
		_t=$(lab_up)
		_free=$(lab_free_mb)
		xl list 2>/dev/null | while read -r _n _id _mem _rest; do
			case " $GUESTS " in *" $_n "*) ;; *) continue ;; esac
			_tg=$(xenstore-read "/local/domain/$_id/memory/target" 2>/dev/null)
			echo "$_t $_n $_id ${_tg:-0} $_mem ${_free:-0}"
		done
		sleep 2
	done ) >> "$1" &
	SAMPLER_PID=$!
}
lab_stop_bg() {
	for _p in $VIEW_PID $SAMPLER_PID; do
		kill "$_p" 2>/dev/null
	done
	VIEW_PID="" SAMPLER_PID=""
}
# lab_stop_guests SECONDS: ask every guest to finish, wait, destroy leftovers
lab_stop_guests() {
	for _g in $GUESTS; do
		_d=$(lab_domid "$_g") &&
		    xenstore-write "/local/domain/$_d/data/lab/stop" 1 2>/dev/null
	done
	_end=$(($(lab_uptime_s) + $1))
	while [ "$(lab_uptime_s)" -lt $_end ]; do
		# xl list: a header, Domain-0, then the guests still alive
		[ "$(xl list 2>/dev/null | wc -l)" -le 2 ] && break
		sleep 1
	done
	for _g in $GUESTS; do
		if lab_domid "$_g" > /dev/null; then
			lab_res "$_g did not power off, destroying"
			xl destroy "$_g"
		fi
	done
}
# lab_collect: copy every guest's /lab/out and console log to the share
lab_collect() {
	for _g in $GUESTS; do
		mkdir -p "$OUT/$_g"
		cp "/var/log/xen/console/guest-$_g.log" "$OUT/$_g/console.log" 2>/dev/null
		_root=$(cat "/tmp/$_g.root")
		if mount -o ro "$_root" /mnt/domu 2>/dev/null; then
			cp -r /mnt/domu/lab/out/. "$OUT/$_g/" 2>/dev/null
			umount /mnt/domu
		fi
	done
}
# lab_cpu: CPU seconds (user + system) cagmad and xenstored (Debian 12
# runs oxenstored by default) used so far,
# as a result line: dom0's cost of the policy under test
lab_cpu() {
	_hz=$(getconf CLK_TCK 2>/dev/null || echo 100)
	for _p in $CAGMAD_PID $(pidof oxenstored xenstored 2>/dev/null); do
		[ -r "/proc/$_p/stat" ] || continue
		# fields after "pid (comm) ": $12 utime, $13 stime (ticks)
		lab_res "cpu $(cat "/proc/$_p/comm") pid=$_p seconds=$(awk -v hz="$_hz" \
		    '{ sub(/^.*\) /, ""); printf "%.2f", ($12 + $13) / hz }' "/proc/$_p/stat")"
	done
}
lab_wrapup() {
	lab_cpu
	lab_stop_bg
	[ -n "$GUESTS" ] && lab_stop_guests 60
	if [ -n "$CAGMAD_PID" ]; then
		kill "$CAGMAD_PID" 2>/dev/null
		sleep 1
	fi
	[ -n "$GUESTS" ] && [ -z "${COLLECTED:-}" ] && lab_collect
	for _p in $TAIL_PIDS; do
		kill "$_p" 2>/dev/null
	done
	cp /var/log/xen/xl-*.log "$OUT/" 2>/dev/null
	if [ "${LAB_BOOT:-lab}" = systemd ]; then
		journalctl -u cagmad.service --no-pager -o short-monotonic \
		    > "$OUT/journal-cagmad.txt" 2>&1
		journalctl -b --no-pager -o short-monotonic \
		    > "$OUT/journal-dom0.txt" 2>&1
	fi
	if [ "$LAB_FAILED" != 0 ]; then
		echo "===== cagmad log (tail) ====="
		tail -n 60 "$OUT/cagmad.log" 2>/dev/null
		for _g in $GUESTS; do
			echo "===== $_g console (tail) ====="
			tail -n 40 "$OUT/$_g/console.log" 2>/dev/null
		done
	fi
	lab_res "dom0_end uptime=$(lab_up)"
	sync
	echo "LAB-DONE rc=$LAB_FAILED"
}
