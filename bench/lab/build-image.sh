#!/bin/bash
# build-image.sh - build (and cache) the cagma Xen lab image.
#
# Usage: bench/lab/build-image.sh [--print-dir] [--force]
#   env LAB_CACHE  cache directory (default /var/cache/cagma-lab, outside
#                  the clone); the image goes to $LAB_CACHE/image/
#       MIRROR     Debian archive URI (default: the first one in this
#                  machine's apt sources; no archive host is named here)
#
# Output ($LAB_CACHE/image/): xen-4.17-amd64 (uncompressed multiboot ELF),
# vmlinuz, initrd.img (small MODULES=list initrd: the default 128 MiB one
# makes a 256 MiB PV guest panic while unpacking), rootfs.ext4 (Debian 12
# minbase + Xen 4.17 dom0 tools + the lab init; dom0 and every domU boot
# the same file, each through its own QEMU snapshot overlay), inputs.sha256.
#
# The image is rebuilt only when its inputs change: this script, lab-init
# and the package list below.  Project binaries are NOT baked in; they go
# through the 9p share at run time.  Needs root, debootstrap, e2fsprogs.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
CACHE=${LAB_CACHE:-/var/cache/cagma-lab}
IMG=$CACHE/image
# Everything the dom0 tools, cagmad (libxenlight, libinih) and the guests
# (libxenstore, mkswap) need at run time.
PKGS=linux-image-amd64,xen-utils-4.17,xenstore-utils,libinih1,kmod,procps,iproute2
SUITE=bookworm

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

# 1. hypervisor: extract it from its .deb.  Installing the package on the
#    build host would pull grub-xen-host, a systemd upgrade, qemu-system-xen.
( cd "$WORK" && apt-get download xen-hypervisor-4.17-amd64 >/dev/null &&
    dpkg-deb -x xen-hypervisor-4.17-amd64_*.deb deb )
zcat "$WORK"/deb/boot/xen-4.17-amd64.gz > "$WORK/xen-4.17-amd64"
rm -rf "$WORK"/deb "$WORK"/*.deb

# 2. root file system, shared by dom0 and the guests
debootstrap --variant=minbase --include="$PKGS" "$SUITE" "$ROOT" "$MIRROR"
t1=$(date +%s)
kver=$(ls "$ROOT/lib/modules" | head -n 1)

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
