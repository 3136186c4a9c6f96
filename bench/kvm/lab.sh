# lab.sh - host side of the KVM lab (sourced by run-kvm.sh; bash).
# Guests are QEMU TCG domains of a libvirtd started by hand (daemons.sh),
# booted from the Xen lab image's files; each has a directory RUN/NAME
# with its 9p share (share/: guest.sh as dom0.sh, role.env, bin/, out/),
# its console log and its swap disk.  Results: "CHECK name PASS|FAIL" and
# other lines in RUN/results.txt (kvm_res).
KVM_FAILED=0
KVM_GUESTS=""
CAGMAD_PID=""
BG_PIDS=""

kvm_now() {
	date +%s.%N | cut -c1-14
}
kvm_res() {
	echo "KVM: $*"
	echo "$*" >> "$RUN/results.txt"
}
kvm_fail() {
	kvm_res "FAIL $*"
	KVM_FAILED=1
}
kvm_check() {
	_n=$1 _ok=$2
	shift 2
	if [ "$_ok" = 1 ]; then
		kvm_res "CHECK $_n PASS $*"
	else
		kvm_res "CHECK $_n FAIL $*"
		KVM_FAILED=1
	fi
}

# kvm_xml NAME START_MIB MAX_MIB: the domain XML on stdout.  TCG with a
# small translation cache (KVM_TBCACHE MiB; QEMU's default 1 GiB mapping
# made a guest of 274 MiB a 658 MiB process), direct kernel boot of the
# lab image, its root file system read-only and shared by all guests, a
# sparse swap disk, the share, the console to a file, the virtio balloon
# with 1 s statistics and, with KVM_AGENT_CHANNEL=1 in the guest's
# settings, the agent's virtio-serial channel.
kvm_xml() {
	_n=$1 _g=$RUN/$1
	cat <<XML
<domain type='qemu'>
  <name>$_n</name>
  <memory unit='MiB'>$3</memory>
  <currentMemory unit='MiB'>$2</currentMemory>
  <vcpu>1</vcpu>
  <os>
    <type arch='x86_64' machine='pc'>hvm</type>
    <kernel>$IMG/vmlinuz</kernel>
    <initrd>$IMG/initrd.img</initrd>
    <cmdline>root=/dev/vda ro console=ttyS0 init=/sbin/cagma-lab-init lab=dom0 panic=-1 init_on_alloc=0</cmdline>
  </os>
  <features><acpi/><tcg><tb-cache unit='MiB'>${KVM_TBCACHE:-64}</tb-cache></tcg></features>
  <on_poweroff>destroy</on_poweroff>
  <on_reboot>destroy</on_reboot>
  <on_crash>destroy</on_crash>
  <devices>
    <emulator>/usr/bin/qemu-system-x86_64</emulator>
    <disk type='file' device='disk'>
      <driver name='qemu' type='raw'/>
      <source file='$IMG/rootfs.ext4'/>
      <target dev='vda' bus='virtio'/>
      <readonly/>
    </disk>
    <disk type='file' device='disk'>
      <driver name='qemu' type='raw' cache='none'/>
      <source file='$_g/swap.img'/>
      <target dev='vdb' bus='virtio'/>
    </disk>
$(kvm_xml_data "$_g")
    <filesystem type='mount' accessmode='passthrough'>
      <source dir='$_g/share'/>
      <target dir='share'/>
    </filesystem>
    <serial type='file'><source path='$_g/console.log'/><target port='0'/></serial>
    <console type='file'><source path='$_g/console.log'/><target type='serial' port='0'/></console>
$(kvm_xml_channel "$_n")
    <memballoon model='virtio'><stats period='1'/></memballoon>
  </devices>
</domain>
XML
}
kvm_xml_data() {
	[ "${KVM_DATA_MB:-0}" = 0 ] && return 0
	cat <<XML
    <disk type='file' device='disk'>
      <driver name='qemu' type='raw' cache='none'/>
      <source file='$1/data.img'/>
      <target dev='vdc' bus='virtio'/>
    </disk>
XML
}
kvm_xml_channel() {
	[ "${KVM_CHANNEL:-0}" = 1 ] || return 0
	cat <<XML
    <channel type='unix'>
      <source mode='bind' path='$RUN/$1/agent.sock'/>
      <target type='virtio' name='${KVM_CHANNEL_NAME:-org.cagma.agent.0}'/>
    </channel>
XML
}

