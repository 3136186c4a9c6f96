#!/bin/bash
# build-image.sh - build (and cache) the cagma Xen lab image.
#
# Usage: bench/lab/build-image.sh [--print-dir] [--force]
#   env LAB_DIST   bookworm (default: Debian 12, Xen 4.17) or trixie
#                  (Debian 13, Xen 4.20)
#       LAB_CACHE  cache directory (default /var/cache/cagma-lab, outside
#                  the clone); the image goes to $LAB_CACHE/image/
#                  (bookworm) or $LAB_CACHE/image-trixie/
#       MIRROR     Debian archive URI (default: the first one in this
#                  machine's apt sources; no archive host is named here)
#
# Output ($LAB_CACHE/image/): xen-4.17-amd64 (uncompressed multiboot ELF;
# its name in the file "xen"; xen-4.20-amd64 for trixie),
# vmlinuz, initrd.img (small MODULES=list initrd: the default 128 MiB one
# makes a 256 MiB PV guest panic while unpacking), rootfs.ext4 (Debian 12
# minbase + Xen 4.17 dom0 tools + systemd + the lab init; dom0 and every
# domU boot the same file, each through its own QEMU snapshot overlay),
# inputs.sha256.  The lab init is PID 1 by default; the systemd job boots
# Debian's init instead (init=/lib/systemd/systemd) and runs the same lab
# init as cagma-lab.service (systemd.wants=cagma-lab.service).
#
# The image is rebuilt only when its inputs change: this script, lab-init
# and the package list below.  Project binaries are NOT baked in; they go
# through the 9p share at run time.  Needs root, debootstrap, e2fsprogs.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
CACHE=${LAB_CACHE:-/var/cache/cagma-lab}
case ${LAB_DIST:-bookworm} in
bookworm)
	SUITE=bookworm XENVER=4.17 IMG=$CACHE/image ;;
trixie)
	SUITE=trixie XENVER=4.20 IMG=$CACHE/image-trixie ;;
*)
	echo "build-image: LAB_DIST must be bookworm or trixie" >&2
	exit 2 ;;
esac
# Everything the dom0 tools, cagmad (libxenlight, libinih) and the guests
# (libxenstore, mkswap) need at run time; systemd for the systemd job
# (minbase has no init).  The package names are the same in both suites
# but for the Xen version.
PKGS=linux-image-amd64,xen-utils-$XENVER,xenstore-utils,libinih1,kmod,procps,iproute2,systemd

inputs_hash() {
	{ cat "$HERE/build-image.sh" "$HERE/lab-init"; echo "$PKGS $SUITE"; } |
	    sha256sum | cut -d' ' -f1
}

want=$(inputs_hash)
if [ "${1:-}" = --print-dir ]; then
	echo "$IMG"
	exit 0
fi
if [ "${1:-}" != --force ] && [ -f "$IMG/inputs.sha256" ] &&
    [ "$(cat "$IMG/inputs.sha256")" = "$want" ]; then
	echo "lab image: up to date in $IMG"
	exit 0
fi
[ "$(id -u)" = 0 ] || { echo "build-image: needs root" >&2; exit 1; }

