#!/bin/sh
# cagmad.sh - the agent channel through cagmad itself (issue 21, items 3-4):
# the guest of check.sh (agent with transport auto, then a memory hog, a
# hostile writer and a flood) with cagmad-libvirt --backend libvirt reading
# its channel (hK's wiring of dom0/chanset.c).  Shows, from cagmad's log and
# `cagmactl status --json` every 2 s: the channel found in the XML and
# connected, records accepted, urgent ones answered by emergency rounds
# (the balloon grows), the hostile lines rejected, the flood rate-limited,
# cagmad alive and stopping cleanly.  Run as root under the KVM lab lock:
#   flock /tmp/cagma-kvmlab.lock tests/kvmchan/cagmad.sh
# Logs in build/kvmchan/cagmad/.
set -u
. "$(dirname "$0")/lib.sh"
CS=$D/run/cagmad.sock
cat > "$D/cagmad.conf" <<CONF
[global]
policy = cagma
period = 2s
reserve = 512M
floor = 160M
CONF
"$R/build/bin/cagmad-libvirt" -n -c "$D/cagmad.conf" || exit 1
kc_start
"$R/build/bin/cagmad-libvirt" -f -v --connect "$URI" -c "$D/cagmad.conf" \
    -s "$CS" > "$D/cagmad.log" 2>&1 &
CG=$!
echo "t=$(el)s cagmad-libvirt pid $CG"
(
	while kill -0 $CG 2>/dev/null; do
		printf '%s ' "$(date +%s.%N | cut -c1-14)"
		"$R/build/bin/cagmactl" --socket "$CS" status --json 2>/dev/null |
		    tr -d '\n'
		echo
		sleep 2
	done
) > "$D/status.log" &
ST=$!
wait_console "GUEST: flood done" 400
sleep 15
kill -TERM $CG; wait $CG; rc=$?; CG=
kill $ST 2>/dev/null
echo "t=$(el)s cagmad-libvirt exit status $rc"
echo "--- cagmad log: channel ---"
grep -a -E "agent channel|channel .*(connected|closed)" "$D/cagmad.log" | head -5
echo "--- cagmad log: rejected records (first 3) ---"
grep -a "rejected record" "$D/cagmad.log" | head -3
echo "--- guest: hog and OOM ---"
grep -a -E "GUEST: hog|Out of memory|oom-kill" "$D/$N.console" | head -5
echo "--- cagmactl status: the domain every 2 s (t, current, target, cma, avail, state, records, rejected; emergencies) ---"
python3 - "$D/status.log" <<'PY'
import json, sys
t0 = None
for line in open(sys.argv[1]):
    ts, _, js = line.partition(' ')
    try:
        st = json.loads(js)
    except ValueError:
        continue
    t = float(ts); t0 = t0 or t
    for d in st.get("domains", []):
        print("%5.0fs cur=%4d tgt=%4d cma=%4d avail=%4d %-10s rec=%4d rej=%4d emerg=%d" % (
            t - t0, d["current_kb"] >> 10, d["target_kb"] >> 10, d["cma_kb"] >> 10,
            d["avail_kb"] >> 10, d["state"], d["records"], d["rejected"],
            st.get("emergencies", 0)))
PY