# kvm_guest NAME START_MIB MAX_MIB ROLE [SETTINGS]: prepare the guest's
# directory (share, settings "K=V K=V" into role.env, swap disk), define
# and start the domain.  KVM_CHANNEL=1 in the environment adds the agent
# channel.
kvm_guest() {
	_n=$1 _st=$2 _mx=$3 _role=$4 _env=${5:-}
	_g=$RUN/$_n
	mkdir -p "$_g/share/bin" "$_g/share/out"
	cp "$HERE/guest.sh" "$_g/share/dom0.sh"
	for _p in cagma-agent cagma-memtask cagma-disktask cagma-hog cagma-labstat; do
		[ ! -x "$BIN/$_p" ] || cp "$BIN/$_p" "$_g/share/bin/"
	done
	echo "KVM_NAME=$_n KVM_ROLE=$_role $_env" > "$_g/share/role.env"
	rm -f "$_g/swap.img" "$_g/console.log"
	truncate -s "${KVM_SWAP_MB:-512}M" "$_g/swap.img"
	rm -f "$_g/data.img"
	[ "${KVM_DATA_MB:-0}" = 0 ] || truncate -s "${KVM_DATA_MB}M" "$_g/data.img"
	kvm_xml "$_n" "$_st" "$_mx" > "$_g/domain.xml"
	$KVM_VIRSH define "$_g/domain.xml" > "$_g/define.log" 2>&1 &&
	    timeout 60 $KVM_VIRSH start "$_n" >> "$_g/define.log" 2>&1 || {
		cat "$_g/define.log"
		kvm_fail "$_n: virsh define/start"
		return 1
	}
	KVM_GUESTS="$KVM_GUESTS $_n"
	kvm_res "created $_n $($KVM_VIRSH domid "$_n") mem=$_st maxmem=$_mx role=$_role at $(kvm_now)"
}

# kvm_wait_ready SECONDS: every guest wrote out/ready
kvm_wait_ready() {
	for _g in $KVM_GUESTS; do
		_end=$(($(date +%s) + $1))
		while [ ! -e "$RUN/$_g/share/out/ready" ]; do
			if [ "$(date +%s)" -ge $_end ]; then
				kvm_fail "$_g: not ready after $1 s"
				tail -n 20 "$RUN/$_g/console.log"
				return 1
			fi
			sleep 0.5
		done
		kvm_res "$_g ready at $(kvm_now) (guest uptime $(cat "$RUN/$_g/share/out/ready"))"
	done
	kvm_wait_balloons "$1"
}
# kvm_wait_balloons SECONDS: every guest's balloon reached the size it was
# created with (a guest boots with <memory> and its driver inflates the
# balloon to <currentMemory>): 8 MiB slack
kvm_wait_balloons() {
	for _g in $KVM_GUESTS; do
		_want=$(awk -v n="$_g" '$1 == "created" && $2 == n {
			sub(/^mem=/, "", $4); print $4 * 1024 }' "$RUN/results.txt")
		_end=$(($(date +%s) + $1))
		while :; do
			_a=$(timeout 10 $KVM_VIRSH dommemstat "$_g" 2>/dev/null |
			    awk '$1 == "actual" { print $2 }')
			[ -n "$_a" ] && [ "$_a" -le $((_want + 8192)) ] && break
			if [ "$(date +%s)" -ge $_end ]; then
				kvm_fail "$_g: balloon at ${_a:-?} KiB, not $_want, after $1 s"
				return 1
			fi
			sleep 1
		done
		kvm_res "$_g balloon at $_a KiB at $(kvm_now)"
	done
}
kvm_go() {
	for _g in $KVM_GUESTS; do
		: > "$RUN/$_g/share/go"
	done
	kvm_res "go at $(kvm_now)"
}
# kvm_wait_done SECONDS: every guest wrote out/done (1 if one did not)
kvm_wait_done() {
	_end=$(($(date +%s) + $1)) _rc=0
	for _g in $KVM_GUESTS; do
		while [ ! -e "$RUN/$_g/share/out/done" ]; do
			if [ "$(date +%s)" -ge $_end ] ||
			    ! kvm_running "$_g"; then
				kvm_res "$_g: not done ($(kvm_state "$_g"))"
				_rc=1
				break
			fi
			sleep 1
		done
	done
	return $_rc
}
kvm_state() {
	timeout 20 $KVM_VIRSH domstate "$1" 2>/dev/null || echo gone
}
kvm_running() {
	[ "$(kvm_state "$1")" = running ]
}

