#!/bin/sh
# check.sh - a quick real check of the agent channel on KVM (issue 21,
# item 3): libvirtd + one QEMU TCG guest (the Xen lab image, read-only
# copy) whose domain XML has the agent channel; cagma-agent in the guest
# (transport auto) writes records to /dev/virtio-ports/org.cagma.agent.0,
# cagma-chanread (cagmad's dom0/chan.c reader) reads the host side socket.
# The reader starts late (the agent first runs with no host side), is
# stopped and started again (both sides reconnect), and a hog in the guest
# makes urgent records.  Run as root under the KVM lab lock:
#   flock /tmp/cagma-kvmlab.lock tests/kvmchan/check.sh
# Output and logs in build/kvmchan/.
set -u
R=$(cd "$(dirname "$0")/../.." && pwd)
D=$R/build/kvmchan
I=${LAB_IMG:-/var/cache/cagma-lab/image}
N=cagma-chan-check
SOCK=$D/run/$N.agent.sock
mkdir -p "$D/run"
rm -f "$D"/*.log "$D/$N.console" "$SOCK"
[ -f "$I/inputs.sha256" ] || { echo "no lab image in $I"; exit 1; }
[ -f "$D/rootfs.ext4" ] || cp --sparse=always "$I/rootfs.ext4" "$D/rootfs.ext4"
for f in "$R/tests/kvmchan/guest-init:/guest-init" \
    "$R/build/bin/cagma-agent:/cagma-agent" \
    "$R/build/bin/cagma-hog:/cagma-hog"; do
	debugfs -w -R "rm ${f#*:}" "$D/rootfs.ext4" >/dev/null 2>&1
	debugfs -w -R "write ${f%%:*} ${f#*:}" "$D/rootfs.ext4" >/dev/null 2>&1
	debugfs -w -R "sif ${f#*:} mode 0100755" "$D/rootfs.ext4" >/dev/null 2>&1
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
      <source file='$D/rootfs.ext4'/>
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
$V create "$D/$N.xml" || exit 1
echo "t=$(el)s domain started; socket: $(ls -l "$SOCK" 2>&1)"
wait_console "GUEST: agent started" 120 || exit 1
echo "t=$(el)s agent started in the guest; no reader for 5 s"
sleep 5
echo "t=$(el)s reader 1 starts (12 s)"
"$R/build/bin/cagma-chanread" "$SOCK" 12 > "$D/reader1.log" 2>&1
echo "t=$(el)s reader 1 done: $(tail -n 1 "$D/reader1.log")"
sleep 5			# no host side again
echo "t=$(el)s reader 2 starts (until the flood is done + 20 s)"
"$R/build/bin/cagma-chanread" "$SOCK" 300 > "$D/reader2.log" 2>&1 &
RD=$!
wait_console "GUEST: flood done" 300
sleep 20
kill -INT $RD 2>/dev/null; sleep 0.5; kill $RD 2>/dev/null; wait $RD 2>/dev/null; RD=
echo "t=$(el)s reader 2 done: $(grep -a chanread: "$D/reader2.log" | tail -n 1)"
$V dumpxml $N | sed -n '/<channel/,/<\/channel>/p' > "$D/channel.xml"
echo "--- guest console (GUEST: lines, agent transport, drops) ---"
grep -a -E 'GUEST:|transport|dropped|port open|cannot open|write failed|first' "$D/$N.console" | head -40
echo "drops logged by the agent: $(grep -a -c dropped "$D/$N.console")"
echo "--- reader 1 ---"; head -n 4 "$D/reader1.log"
echo "--- reader 2: urgent, rejected, oversize ---"
grep -a -E 'urgent=1|rejected|oversize' "$D/reader2.log" | head -n 8
echo "reader 2: ok $(grep -a -c ' ok ' "$D/reader2.log"), urgent $(grep -a -c 'urgent=1' "$D/reader2.log")"
echo "--- the flood, as the reader saw it (lines 'rejected' after the oversize) ---"
awk '/ oversize/ { o = 1; next } o && / rejected / { n++; if (!f) f = $1; l = $1 }
    END { if (n > 1) printf "flood lines read: %d in %.1f s = %.1f lines/s\n", n, (l - f) / 1000, (n - 1) * 1000 / (l - f) }' "$D/reader2.log"
grep -a chanread: "$D/reader2.log"
