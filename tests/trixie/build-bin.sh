#!/bin/bash
# tests/trixie/build-bin.sh OUTDIR - cagma's programs (cagmad, cagmactl,
# cagma-agent, the lab workloads) built against Debian 13's libc and Xen
# 4.20 headers inside the Debian 13 root (tests/trixie/root.sh), copied to
# OUTDIR (the trixie lab image's binaries: run-lab.sh with LAB_DIST=trixie
# takes them from build/trixie/bin).  Skips the build when OUTDIR's stamp
# matches the working tree (git HEAD plus the diff of tracked and the list
# and contents of untracked files).
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
OUT=${1:?usage: tests/trixie/build-bin.sh OUTDIR}
JOBS=${JOBS:-$(nproc)}
. "$HERE/root.sh"
case $OUT in /*) ;; *) OUT=$SRC/$OUT ;; esac

stamp=$(cd "$SRC" && { git rev-parse HEAD; git diff HEAD;
    git ls-files -z -o --exclude-standard | xargs -0 -r cat; } |
    sha256sum | cut -d' ' -f1)
if [ -f "$OUT/.stamp" ] && [ "$(cat "$OUT/.stamp")" = "$stamp" ]; then
	echo "trixie binaries: up to date in $OUT"
	exit 0
fi
d13_setup
d13_copy_tree
mount_api "$ROOT"
t0=$(date +%s)
chroot "$ROOT" /bin/sh -c "cd /src/cagma &&
    make -j$JOBS all >/src/results/build.log 2>&1" || {
	tail -n 30 "$ROOT/src/results/build.log"
	echo "trixie binaries: build failed (log above)" >&2
	exit 1
}
rm -rf "$OUT"
mkdir -p "$OUT"
cp -a "$ROOT"/src/cagma/build/bin/. "$OUT/"
echo "$stamp" > "$OUT/.stamp"
echo "trixie binaries: built in $OUT in $(($(date +%s) - t0)) s"
