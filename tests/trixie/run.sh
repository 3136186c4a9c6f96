#!/bin/bash
# tests/trixie/run.sh RESULTS_DIR - the Debian 13 layers: build, unit and
# integration tests (Debian 13's own xenstored, Xen 4.20, under the fakexen
# shim) inside a Debian 13 root, as root through chroot.
#
#   env D13_CACHE  cache directory (default /var/cache/cagma-d13, outside the
#                  clone); the root lives in $D13_CACHE/root
#       MIRROR     Debian archive URI (default: the first one in this
#                  machine's apt sources; no archive host is named here)
#       JOBS       make -j inside the root (default: nproc)
#
# The root: tests/trixie/root.sh (debootstrap, cached, rebuilt only when
# its package list or the code that builds it change).  The working tree
# (tracked and untracked, not ignored files; no build/) is copied into
# $ROOT/src/cagma each run and built from scratch there.  Writes RESULTS_DIR/unit-trixie.txt and
# RESULTS_DIR/integration-trixie.txt ("layer: N passed, N failed", see
# tests/summary.sh); a failure before a layer ran is recorded as one failed
# check of that layer.  Exits non-zero on any failure.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
SRC=$(cd "$HERE/../.." && pwd)
RES=${1:-$SRC/build/test-results}
case $RES in /*) ;; *) RES=$SRC/$RES ;; esac
JOBS=${JOBS:-$(nproc)}
LAYERS="unit-trixie integration-trixie"

mkdir -p "$RES"
# Until a layer reports, it counts as failed (summary.sh reads these).
for l in $LAYERS; do
	echo "$l: 0 passed, 1 failed (did not run)" >"$RES/$l.txt"
done
. "$HERE/root.sh"
d13_setup
d13_copy_tree

mount_api "$ROOT"
rc=0
# gcc, Xen headers and xenstored are the root's: the same Makefile, the
# Debian 13 toolchain (gcc 14), Xen 4.20.
chroot "$ROOT" /bin/sh -c "cd /src/cagma &&
    make -j$JOBS all >/src/results/build.log 2>&1" || {
	tail -n 30 "$ROOT/src/results/build.log"
	echo "test-trixie: build failed (log above)" >&2
	rc=1
}
if [ $rc -eq 0 ]; then
	chroot "$ROOT" /bin/sh -c "cd /src/cagma && make -j$JOBS unit \
	    UNIT_LAYER=unit-trixie RESULTS=/src/results" || rc=1
	chroot "$ROOT" /bin/sh -c "cd /src/cagma &&
	    tests/integration/run.sh /src/results integration-trixie" || rc=1
	for l in $LAYERS; do
		[ ! -f "$ROOT/src/results/$l.txt" ] ||
		    cp "$ROOT/src/results/$l.txt" "$RES/$l.txt"
	done
fi
cleanup
exit $rc
