# lib.sh - the channel checks' common part (sourced): the guest image
# (a copy of the Xen lab rootfs with this guest-init, cagma-agent and
# cagma-hog written in by debugfs), libvirtd + virtlogd in a private mount
# namespace (as hL's lab does), the domain XML with the agent channel, and
# helpers.  Sets R D I N SOCK L URI V; kc_start creates the domain.
set -u
R=$(cd "$(dirname "$0")/../.." && pwd)
D=$R/build/kvmchan/$(basename "$0" .sh)	# logs of this check
IMG=$R/build/kvmchan/rootfs.ext4		# shared by the checks
I=${LAB_IMG:-/var/cache/cagma-lab/image}
N=cagma-chan-check
SOCK=$D/run/$N.agent.sock
mkdir -p "$D/run"
rm -f "$D"/*.log "$D/$N.console" "$SOCK"
[ -f "$I/inputs.sha256" ] || { echo "no lab image in $I"; exit 1; }
[ -f "$IMG" ] || cp --sparse=always "$I/rootfs.ext4" "$IMG"
for f in "$R/tests/kvmchan/guest-init:/guest-init" \
    "$R/build/bin/cagma-agent:/cagma-agent" \
    "$R/build/bin/cagma-hog:/cagma-hog"; do
	debugfs -w -R "rm ${f#*:}" "$IMG" >/dev/null 2>&1
	debugfs -w -R "write ${f%%:*} ${f#*:}" "$IMG" >/dev/null 2>&1
	debugfs -w -R "sif ${f#*:} mode 0100755" "$IMG" >/dev/null 2>&1
done

# libvirtd + virtlogd in a private mount namespace (as hL's lab does)
L=$D/libvirt
mkdir -p "$L/etc" "$L/run" "$L/lib/qemu" "$L/log/qemu" "$L/cache"
cp -a /etc/libvirt/. "$L/etc/" 2>/dev/null
printf 'user = "root"\ngroup = "root"\ndynamic_ownership = 0\nremember_owner = 0\nsecurity_driver = "none"\n' \
    > "$L/etc/qemu.conf"
cp /etc/passwd "$L/passwd"; cp /etc/group "$L/group"
getent passwd libvirt-qemu >/dev/null || echo "libvirt-qemu:x:64055:64055::/var/lib/libvirt:/usr/sbin/nologin" >> "$L/passwd"
getent group libvirt-qemu >/dev/null || echo "libvirt-qemu:x:64055:" >> "$L/group"
getent group kvm >/dev/null || echo "kvm:x:64056:" >> "$L/group"
URI="qemu+unix:///system?socket=$L/run/libvirt-sock"
V="virsh -q -c $URI"
unshare --mount --propagation private sh -c '
	d=$1
	mount --bind "$d/etc" /etc/libvirt &&
	mkdir -p /run/libvirt /var/lib/libvirt /var/log/libvirt /var/cache/libvirt &&
	mount --bind "$d/run" /run/libvirt && mount --bind "$d/lib" /var/lib/libvirt &&
	mount --bind "$d/log" /var/log/libvirt && mount --bind "$d/cache" /var/cache/libvirt &&
	mount --bind "$d/passwd" /etc/passwd && mount --bind "$d/group" /etc/group || exit 1
	/usr/sbin/virtlogd -d -p "$d/virtlogd.pid" || exit 1
	LIBVIRT_LOG_OUTPUTS="1:file:$d/libvirtd.log" LIBVIRT_LOG_FILTERS="3:*" \
	    /usr/sbin/libvirtd -d -p "$d/libvirtd.pid"' sh "$L" || exit 1
stop() {
	$V destroy $N >/dev/null 2>&1
	for p in "$L/libvirtd.pid" "$L/virtlogd.pid"; do
		[ -f "$p" ] && kill "$(cat "$p")" 2>/dev/null
	done
	[ -n "${RD:-}" ] && kill "$RD" 2>/dev/null
	[ -n "${CG:-}" ] && kill "$CG" 2>/dev/null
	return 0
}
trap stop EXIT
for i in $(seq 1 100); do $V version >/dev/null 2>&1 && break; sleep 0.2; done

cat > "$D/$N.xml" <<XML
<domain type='qemu'>
  <name>$N</name>
  <memory unit='MiB'>1024</memory>
  <currentMemory unit='MiB'>512</currentMemory>
  <vcpu>1</vcpu>
  <os>
    <type arch='x86_64' machine='pc'>hvm</type>
    <kernel>$I/vmlinuz</kernel>
    <initrd>$I/initrd.img</initrd>
    <cmdline>root=/dev/vda ro console=ttyS0 init=/guest-init panic=-1</cmdline>
  </os>
  <features><tcg><tb-cache unit='MiB'>64</tb-cache></tcg></features>
  <on_poweroff>destroy</on_poweroff><on_reboot>destroy</on_reboot><on_crash>destroy</on_crash>
  <devices>
    <emulator>/usr/bin/qemu-system-x86_64</emulator>
    <disk type='file' device='disk'>
      <driver name='qemu' type='raw'/>
      <source file='$IMG'/>
      <target dev='vda' bus='virtio'/>
      <readonly/>
    </disk>
    <serial type='file'><source path='$D/$N.console'/><target port='0'/></serial>
    <console type='file'><source path='$D/$N.console'/><target type='serial' port='0'/></console>
    <channel type='unix'>
      <source mode='bind' path='$SOCK'/>
      <target type='virtio' name='org.cagma.agent.0'/>
    </channel>
    <memballoon model='virtio'><stats period='1'/></memballoon>
  </devices>
</domain>
XML
t0=$(date +%s)
el() { echo $(( $(date +%s) - t0 )); }
# wait_console PATTERN SECONDS
wait_console() {
	for i in $(seq 1 $(($2 * 2))); do
		grep -a -q "$1" "$D/$N.console" 2>/dev/null && return 0
		sleep 0.5
	done
	echo "t=$(el)s timeout waiting for '$1'"; return 1
}
kc_start() {
	$V create "$D/$N.xml" || exit 1
	echo "t=$(el)s domain started; socket: $(ls -l "$SOCK" 2>&1)"
	wait_console "GUEST: agent started" 180 || exit 1
	echo "t=$(el)s agent started in the guest"
}
