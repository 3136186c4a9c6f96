#!/bin/bash
# run-kvm.sh JOB - the KVM lab: libvirtd + virtlogd started by hand in a
# private mount namespace (daemons.sh), QEMU TCG guests booted from the
# Xen lab image's files (vmlinuz, initrd.img, rootfs.ext4), cagmad
# --backend libvirt on this host, then job JOB (bench/kvm/job-JOB.sh:
# e2e, paper).  Always stops cagmad, the guests and the daemons (trap).
# Run it under `flock /tmp/cagma-kvmlab.lock` (one KVM lab at a time).
# Environment (all optional):
#   KVM_BIN      project binaries (default build/bin): cagmad, cagmactl, and
#                the guests' cagma-agent, cagma-memtask, cagma-hog,
#                cagma-labstat (9p share; never baked into the image)
#   KVM_RUN      run directory (default build/kvmlab/run-JOB): results.txt,
#                cagmad.log, per guest NAME/ (console.log, share/out/, ...)
#   KVM_TBCACHE  TCG translation cache per guest, MiB (default 64)
#   LAB_CACHE    the Xen lab's image cache (bench/lab/build-image.sh)
# Exit status: 0 when every check passed (KVM-DONE rc=0), 1 otherwise, 2
# on bad usage or a missing image.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$HERE/../.." && pwd)
JOB=${1:?usage: run-kvm.sh e2e|paper}
[ -f "$HERE/job-$JOB.sh" ] || { echo "run-kvm: no job $JOB" >&2; exit 2; }
IMG=$(LAB_DIST=bookworm "$TOP/bench/lab/build-image.sh" --print-dir)
for f in vmlinuz initrd.img rootfs.ext4 inputs.sha256; do
	[ -f "$IMG/$f" ] || { echo "run-kvm: no $IMG/$f (make lab-image)" >&2; exit 2; }
done
BIN=${KVM_BIN:-$TOP/build/bin}
RUN=${KVM_RUN:-$TOP/build/kvmlab/run-$JOB}
LV=$RUN/libvirt
SOCK=$RUN/cagmad.sock
. "$HERE/daemons.sh"
. "$HERE/lab.sh"
. "$HERE/job-$JOB.sh"

rm -rf "$RUN"
mkdir -p "$RUN"
: > "$RUN/results.txt"
CLEANED=0
kvm_cleanup() {
	[ "$CLEANED" = 1 ] && return
	CLEANED=1
	kvm_stop_bg
	if [ -n "$CAGMAD_PID" ] && kill -0 "$CAGMAD_PID" 2>/dev/null; then
		kill "$CAGMAD_PID" 2>/dev/null
		sleep 1
		kill -9 "$CAGMAD_PID" 2>/dev/null
	fi
	kvm_daemons_stop "$LV" > /dev/null 2>&1
}
trap 'kvm_cleanup' EXIT
trap 'kvm_res "run-kvm: interrupted"; exit 1' INT TERM

t0=$(date +%s)
echo "run-kvm: job=$JOB run=$RUN image=$IMG bin=$BIN tb-cache=${KVM_TBCACHE:-64} MiB"
if kvm_daemons_start "$LV"; then
	kvm_res "daemons up at $(kvm_now) uri=$KVM_URI"
	kvm_job
else
	kvm_fail "libvirtd/virtlogd did not start"
fi
kvm_res "job end after $(( $(date +%s) - t0 )) s"
if [ "$KVM_FAILED" != 0 ]; then
	echo "===== cagmad log (tail) ====="
	tail -n 40 "$RUN/cagmad.log" 2>/dev/null
	for g in $KVM_GUESTS; do
		echo "===== $g console (tail) ====="
		tail -n 30 "$RUN/$g/console.log" 2>/dev/null
	done
fi
kvm_cleanup
echo "KVM-DONE rc=$KVM_FAILED" | tee -a "$RUN/results.txt"
[ "$KVM_FAILED" = 0 ]
