#!/bin/bash
# run-lab.sh - boot Xen + the Debian dom0 under QEMU (TCG, no KVM), run
# one lab job inside dom0, collect its results, always stop QEMU.
#
# Usage: bench/lab/run-lab.sh JOB
#   JOB: e2e | paper | systemd (bench/lab/share/job-JOB.sh runs in dom0)
# Environment (all optional):
#   LAB_DIST     bookworm (default: Debian 12, Xen 4.17) or trixie (Debian
#                13, Xen 4.20): the image (build-image.sh)
#   LAB_BIN      the project binaries handed to dom0 (default build/bin;
#                build/trixie/bin for trixie: tests/trixie/build-bin.sh)
#   LAB_BOOT     lab (default: the lab init is PID 1) or systemd (Debian's
#                init; the lab init runs as cagma-lab.service); the
#                systemd job sets it.  Guests boot the same way.
#   LAB_DEBS     directory of .deb files handed to dom0 (share/deb); the
#                systemd job defaults it to build/deb
#   LAB_CACHE    image cache (default /var/cache/cagma-lab; build-image.sh)
#   LAB_RUN      run directory (default build/lab/run-JOB); results land in
#                $LAB_RUN/out (9p share), console in $LAB_RUN/console.log
#   LAB_TIMEOUT  hard limit in seconds for the whole boot (default 1200)
#   LAB_MEM_MB   QEMU RAM = the "host" Xen sees (default 3072)
#   LAB_DOM0_MB  dom0 memory (default 512)
#   LAB_NGUEST   guest disk slots (default 3)
#   LAB_CPU      QEMU -cpu (default: max without SMAP (dom0 crashed on it)
#                and without PCID, XSAVE, AVX: with them guests saw random
#                segfaults in ld.so and libc under TCG; Xen also gets pcid=0)
#   LAB_TCG_OPTS extra -accel tcg options, e.g. ",tb-size=256" (less RSS;
#                saw guest segfaults in ld.so with it once: default off)
#   LAB_DISK_IOPS, LAB_DISK_BPS  when set, the guests' swap and data disks
#                share ONE QEMU throttle group with these limits (I/O
#                requests/s, bytes/s): the paper's "one shared disk" that a
#                swapping guest takes from the others.  Without it each disk
#                is its own file on the host and nothing is disk-bound under
#                TCG.  Roots (the OS) are not throttled.
#   LAB_SCENARIO the paper job's scenario, a cagma-sim file (default
#                bench/scenarios/paper.scn; `cagma-sim --lab` turns it into
#                the guests' sizes and per-phase tasks, here on the host
#                before boot: scenario.sh); LAB_SCN_RANGE=FIRST-LAST keeps
#                only those phases (the demo: 2-4)
#   CAGMA_SIM    the cagma-sim binary (default build/bin/cagma-sim)
#   LAB_LIVE=1   copy the live-view lines (LIVE ...) to stdout while running
#   LAB_*        every other LAB_ variable is handed to the dom0 job
#                through $share/lab.env (policy, phase length, ...)
# Exit status: 0 when dom0 printed LAB-DONE rc=0, 1 otherwise.
set -uo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$HERE/../.." && pwd)
JOB=${1:?usage: run-lab.sh e2e|paper}
[ -f "$HERE/share/job-$JOB.sh" ] || { echo "run-lab: no job $JOB" >&2; exit 2; }
IMG=$("$HERE/build-image.sh" --print-dir)
[ -f "$IMG/inputs.sha256" ] || { echo "run-lab: no image in $IMG (make lab-image)" >&2; exit 2; }
XEN=$(cat "$IMG/xen" 2>/dev/null || echo xen-4.17-amd64)
if [ "${LAB_DIST:-bookworm}" = trixie ]; then
	BIN=${LAB_BIN:-$TOP/build/trixie/bin}
else
	BIN=${LAB_BIN:-$TOP/build/bin}
fi
if [ "$JOB" = systemd ]; then
	export LAB_BOOT=systemd
	DEBS=${LAB_DEBS:-$TOP/build/deb}
else
	DEBS=${LAB_DEBS:-}
fi
if [ "${LAB_BOOT:-lab}" = systemd ]; then
	INIT="init=/lib/systemd/systemd systemd.wants=cagma-lab.service"
else
	INIT=init=/sbin/cagma-lab-init
fi
RUN=${LAB_RUN:-$TOP/build/lab/run-$JOB}
TIMEOUT=${LAB_TIMEOUT:-1200}
MEM_MB=${LAB_MEM_MB:-3072}
DOM0_MB=${LAB_DOM0_MB:-512}
NGUEST=${LAB_NGUEST:-3}
SHARE=$RUN/share
if [ "$JOB" = paper ]; then
	. "$HERE/scenario.sh"
	lab_scenario "${LAB_SCENARIO:-$TOP/bench/scenarios/paper.scn}" \
	    "${LAB_SCN_RANGE:-}" || exit 2
fi