mkdir -p "$CACHE"
exec 9>"$CACHE/.lock"
flock 9
MIRROR=${MIRROR:-$(awk '/^URIs:/ { print $2; exit }' \
    /etc/apt/sources.list.d/*.sources 2>/dev/null || true)}
[ -n "$MIRROR" ] || MIRROR=$(awk '$1 == "deb" { print $2; exit }' \
    /etc/apt/sources.list 2>/dev/null || true)
[ -n "$MIRROR" ] || { echo "build-image: no Debian mirror in apt sources" >&2; exit 1; }
# The security archive, if this machine's sources have one (SECURITY_MIRROR
# overrides it; "none": no security updates in the image).
SECURITY_MIRROR=${SECURITY_MIRROR:-$(awk '/^URIs:/ && /security/ { print $2; exit }' \
    /etc/apt/sources.list.d/*.sources 2>/dev/null || true)}
[ -n "$SECURITY_MIRROR" ] || SECURITY_MIRROR=$(awk '$1 == "deb" && $2 ~ /security/ \
    { print $2; exit }' /etc/apt/sources.list 2>/dev/null || true)

WORK=$CACHE/image.tmp
ROOT=$WORK/rootfs
cleanup() {
	umount "$ROOT/proc" 2>/dev/null || true
	umount "$ROOT/dev" 2>/dev/null || true
}
trap cleanup EXIT
rm -rf "$WORK"
mkdir -p "$WORK"
t0=$(date +%s)

# 1. root file system, shared by dom0 and the guests
debootstrap --variant=minbase --include="$PKGS" "$SUITE" "$ROOT" "$MIRROR"
t1=$(date +%s)
kver=$(ls "$ROOT/lib/modules" | head -n 1)

# 1b. point-release and security updates, as on a maintained Xen host:
#    `make deb` on an updated build host depends on the updated Xen
#    libraries (bookworm main has libxenmisc4.17 4.17.5, the host
#    4.17.7 from bookworm-security: apt refused the package).  The kernel
#    is held: a second kernel would cost a second initrd build.
{
	echo "deb $MIRROR $SUITE main"
	echo "deb $MIRROR $SUITE-updates main"
	[ -z "$SECURITY_MIRROR" ] || [ "$SECURITY_MIRROR" = none ] ||
	    echo "deb $SECURITY_MIRROR $SUITE-security main"
} > "$ROOT/etc/apt/sources.list"
mount --bind /dev "$ROOT/dev"
mount -t proc proc "$ROOT/proc"
chroot "$ROOT" apt-mark hold linux-image-amd64 "linux-image-$kver" > /dev/null
chroot "$ROOT" apt-get -qq update
chroot "$ROOT" env DEBIAN_FRONTEND=noninteractive apt-get -y -qq \
    -o Dpkg::Options::=--force-confold dist-upgrade > "$WORK/upgrade.log"
cleanup

# 2. hypervisor: extract it from its .deb, fetched by the root's own apt
#    (the suite's updated version).
#    Installing the package would pull grub-xen-host and qemu-system-xen.
xen=xen-$XENVER-amd64
chroot "$ROOT" sh -c "cd /tmp && apt-get download xen-hypervisor-$XENVER-amd64" \
    > /dev/null
dpkg-deb -x "$ROOT"/tmp/xen-hypervisor-$XENVER-amd64_*.deb "$WORK/deb"
zcat "$WORK/deb/boot/$xen.gz" > "$WORK/$xen"
echo "$xen" > "$WORK/xen"
rm -rf "$WORK"/deb "$ROOT"/tmp/*.deb

# 3. the small initrd
cp -a "$ROOT/etc/initramfs-tools" "$ROOT/etc/initramfs-tools-lab"
sed -i 's/^MODULES=.*/MODULES=list/; s/^COMPRESS=.*/COMPRESS=gzip/' \
    "$ROOT/etc/initramfs-tools-lab/initramfs.conf"
printf 'virtio_pci\nvirtio_blk\nxen-blkfront\next4\n' \
    >> "$ROOT/etc/initramfs-tools-lab/modules"
mount --bind /dev "$ROOT/dev"
mount -t proc proc "$ROOT/proc"
chroot "$ROOT" mkinitramfs -d /etc/initramfs-tools-lab \
    -o /boot/initrd-lab.img "$kver"
cleanup
rm -f "$ROOT/boot/initrd.img-$kver"

# 4. lab bits
install -m 755 "$HERE/lab-init" "$ROOT/sbin/cagma-lab-init"
mkdir -p "$ROOT/mnt/share" "$ROOT/mnt/domu" "$ROOT/lab" "$ROOT/var/lib/xen"
echo lab > "$ROOT/etc/hostname"
# The systemd job: the lab init as a service (role from lab= as before);
# its output goes to the console like PID 1's.
cat > "$ROOT/etc/systemd/system/cagma-lab.service" <<'UNIT'
[Unit]
Description=cagma lab job (lab= role on the kernel command line)
After=xen.service xendomains.service systemd-modules-load.service

[Service]
Type=simple
ExecStart=/sbin/cagma-lab-init
StandardOutput=journal+console
StandardError=journal+console
UNIT
# Guest consoles to /var/log/xen/console/guest-NAME.log under systemd too
# (the lab init's own start of /etc/init.d/xen sets it in the environment).
echo 'XENCONSOLED_ARGS="--log=guest --log-dir=/var/log/xen/console"' \
    >> "$ROOT/etc/default/xen"
# serial login prompts would only add noise on the console
ln -sf /dev/null "$ROOT/etc/systemd/system/serial-getty@.service"
ln -sf /dev/null "$ROOT/etc/systemd/system/getty@.service"
# (it fails in a minbase dom0: no tty2-6 under Xen's PV console)
ln -sf /dev/null "$ROOT/etc/systemd/system/getty-static.service"
rm -rf "$ROOT"/var/cache/apt/archives/*.deb "$ROOT"/var/lib/apt/lists/* \
    "$ROOT"/usr/share/doc/* "$ROOT"/usr/share/man/*
cp "$ROOT/boot/vmlinuz-$kver" "$WORK/vmlinuz"
cp "$ROOT/boot/initrd-lab.img" "$WORK/initrd.img"
echo "$kver" > "$WORK/kver"
chmod 644 "$WORK/vmlinuz" "$WORK/initrd.img"

# 5. ext4 image without a loop mount; 400 MiB free for guest files
size_mb=$(( $(du -sm "$ROOT" | cut -f1) + 400 ))
mkfs.ext4 -q -F -L labroot -d "$ROOT" "$WORK/rootfs.ext4" "${size_mb}M"
rm -rf "$ROOT"
echo "$want" > "$WORK/inputs.sha256"
rm -rf "$IMG"
mv "$WORK" "$IMG"
t2=$(date +%s)
echo "lab image: built in $IMG: debootstrap $((t1 - t0)) s, total $((t2 - t0)) s"
