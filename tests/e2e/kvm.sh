#!/bin/sh
# tests/e2e/kvm.sh RESULTS_DIR - the end-to-end test on KVM (make e2e-kvm).
#
# libvirtd and virtlogd started by hand, two QEMU TCG guests booted from
# the Xen lab image's kernel, initrd and root file system (built or reused
# by bench/lab/build-image.sh, as `make e2e` does), cagmad-libvirt
# --backend libvirt on this host: bench/kvm/run-kvm.sh e2e (checks in
# bench/kvm/job-e2e.sh).  Counts its "CHECK name PASS|FAIL" lines; writes
# RESULTS_DIR/e2e-kvm.txt ending "e2e-kvm: N passed, N failed"; exits
# non-zero on any failure.  Retries nothing; on failure prints cagmad's and
# the guests' logs.  Without root or qemu-system-x86_64 it says SKIPPED
# and writes "e2e-kvm: 0 passed, 0 failed".  The packages (make kvm-deps:
# libvirt-daemon, libvirt-daemon-driver-qemu, libvirt-clients, libvirt-dev,
# jq) are installed by make before the build.
# Environment: LAB_CACHE (image cache), E2E_KVM_TIMEOUT (s, default 900),
# KVM_* (bench/kvm/run-kvm.sh).
set -u
res=${1:?usage: tests/e2e/kvm.sh RESULTS_DIR}
top=$(cd "$(dirname "$0")/../.." && pwd)
layer=e2e-kvm
checks="record_hog record_idle hog_grown hog_memtotal idle_shrunk
    idle_gradual idle_floor host_reserve no_oom cagmad_alive cagmad_stop
    daemons_stop"
mkdir -p "$res"
out=$res/$layer.txt
run=${KVM_RUN:-$top/build/kvmlab/run-e2e}
: > "$out"

# shellcheck source=tests/e2e/lib.sh
. "$top/tests/e2e/lib.sh"
if [ "$(id -u)" != 0 ] || ! command -v qemu-system-x86_64 > /dev/null ||
    ! command -v debootstrap > /dev/null || [ ! -x /usr/sbin/libvirtd ]; then
	echo "$layer: SKIPPED (needs root, qemu-system-x86_64, debootstrap and libvirtd)" |
	    tee -a "$out"
	e2e_finish 0 0
fi
t0=$(date +%s)
missing=""
for p in cagmad-libvirt cagmactl cagma-agent cagma-memtask cagma-hog \
    cagma-labstat; do
	[ -x "$top/build/bin/$p" ] || missing="$missing $p"
done
if [ -n "$missing" ]; then
	echo "$layer: FAIL: not built:$missing" | tee -a "$out"
	e2e_finish 0 1
fi
if ! LAB_DIST=bookworm "$top/bench/lab/build-image.sh"; then
	echo "$layer: FAIL: lab image build failed" | tee -a "$out"
	e2e_finish 0 1
fi
t1=$(date +%s)
KVM_RUN=$run timeout --kill-after=30 "${E2E_KVM_TIMEOUT:-900}" \
    "$top/bench/kvm/run-kvm.sh" e2e
lab_rc=$?
t2=$(date +%s)
echo "$layer: binaries + image $((t1 - t0)) s, lab run $((t2 - t1)) s" |
    tee -a "$out"

# shellcheck disable=SC2086 # $checks: a list of words
e2e_tally "$run/results.txt" "$lab_rc" $checks
if [ $fail -ne 0 ]; then
	echo "===== cagmad log (last 60 lines): $run/cagmad.log ====="
	tail -n 60 "$run/cagmad.log" 2>/dev/null
	for g in hog idle; do
		echo "===== guest $g: console and agent log ====="
		tail -n 30 "$run/$g/console.log" 2>/dev/null
		tail -n 20 "$run/$g/share/out/agent.log" 2>/dev/null
	done
fi
e2e_finish "$pass" "$fail"