rm -rf "$RUN"
mkdir -p "$SHARE/out" "$SHARE/bin" "$RUN/disks"
cp "$HERE"/share/*.sh "$SHARE/"
for p in cagmad cagmactl cagma-agent cagma-memtask cagma-disktask cagma-hog \
    cagma-labstat cagma-xswatch cagma-latprobe cagma-latwatch cagma-tgtbench \
    cagma-xenfree; do
	[ ! -x "$BIN/$p" ] || cp "$BIN/$p" "$SHARE/bin/"
done
if [ -n "$DEBS" ]; then
	mkdir -p "$SHARE/deb"
	cp "$DEBS"/*.deb "$SHARE/deb/" 2>/dev/null ||
	    { echo "run-lab: no .deb files in $DEBS (make deb)" >&2; exit 2; }
fi
cp "$IMG/kver" "$SHARE/kver"
{
	echo "LAB_JOB=$JOB"
	echo "LAB_NGUEST=$NGUEST"
	env | grep -E '^LAB_[A-Z0-9_]+=[-A-Za-z0-9_.,: /]*$' |
	    grep -v -E '^LAB_(JOB|NGUEST|CACHE|RUN)=' | sed "s/=\(.*\)/='\1'/"
} > "$SHARE/lab.env"

# Disks: vda = dom0 root; then per guest a root (the same image through
# its own snapshot overlay), a swap disk and a data disk (fresh, sparse).
drives=(-drive "file=$IMG/rootfs.ext4,format=raw,if=virtio,snapshot=on")
for ((i = 0; i < NGUEST; i++)); do
	drives+=(-drive "file=$IMG/rootfs.ext4,format=raw,if=virtio,snapshot=on")
done
shared=""
if [ -n "${LAB_DISK_IOPS:-}${LAB_DISK_BPS:-}" ]; then
	shared=",throttling.group=shared-disk"
	[ -z "${LAB_DISK_IOPS:-}" ] || shared+=",throttling.iops-total=$LAB_DISK_IOPS"
	[ -z "${LAB_DISK_BPS:-}" ] || shared+=",throttling.bps-total=$LAB_DISK_BPS"
fi
for kind in swap data; do
	for ((i = 0; i < NGUEST; i++)); do
		truncate -s "${LAB_DISK_MB:-768}M" "$RUN/disks/$kind$i.img"
		drives+=(-drive "file=$RUN/disks/$kind$i.img,format=raw,if=virtio,cache=none$shared")
	done
done

t0=$(date +%s)
echo "run-lab: job=$JOB dist=${LAB_DIST:-bookworm} xen=$XEN boot=${LAB_BOOT:-lab} run=$RUN mem=${MEM_MB}M dom0=${DOM0_MB}M timeout=${TIMEOUT}s shared_disk=${shared:-none}"
# In -initrd, commas separate multiboot modules (a literal comma is ",,").
timeout --kill-after=15 "$TIMEOUT" qemu-system-x86_64 \
    -accel "tcg,thread=multi${LAB_TCG_OPTS:-}" -cpu "${LAB_CPU:-max,-smap,-pcid,-invpcid,-avx,-avx2,-xsave,-xsavec,-xsaveopt,-xsaves,-pku}" -smp 2 -m "$MEM_MB" \
    -nodefaults -no-user-config -display none -monitor none \
    -serial stdio -no-reboot \
    -kernel "$IMG/$XEN" \
    -append "console=com1 com1=115200,8n1 dom0_mem=${DOM0_MB}M,max:${DOM0_MB}M dom0_max_vcpus=1 pcid=0 noreboot" \
    -initrd "$IMG/vmlinuz console=hvc0 root=/dev/vda rw $INIT lab=dom0,$IMG/initrd.img" \
    "${drives[@]}" \
    -virtfs "local,path=$SHARE,mount_tag=share,security_model=none,id=share" \
    -pidfile "$RUN/qemu.pid" </dev/null 2>&1 |
    perl -MTime::HiRes=time -ne 'BEGIN { $| = 1; $t0 = time }
	printf "[%7.2f] %s", time - $t0, $_' > "$RUN/console.log" &
pipe=$!

# Watch: live view, peak RSS, and stop QEMU (by its pid) if it is still up
# 20 s after dom0's final marker.
qpid="" hwm=0 done_at="" shown=0
while kill -0 "$pipe" 2>/dev/null; do
	[ -z "$qpid" ] && [ -s "$RUN/qemu.pid" ] && qpid=$(cat "$RUN/qemu.pid")
	if [ -n "$qpid" ] && [ -r "/proc/$qpid/status" ]; then
		h=$(awk '/VmHWM/ { print $2 }' "/proc/$qpid/status")
		[ -n "$h" ] && hwm=$h
	fi
	if [ "${LAB_LIVE:-0}" = 1 ]; then
		n=$(wc -l < "$RUN/console.log")
		if [ "$n" -gt "$shown" ]; then
			sed -n "$((shown + 1)),${n}p" "$RUN/console.log" |
			    grep -a -E 'LIVE|LAB: ' | sed 's/\r$//'
			shown=$n
		fi
	fi
	if [ -z "$done_at" ] && grep -aq 'LAB-DONE' "$RUN/console.log"; then
		done_at=$(date +%s)
	fi
	if [ -n "$done_at" ] && [ $(( $(date +%s) - done_at )) -gt 20 ] &&
	    [ -n "$qpid" ]; then
		kill "$qpid" 2>/dev/null
	fi
	sleep 1
done
wait "$pipe"
rc=$?
t1=$(date +%s)
rm -rf "$RUN/disks"
ln -sfn share/out "$RUN/out"
{
	echo "host: job=$JOB wall=$((t1 - t0)) s qemu_peak_rss=$((hwm / 1024)) MiB pipeline_rc=$rc"
	grep -a 'LAB-DONE' "$RUN/console.log" || echo "host: no LAB-DONE marker (timeout or crash)"
} | tee "$RUN/host-summary.txt"
grep -aq 'LAB-DONE rc=0' "$RUN/console.log"
