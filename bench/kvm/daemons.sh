# daemons.sh - libvirtd + virtlogd by hand for the KVM lab (sourced, bash).
#
# kvm_daemons_start DIR: starts virtlogd and the monolithic libvirtd
# (Debian 12 has no virtqemud) as root, without systemd, in a private
# mount namespace where DIR/etc, DIR/run, DIR/lib, DIR/log and DIR/cache
# are bind-mounted over /etc/libvirt, /run/libvirt, /var/lib/libvirt,
# /var/log/libvirt and /var/cache/libvirt, and DIR/passwd, DIR/group over
# /etc/passwd and /etc/group.  So the host's /etc is never rewritten:
#  * the QEMU driver looks up its compiled-in user "libvirt-qemu" before it
#    reads qemu.conf (libvirtd fails with "Failed to parse user
#    'libvirt-qemu'" without it): the private passwd/group copies have it;
#  * qemu.conf (the package ships none) runs QEMU as root, without
#    relabelling or a security driver.
# Clients (virsh, cagmad) reach it with $KVM_URI,
# qemu+unix:///system?socket=DIR/run/libvirt-sock; QEMU's own sockets live
# in the namespace (under /var/lib/libvirt there).  Sets KVM_URI and
# KVM_VIRSH ("virsh -c URI").  0, or 1 with a message (see DIR/libvirtd.log).
# kvm_daemons_stop DIR: destroys every running domain, stops both daemons
# by the PIDs in their pidfiles (TERM, then KILL after 10 s).

kvm_uri() {
	echo "qemu+unix:///system?socket=$1/run/libvirt-sock"
}

kvm_daemons_conf() {
	_d=$1
	mkdir -p "$_d/etc" "$_d/run" "$_d/lib/qemu" "$_d/log/qemu" "$_d/cache"
	cp -a /etc/libvirt/. "$_d/etc/" 2>/dev/null
	cat > "$_d/etc/qemu.conf" <<'CONF'
# cagma KVM lab: QEMU as root, no relabelling, no security driver
user = "root"
group = "root"
dynamic_ownership = 0
remember_owner = 0
security_driver = "none"
CONF
	cp /etc/passwd "$_d/passwd"
	cp /etc/group "$_d/group"
	getent passwd libvirt-qemu > /dev/null ||
	    echo "libvirt-qemu:x:64055:64055:Libvirt Qemu:/var/lib/libvirt:/usr/sbin/nologin" \
	    >> "$_d/passwd"
	getent group libvirt-qemu > /dev/null ||
	    echo "libvirt-qemu:x:64055:" >> "$_d/group"
	getent group kvm > /dev/null || echo "kvm:x:64056:" >> "$_d/group"
}

kvm_daemons_start() {
	_d=$1
	KVM_URI=$(kvm_uri "$_d")
	KVM_VIRSH="virsh -q -c $KVM_URI"
	export KVM_URI
	kvm_daemons_conf "$_d" || return 1
	rm -f "$_d/virtlogd.pid" "$_d/libvirtd.pid"
	# the daemons outlive this shell and keep its namespace
	unshare --mount --propagation private sh -c '
		d=$1
		mount --bind "$d/etc" /etc/libvirt &&
		mkdir -p /run/libvirt /var/lib/libvirt /var/log/libvirt \
		    /var/cache/libvirt &&
		mount --bind "$d/run" /run/libvirt &&
		mount --bind "$d/lib" /var/lib/libvirt &&
		mount --bind "$d/log" /var/log/libvirt &&
		mount --bind "$d/cache" /var/cache/libvirt &&
		mount --bind "$d/passwd" /etc/passwd &&
		mount --bind "$d/group" /etc/group || exit 1
		/usr/sbin/virtlogd -d -p "$d/virtlogd.pid" || exit 1
		LIBVIRT_LOG_OUTPUTS="1:file:$d/libvirtd.log" \
		    LIBVIRT_LOG_FILTERS="3:*" \
		    /usr/sbin/libvirtd -d -p "$d/libvirtd.pid"' sh "$_d" || {
		echo "kvm: starting the daemons failed" >&2
		return 1
	}
	for _i in $(seq 1 100); do
		$KVM_VIRSH version > /dev/null 2>&1 && return 0
		sleep 0.2
	done
	echo "kvm: libvirtd does not answer on $KVM_URI" >&2
	tail -n 20 "$_d/libvirtd.log" >&2 2>/dev/null
	return 1
}

# kvm_pid_stop NAME PIDFILE: TERM, wait up to 10 s, KILL; 0 if it stopped
# on TERM (or was not running)
kvm_pid_stop() {
	[ -f "$2" ] || return 0
	_p=$(cat "$2")
	case $_p in "" | *[!0-9]*) return 0 ;; esac
	kill -0 "$_p" 2>/dev/null || { rm -f "$2"; return 0; }
	kill "$_p"
	for _i in $(seq 1 50); do
		kill -0 "$_p" 2>/dev/null || { rm -f "$2"; return 0; }
		sleep 0.2
	done
	echo "kvm: $1 ($_p) ignored TERM, killing" >&2
	kill -9 "$_p" 2>/dev/null
	return 1
}

kvm_daemons_stop() {
	_d=$1 _rc=0
	if [ -f "$_d/libvirtd.pid" ]; then
		for _g in $(timeout 20 virsh -q -c "$(kvm_uri "$_d")" list --name 2>/dev/null); do
			timeout 20 virsh -q -c "$(kvm_uri "$_d")" destroy "$_g" > /dev/null 2>&1
		done
	fi
	kvm_pid_stop libvirtd "$_d/libvirtd.pid" || _rc=1
	kvm_pid_stop virtlogd "$_d/virtlogd.pid" || _rc=1
	return $_rc
}
