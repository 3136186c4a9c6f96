#!/bin/bash
# bench/latency/run.sh [EVENTS] - emergency latency through the real Xen
# C xenstored (4.17 or 4.20; fakexen shim, no hypervisor) with cagmad --backend sim.
#
# For each of EVENTS (default 1000) urgent records written by a fake guest,
# measures guest write -> cagmad's new memory/target seen by a dom0 watch,
# and, interleaved in the same run, the raw watch round trip (guest write
# -> dom0 watch event): the physical floor.  Prints median/p90/p99/max of
# both and their ratio; writes bench/results/latency.csv (one row per
# sample) and bench/results/latency.txt (the summary).  Guests grow toward
# their static-max and are then released (as on destroy) for the next one.
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
events=${1:-1000}
ndom=${LAT_DOMAINS:-150}
first=100
last=$((first + ndom - 1))
H=$root/build/integration
# the newest installed C xenstored (Debian 12: 4.17, Debian 13: 4.20)
XENSTORED=${XENSTORED:-$(ls -d /usr/lib/xen-4.*/bin/xenstored 2>/dev/null |
    sort -V | tail -n 1)}
CAGMAD=${CAGMAD:-$root/build/test/bin/cagmad}	# test build: --backend sim
out=$root/bench/results
mkdir -p "$out"
for p in "$H/libfakexen.so" "$H/fakeguest" "$H/cagma-lat" "$CAGMAD" "$XENSTORED"; do
	[ -e "$p" ] || { echo "bench-latency: $p missing" >&2; exit 1; }
done

D=$(mktemp -d /tmp/cglat.XXXXXX)
export FAKEXEN_DIR=$D XENSTORED_RUNDIR=$D XENSTORED_PATH=$D/socket
pids=""
cleanup() {
	kill $pids 2>/dev/null
	wait $pids 2>/dev/null
	rm -rf "$D"
}
trap cleanup EXIT

LD_PRELOAD=$H/libfakexen.so "$XENSTORED" -N 2>"$D/xenstored.err" &
pids="$pids $!"
for i in $(seq 500); do
	xenstore-exists /tool/xenstored 2>/dev/null && break
	sleep 0.01
done
printf '[global]\nperiod = 1s\n[sim]\nhost_memory = 1000G\nballoon_rate = 0\n' \
	>"$D/cagmad.conf"
"$CAGMAD" --foreground --backend sim --config "$D/cagmad.conf" \
	--socket "$D/cagmad.sock" 2>"$D/cagmad.err" &
pids="$pids $!"
for n in $(seq $first $last); do
	"$H/fakeguest" --domid "$n" --target-kb 262144 --max-kb 268435456 \
		>"$D/fg-$n.out" 2>&1 &
	pids="$pids $!"
done
for n in $(seq $first $last); do
	for i in $(seq 500); do
		grep -qs ready "$D/fg-$n.out" && break
		sleep 0.01
	done
done
sleep 0.5
echo "bench-latency: $events urgent events, domains $first-$last," \
	"xenstored $(xv=${XENSTORED#/usr/lib/xen-}; dpkg-query -W -f='${Version}' \
	    "xen-utils-${xv%%/*}" 2>/dev/null)"
"$H/cagma-lat" urgent --dir "$D" --domids "$first-$last" --events "$events" \
	--csv "$out/latency.csv" --release --timeout-ms 1000 | tee "$out/latency.txt"
rc=${PIPESTATUS[0]}
echo "csv: bench/results/latency.csv ($(($(wc -l <"$out/latency.csv") - 1)) rows)"
exit "$rc"