# kvm_sampler FILE: every second one line per guest from libvirt's balloon
# statistics: "t name actual_kb usable_kb unused_kb available_kb swap_in
# host_avail_kb" (host_avail_kb: the host kernel's MemAvailable)
kvm_sampler() {
	( while :; do
		_t=$(kvm_now)
		_ha=$(awk '/^MemAvailable:/ { print $2 }' /proc/meminfo)
		for _g in $KVM_GUESTS; do
			timeout 10 $KVM_VIRSH dommemstat "$_g" 2>/dev/null |
			    awk -v t="$_t" -v n="$_g" -v ha="$_ha" '
				{ v[$1] = $2 }
				END { if ("actual" in v) print t, n, v["actual"] + 0,
				    v["usable"] + 0, v["unused"] + 0,
				    v["available"] + 0, v["swap_in"] + 0, ha }'
		done
		sleep 1
	done ) >> "$1" &
	BG_PIDS="$BG_PIDS $!"
}
# kvm_events FILE: libvirt's balloon-change and lifecycle events, stamped
kvm_events() {
	( $KVM_VIRSH event --all --loop --timestamp 2>&1 ) >> "$1" &
	BG_PIDS="$BG_PIDS $!"
}
kvm_stop_bg() {
	for _p in $BG_PIDS; do
		kill "$_p" 2>/dev/null
	done
	BG_PIDS=""
}

# kvm_stop_guests SECONDS: ask every guest to finish, wait, destroy the rest
kvm_stop_guests() {
	for _g in $KVM_GUESTS; do
		: > "$RUN/$_g/share/stop"
	done
	_end=$(($(date +%s) + $1))
	for _g in $KVM_GUESTS; do
		while kvm_running "$_g" && [ "$(date +%s)" -lt $_end ]; do
			sleep 1
		done
		if kvm_running "$_g"; then
			kvm_res "$_g did not power off, destroying"
			timeout 20 $KVM_VIRSH destroy "$_g" > /dev/null 2>&1
		fi
	done
}

# kvm_oom NAME: the guest's kernel killed a task for memory or panicked
kvm_oom() {
	grep -a -c -E 'Out of memory|oom-kill|invoked oom-killer|Kernel panic' \
	    "$RUN/$1/console.log" 2>/dev/null
}

# kvm_cpu PID NAME: CPU seconds (user + system) of a process as a result
kvm_cpu() {
	[ -r "/proc/$1/stat" ] || return 0
	kvm_res "cpu $2 pid=$1 seconds=$(awk -v hz="$(getconf CLK_TCK)" \
	    '{ sub(/^.*\) /, ""); printf "%.2f", ($12 + $13) / hz }' "/proc/$1/stat")"
}

