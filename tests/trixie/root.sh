# tests/trixie/root.sh - the Debian 13 root (sourced, bash): made with
# debootstrap (minbase) from this machine's apt mirror, the packages below
# installed with apt, cached in $D13_CACHE (default /var/cache/cagma-d13,
# outside the clone) and rebuilt only when the package list or the code
# that builds it (build_root, mount_api) change.  Used by tests/trixie/run.sh
# (the Debian 13 test layers) and tests/trixie/build-bin.sh (the binaries
# for the Debian 13 lab image).
#   d13_setup         root check, lock, build or reuse the root
#   d13_copy_tree     the working tree (tracked and untracked, not ignored
#                     files; no build/) into $ROOT/src/cagma
#   mount_api DIR     /proc, /dev, /dev/shm; cleanup undoes it (EXIT trap)
#   env D13_CACHE, MIRROR (Debian archive URI; default: the first one in
#       this machine's apt sources)
SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
CACHE=${D13_CACHE:-/var/cache/cagma-d13}
ROOT=$CACHE/root
SUITE=trixie
# build + unit + integration; xen-utils-4.20 carries the C xenstored
PKGS="build-essential pkg-config libxen-dev xen-utils-4.20 xen-utils-common \
xenstore-utils libcmocka-dev libinih-dev"

MNT=""
cleanup() {
	local m
	for m in $MNT; do
		umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || true
	done
	MNT=""
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# mount_api DIR: /proc, /dev and /dev/shm for the harness (memfd, AF_UNIX,
# /dev/null, POSIX shm); undone by cleanup, innermost first.
mount_api() {
	mount -t proc proc "$1/proc"
	MNT="$1/proc $MNT"
	mount --bind /dev "$1/dev"
	MNT="$1/dev $MNT"
	mount -t tmpfs -o mode=1777,nosuid,nodev tmpfs "$1/dev/shm"
	MNT="$1/dev/shm $MNT"
}

build_root() {
	local tmp=$CACHE/root.tmp mirror t0 t1 p
	mirror=${MIRROR:-$(awk '/^URIs:/ { print $2; exit }' \
	    /etc/apt/sources.list.d/*.sources 2>/dev/null || true)}
	[ -n "$mirror" ] || mirror=$(awk '$1 == "deb" { print $2; exit }' \
	    /etc/apt/sources.list 2>/dev/null || true)
	[ -n "$mirror" ] || {
		echo "test-trixie: no Debian mirror in apt sources" >&2
		return 1
	}
	t0=$(date +%s)
	rm -rf "$tmp"
	echo "test-trixie: debootstrap $SUITE into $tmp"
	debootstrap --variant=minbase "$SUITE" "$tmp" "$mirror" \
	    >"$CACHE/debootstrap.log" 2>&1 || {
		tail -n 20 "$CACHE/debootstrap.log" >&2
		return 1
	}
	mount_api "$tmp"
	chroot "$tmp" apt-get update -qq
	# the names differ between releases: check them in the root itself
	for p in $PKGS; do
		chroot "$tmp" apt-cache show "$p" >/dev/null 2>&1 || {
			echo "test-trixie: $SUITE has no package $p" >&2
			return 1
		}
	done
	# --no-install-recommends: xen-utils would pull the hypervisor
	chroot "$tmp" env DEBIAN_FRONTEND=noninteractive apt-get install -y \
	    -qq --no-install-recommends $PKGS >"$CACHE/apt.log" 2>&1 || {
		tail -n 20 "$CACHE/apt.log" >&2
		return 1
	}
	chroot "$tmp" apt-get clean
	cleanup
	inputs_hash >"$tmp/.cagma-inputs"
	rm -rf "$ROOT"
	mv "$tmp" "$ROOT"
	t1=$(date +%s)
	echo "test-trixie: root built in $((t1 - t0)) s"
}

# What the root is made of: the suite, the packages and the code that makes
# it (not the rest of this script, so editing the test steps costs no
# rebuild).
inputs_hash() {
	{ echo "$SUITE $PKGS"; declare -f build_root mount_api; } |
	    sha256sum | cut -d' ' -f1
}

d13_setup() {
	[ "$(id -u)" = 0 ] || {
		echo "test-trixie: needs root (debootstrap, chroot)" >&2
		return 1
	}
	command -v debootstrap >/dev/null || {
		echo "test-trixie: debootstrap missing (make deps)" >&2
		return 1
	}
	mkdir -p "$CACHE"
	exec 9>"$CACHE/.lock"
	flock 9
	want=$(inputs_hash)
	if [ ! -f "$ROOT/.cagma-inputs" ] ||
	    [ "$(cat "$ROOT/.cagma-inputs")" != "$want" ]; then
		build_root
	else
		echo "test-trixie: root up to date in $ROOT"
	fi
}

d13_copy_tree() {
	# a fresh copy of the working tree (build/ and other ignored files stay out)
	rm -rf "$ROOT/src"
	mkdir -p "$ROOT/src/cagma" "$ROOT/src/results"
	(cd "$SRC" && git ls-files -z -c -o --exclude-standard |
	    xargs -0 sh -c 'for f; do [ -e "$f" ] && printf "%s\0" "$f"; done' sh |
	    tar -c --null -T - -f -) | tar -x -C "$ROOT/src/cagma" -f -
}