# kvm_cagmad_conf POLICY [EXTRA CONFIG LINES]: write cagmad's config and
# check it (cagmad -n) before any guest boots
kvm_cagmad_conf() {
	CAGMAD_BIN=$BIN/${KVM_CAGMAD:-cagmad-libvirt}
	[ -x "$CAGMAD_BIN" ] || { kvm_fail "no $CAGMAD_BIN (make)"; return 1; }
	cat > "$RUN/cagmad.conf" <<CONF
[global]
policy = $1
reserve = ${KVM_RESERVE:-256M}
floor = ${KVM_FLOOR:-256M}
max_shrink = ${KVM_MAX_SHRINK:-64M}
${KVM_HEADROOM:+headroom = $KVM_HEADROOM}
${2:-}
CONF
	"$CAGMAD_BIN" -n --config "$RUN/cagmad.conf" > "$RUN/cagmad-n.log" 2>&1 || {
		cat "$RUN/cagmad-n.log"
		kvm_fail "cagmad rejects its config"
		return 1
	}
}
# kvm_cagmad POLICY: start cagmad-libvirt on this host with the config
# kvm_cagmad_conf wrote, its stderr time-stamped ("t line") into
# RUN/cagmad.log
kvm_cagmad() {
	"$CAGMAD_BIN" --backend libvirt --connect "$KVM_URI" --foreground --verbose \
	    --config "$RUN/cagmad.conf" --socket "$SOCK" \
	    > >(while IFS= read -r l; do echo "${EPOCHREALTIME:0:14} $l"; done \
	    > "$RUN/cagmad.log") 2>&1 &
	CAGMAD_PID=$!
	sleep 2
	if ! kill -0 "$CAGMAD_PID" 2>/dev/null; then
		cat "$RUN/cagmad.log"
		kvm_fail "cagmad exited at start"
		CAGMAD_PID=""
		return 1
	fi
	kvm_res "cagmad started policy=$1 pid=$CAGMAD_PID"
}
# kvm_host_line MIB: the config line that caps the host memory cagmad hands
# out (KVM_HOST_KEY=none: no cap, the host's own MemAvailable)
kvm_host_line() {
	[ "${KVM_HOST_KEY:-host_memory}" = none ] ||
	    printf '[libvirt]\n%s = %sM\n' "${KVM_HOST_KEY:-host_memory}" "$1"
}
# kvm_status FILE: cagmactl status --json every second, "t json" lines
kvm_status() {
	( while :; do
		_j=$(timeout 5 "$BIN/cagmactl" --socket "$SOCK" status --json 2>/dev/null |
		    tr -d '\n')
		[ -n "$_j" ] && echo "$(kvm_now) $_j"
		sleep 1
	done ) >> "$1" &
	BG_PIDS="$BG_PIDS $!"
}
# kvm_records NAME: the records cagmad counted for domain NAME (last status)
kvm_records() {
	tail -n 1 "$RUN/status.txt" 2>/dev/null | sed 's/^[^ ]* //' |
	    jq -r --arg n "$1" '.domains[] | select(.name == $n) | .records' 2>/dev/null
}
# kvm_wait_records NAME SECONDS: cagmad has > 0 records of NAME
kvm_wait_records() {
	_end=$(($(date +%s) + $2))
	while [ "$(date +%s)" -lt $_end ]; do
		_r=$(kvm_records "$1")
		[ -n "$_r" ] && [ "$_r" -gt 0 ] 2>/dev/null && return 0
		sleep 1
	done
	return 1
}
# kvm_stop_cagmad: SIGTERM, wait up to 10 s; the exit status in
# CAGMAD_RC ("timeout" if it had to be killed)
kvm_stop_cagmad() {
	kill "$CAGMAD_PID" 2>/dev/null
	for _i in $(seq 1 50); do
		kill -0 "$CAGMAD_PID" 2>/dev/null || break
		sleep 0.2
	done
	if kill -0 "$CAGMAD_PID" 2>/dev/null; then
		kill -9 "$CAGMAD_PID"
		CAGMAD_RC=timeout
	else
		wait "$CAGMAD_PID"
		CAGMAD_RC=$?
	fi
	CAGMAD_PID=""
}
